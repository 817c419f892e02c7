// Logs each connection with its two ids, logs chat events, and answers add
// events through their ack.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected: session", badAdd: "add needs two numbers and a callback", sumBack: "- the sum goes back in the ack" },
  es: { connected: "Un usuario se ha conectado: sesión", badAdd: "add necesita dos números y un callback", sumBack: "- la suma vuelve en el ack" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  // Two ids: the Engine.IO session's (the open packet's sid), and the
  // socket's in the namespace (the sid of the 40 packet).
  console.log(lines.connected, socket.conn.id, "socket", socket.id);

  socket.on("chat", (data) => {
    console.log("chat:", data);
  });

  // The client's callback comes last: calling it sends the ack.
  socket.on("add", (a, b, callback) => {
    if (typeof a !== "number" || typeof b !== "number" || typeof callback !== "function") {
      console.log(lines.badAdd);
      return;
    }
    console.log("add:", a, "+", b, lines.sumBack);
    callback(a + b);
  });
});
