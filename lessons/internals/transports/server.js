// Logs the transport each client started with, and the one the server sees
// it on once the client says it has upgraded.
io.on("connection", (socket) => {
  // The client names itself in auth, only so that the log can say which
  // of the page's three clients this is.
  const name = socket.handshake.auth.name;

  // The transport of the handshake request (?transport=...), the one the
  // client started with.
  const first = socket.handshake.query.transport;
  console.log("The", name, "client connected over", first);

  // socket.conn.transport.name is the transport the socket is on now.
  socket.on("upgraded", () => {
    console.log("The", name, "client upgraded: the server now sees it on", socket.conn.transport.name);
  });
});
