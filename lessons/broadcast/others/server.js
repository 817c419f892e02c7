// A client that connects is welcomed, and every other client gets the new
// number of clients; when a client leaves, the others get the number again.
let clients = 0;

io.on("connection", (socket) => {
  clients++;
  console.log("A user connected.", clientsConnected(clients));
  // socket.emit: to this client only.
  socket.emit("newclientconnect", { description: "Hey, welcome!" });
  // socket.broadcast.emit: to every client but this one.
  socket.broadcast.emit("newclientconnect", { description: clientsConnected(clients) });

  socket.on("disconnect", () => {
    clients--;
    console.log("A user disconnected.", clientsConnected(clients));
    socket.broadcast.emit("newclientconnect", { description: clientsConnected(clients) });
  });
});

// clientsConnected says how many clients are connected: "1 client connected!",
// "2 clients connected!".
function clientsConnected(n) {
  return n === 1 ? "1 client connected!" : n + " clients connected!";
}
