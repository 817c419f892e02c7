// Whenever a client connects or leaves, every client connected gets the
// number of clients connected.
let clients = 0;

io.on("connection", (socket) => {
  clients++;
  let description = clients + " clients connected!";
  console.log("A user connected.", description);
  // io.emit: to every client connected, the new one included.
  // (The tutorial's io.sockets.emit is the same call under its 0.9-era name.)
  io.emit("broadcast", { description });

  socket.on("disconnect", () => {
    clients--;
    description = clients + " clients connected!";
    console.log("A user disconnected.", description);
    // This client is gone already: all the others hear it.
    io.emit("broadcast", { description });
  });
});
