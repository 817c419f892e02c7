// Logs the debug pattern each client says it runs with, and answers a
// debugMe event by sending its data back as debugged, so that both sides
// have something to trace.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { noPattern: "A user connected without a debug pattern", pattern: "A user connected with the debug pattern", fromClient: "debugMe from the client:" },
  es: { noPattern: "Un usuario se ha conectado sin patrón de depuración", pattern: "Un usuario se ha conectado con el patrón de depuración", fromClient: "debugMe del cliente:" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  const pattern = socket.handshake.auth.debug;
  if (!pattern) {
    console.log(lines.noPattern);
  } else {
    console.log(lines.pattern, pattern);
  }

  socket.on("debugMe", (data) => {
    console.log(lines.fromClient, data);
    socket.emit("debugged", data);
  });
});
