// Four seconds after a client connects, the server emits a custom event,
// testerEvent, carrying an object.
// The event's description, in each language of the workbook.
const says = {
  en: "A custom event named testerEvent!",
  es: "¡Un evento propio llamado testerEvent!",
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", fromClient: "testerEvent from the client:", disconnected: "A user disconnected" },
  es: { connected: "Un usuario se ha conectado", fromClient: "testerEvent del cliente:", disconnected: "Un usuario se ha desconectado" },
};

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);

  const timer = setTimeout(() => {
    // Any name will do, and the data can be an object.
    socket.emit("testerEvent", { description: says[language(socket)] });
  }, 4000);

  // The same name works the other way: log what the client sends.
  socket.on("testerEvent", (data) => {
    console.log(lines.fromClient, data);
  });

  socket.on("disconnect", () => {
    clearTimeout(timer);
    console.log(lines.disconnected);
  });
});
