// Four seconds after a client connects, the server emits a custom event,
// testerEvent, carrying an object.
io.on("connection", (socket) => {
  console.log("A user connected");

  const timer = setTimeout(() => {
    // Any name will do, and the data can be an object.
    socket.emit("testerEvent", { description: "A custom event named testerEvent!" });
  }, 4000);

  // The same name works the other way: log what the client sends.
  socket.on("testerEvent", (data) => {
    console.log("testerEvent from the client:", data);
  });

  socket.on("disconnect", () => {
    clearTimeout(timer);
    console.log("A user disconnected");
  });
});
