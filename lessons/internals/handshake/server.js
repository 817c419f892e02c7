// Logs each connection with its two ids, logs chat events, and answers add
// events through their ack.
io.on("connection", (socket) => {
  // Two ids: the Engine.IO session's (the open packet's sid), and the
  // socket's in the namespace (the sid of the 40 packet).
  console.log("A user connected: session", socket.conn.id, "socket", socket.id);

  socket.on("chat", (data) => {
    console.log("chat:", data);
  });

  // The client's callback comes last: calling it sends the ack.
  socket.on("add", (a, b, callback) => {
    if (typeof a !== "number" || typeof b !== "number" || typeof callback !== "function") {
      console.log("add needs two numbers and a callback");
      return;
    }
    console.log("add:", a, "+", b, "- the sum goes back in the ack");
    callback(a + b);
  });
});
