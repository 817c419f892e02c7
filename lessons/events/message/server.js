// Four seconds after a client connects, the server sends it a message.
io.on("connection", (socket) => {
  console.log("A user connected");

  // socket.send emits the event named "message".
  const timer = setTimeout(() => {
    socket.send("Sent a message 4 seconds after connection!");
  }, 4000);

  // Messages can go the other way too.
  socket.on("message", (data) => {
    console.log("The client says:", data);
  });

  socket.on("disconnect", () => {
    clearTimeout(timer); // no message for a client that has left
    console.log("A user disconnected");
  });
});
