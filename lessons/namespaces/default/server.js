// Every client that connects to the default namespace, "/", makes
// everyone in it get "hi".

// What the server says, in each language of the workbook.
const says = {
  en: { connected: "someone connected to", clientIn: "The client in", says: "says:", hi: "Hello everyone!" },
  es: { connected: "alguien se ha conectado a", clientIn: "El cliente de", says: "dice:", hi: "¡Hola a todos!" },
};
// The learner's language, from the "wb_lang" cookie of the handshake
// (English without one). Your server serves your clients only, so they all
// read one language: a broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

// io.on is short for io.of("/").on.
io.on("connection", (socket) => {
  const say = says[language(socket)];
  console.log(say.connected, socket.nsp.name);
  // io.emit is short for io.of("/").emit: everyone in "/".
  io.emit("hi", say.hi);

  // Events arrive in a namespace too: this socket is the client's socket
  // in "/", and hears only what the client emits there.
  socket.on("hi", (data) => {
    console.log(say.clientIn, socket.nsp.name, say.says, data);
  });
});
