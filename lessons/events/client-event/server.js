// Logs whatever a client sends with the event clientEvent.
io.on("connection", (socket) => {
  socket.on("clientEvent", (data) => {
    console.log(data);
  });
});
