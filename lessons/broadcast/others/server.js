// A client that connects is welcomed, and every other client gets the new
// number of clients; when a client leaves, the others get the number again.
let clients = 0;

io.on("connection", (socket) => {
  clients++;
  console.log("A user connected.", clients + " clients connected!");
  // socket.emit: to this client only.
  socket.emit("newclientconnect", { description: "Hey, welcome!" });
  // socket.broadcast.emit: to every client but this one.
  socket.broadcast.emit("newclientconnect", { description: clients + " clients connected!" });

  socket.on("disconnect", () => {
    clients--;
    console.log("A user disconnected.", clients + " clients connected!");
    socket.broadcast.emit("newclientconnect", { description: clients + " clients connected!" });
  });
});
