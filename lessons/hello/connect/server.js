// The step's server in JavaScript. `io` is the step's Socket.IO server,
// made for you; in a Node project it comes from
//   const io = new Server(httpServer);   // import { Server } from "socket.io"

// Runs once for every client that connects.
io.on("connection", (socket) => {
  console.log("A user connected");

  // Runs once when this client leaves: page closed or reloaded,
  // network gone, or socket.disconnect() in the browser.
  socket.on("disconnect", () => {
    console.log("A user disconnected");
  });
});
