// Four seconds after a client connects, the server sends it a message.
// The message, in each language of the workbook.
const says = {
  en: "Sent a message 4 seconds after connection!",
  es: "¡Mensaje enviado 4 segundos después de conectar!",
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", clientSays: "The client says:", disconnected: "A user disconnected" },
  es: { connected: "Un usuario se ha conectado", clientSays: "El cliente dice:", disconnected: "Un usuario se ha desconectado" },
};

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);

  // socket.send emits the event named "message".
  const timer = setTimeout(() => {
    socket.send(says[language(socket)]);
  }, 4000);

  // Messages can go the other way too.
  socket.on("message", (data) => {
    console.log(lines.clientSays, data);
  });

  socket.on("disconnect", () => {
    clearTimeout(timer); // no message for a client that has left
    console.log(lines.disconnected);
  });
});
