// Numbers the connections the server has seen since it started, tells each
// client its number, and logs why each one went away. (The step's server
// pings every 2 seconds and waits 2 more for the answer: a server that has
// gone silent shows within seconds. The workbook sets that, as
// new Server(httpServer, { pingInterval: 2000, pingTimeout: 2000 }) would.)
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected: connection", sinceStart: "since the server started", disconnected: "A user disconnected:" },
  es: { connected: "Un usuario se ha conectado: conexión", sinceStart: "desde que arrancó el servidor", disconnected: "Un usuario se ha desconectado:" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

let connections = 0; // lives as long as the server does

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  connections++;
  console.log(lines.connected, connections, lines.sinceStart);
  socket.emit("welcome", connections);

  socket.on("disconnect", (reason) => {
    console.log(lines.disconnected, reason);
  });
});
