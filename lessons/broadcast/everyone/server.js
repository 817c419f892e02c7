// Whenever a client connects or leaves, every client connected gets the
// number of clients connected.
let clients = 0;

io.on("connection", (socket) => {
  clients++;
  let description = clientsConnected(clients);
  console.log("A user connected.", description);
  // io.emit: to every client connected, the new one included.
  // (The tutorial's io.sockets.emit is the same call under its 0.9-era name.)
  io.emit("broadcast", { description });

  socket.on("disconnect", () => {
    clients--;
    description = clientsConnected(clients);
    console.log("A user disconnected.", description);
    // This client is gone already: all the others hear it.
    io.emit("broadcast", { description });
  });
});

// clientsConnected says how many clients are connected: "1 client connected!",
// "2 clients connected!".
function clientsConnected(n) {
  return n === 1 ? "1 client connected!" : n + " clients connected!";
}
