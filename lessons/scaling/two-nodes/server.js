// One node of two: the workbook runs this file twice, as node A and node
// B, each with the Redis adapter on the same Redis (in Node:
// io.adapter(createAdapter(pubClient, subClient))). Nothing here knows
// about the other node: io.emit and io.to(room).emit go through Redis.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", joined: "joined", noRedis: "nodes: no answer from Redis:", nodes: "Nodes in the cluster:" },
  es: { connected: "Un usuario se ha conectado", joined: "ha entrado en", noRedis: "nodes: Redis no responde:", nodes: "Nodos en el clúster:" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);

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
    console.log(lines.joined, room);
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
      console.log(lines.nodes, n);
      callback({ nodes: n });
    } catch (err) {
      console.log(lines.noRedis, err.message);
      callback({ error: err.message });
    }
  });
});
