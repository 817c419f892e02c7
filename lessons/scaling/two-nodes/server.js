// One node of two: the workbook runs this file twice, as node A and node
// B, each with the Redis adapter on the same Redis (in Node:
// io.adapter(createAdapter(pubClient, subClient))). Nothing here knows
// about the other node: io.emit and io.to(room).emit go through Redis.
io.on("connection", (socket) => {
  console.log("A user connected");

  // To every client of every node.
  socket.on("chat message", (msg) => {
    if (typeof msg !== "string") return;
    console.log("message:", msg);
    io.emit("chat message", msg);
  });

  // A room lives on every node.
  socket.on("join", (room) => {
    if (typeof room !== "string" || room === "") return;
    socket.join(room);
    console.log("joined", room);
  });
  socket.on("news", (msg) => {
    if (typeof msg !== "string") return;
    console.log("news:", msg);
    io.to("news").emit("news", msg);
  });

  // How many nodes share the adapter: Redis counts the subscribers of the
  // cluster's request channel.
  socket.on("nodes", async (callback) => {
    if (typeof callback !== "function") return;
    try {
      const n = await io.of("/").adapter.serverCount();
      console.log("Nodes in the cluster:", n);
      callback({ nodes: n });
    } catch (err) {
      console.log("nodes: no answer from Redis:", err.message);
      callback({ error: err.message });
    }
  });
});
