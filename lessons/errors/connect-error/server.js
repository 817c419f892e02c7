// A middleware lets in only the clients that bring the right token, and
// refuses the others with a reason and a hint. A client that asks to be
// kicked out is disconnected by the server.
// What the server tells a client, in each language of the workbook.
const says = {
  en: { refused: "not authorized", hint: 'connect with io({ auth: { token: "open sesame" } })', welcome: "You are in!" },
  es: { refused: "no autorizado", hint: 'conéctate con io({ auth: { token: "open sesame" } })', welcome: "¡Estás dentro!" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { refused: "Refused a client with the token", connected: "A user connected with the right token", kicking: "Kicking a user out, as asked", disconnected: "A user disconnected:" },
  es: { refused: "Rechazado un cliente con el token", connected: "Un usuario se ha conectado con el token correcto", kicking: "Echando a un usuario, como ha pedido", disconnected: "Un usuario se ha desconectado:" },
};

io.use((socket, next) => {
  const lines = logLines[language(socket)];
  const token = socket.handshake.auth.token;
  if (token !== "open sesame") {
    console.log(lines.refused, token ?? "");
    const say = says[language(socket)];
    const err = new Error(say.refused);
    // err.data reaches the client with the connect_error.
    err.data = { hint: say.hint };
    next(err);
    return;
  }
  next();
});

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);
  socket.emit("welcome", says[language(socket)].welcome);

  socket.on("kickMe", () => {
    console.log(lines.kicking);
    socket.disconnect();
  });
  socket.on("disconnect", (reason) => {
    console.log(lines.disconnected, reason);
  });
});
