// Logs the debug pattern each client says it runs with, and answers a
// debugMe event by sending its data back as debugged, so that both sides
// have something to trace.
io.on("connection", (socket) => {
  const pattern = socket.handshake.auth.debug;
  if (!pattern) {
    console.log("A user connected without a debug pattern");
  } else {
    console.log("A user connected with the debug pattern", pattern);
  }

  socket.on("debugMe", (data) => {
    console.log("debugMe from the client:", data);
    socket.emit("debugged", data);
  });
});
