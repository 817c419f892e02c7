// Logs the transport each client started with, and the one the server sees
// it on once the client says it has upgraded.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { the: "The", connectedOver: "client connected over", upgraded: "client upgraded: the server now sees it on" },
  es: { the: "El cliente", connectedOver: "se ha conectado por", upgraded: "ha cambiado de transporte: el servidor ahora lo ve en" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  // The client names itself in auth, only so that the log can say which
  // of the page's three clients this is.
  const name = socket.handshake.auth.name;

  // The transport of the handshake request (?transport=...), the one the
  // client started with.
  const first = socket.handshake.query.transport;
  console.log(lines.the, name, lines.connectedOver, first);

  // socket.conn.transport.name is the transport the socket is on now.
  socket.on("upgraded", () => {
    console.log(lines.the, name, lines.upgraded, socket.conn.transport.name);
  });
});
