// Every client that connects to the namespace /my-namespace makes everyone
// in that namespace get "hi".

// What the server says, in each language of the workbook.
const says = {
  en: { connected: "someone connected to", hi: "Hello everyone!" },
  es: { connected: "alguien se ha conectado a", hi: "¡Hola a todos!" },
};
// The learner's language, from the "wb_lang" cookie of the handshake
// (English without one). Your server serves your clients only, so they all
// read one language: a broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

// A namespace of our own. Clients join it with io("/my-namespace").
const nsp = io.of("/my-namespace");
nsp.on("connection", (socket) => {
  const say = says[language(socket)];
  console.log(say.connected, socket.nsp.name);
  // nsp.emit: everyone in /my-namespace, and nobody else.
  nsp.emit("hi", say.hi);
});

// The default namespace is still there, with handlers of its own.
io.on("connection", (socket) => {
  console.log(says[language(socket)].connected, socket.nsp.name);
});
