// Numbers the connections the server has seen since it started, tells each
// client its number, and logs why each one went away. (The step's server
// pings every 2 seconds and waits 2 more for the answer: a server that has
// gone silent shows within seconds. The workbook sets that, as
// new Server(httpServer, { pingInterval: 2000, pingTimeout: 2000 }) would.)
let connections = 0; // lives as long as the server does

io.on("connection", (socket) => {
  connections++;
  console.log("A user connected: connection", connections, "since the server started");
  socket.emit("welcome", connections);

  socket.on("disconnect", (reason) => {
    console.log("A user disconnected:", reason);
  });
});
