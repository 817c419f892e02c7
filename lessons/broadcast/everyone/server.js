// Whenever a client connects or leaves, every client connected gets the
// number of clients connected.

// What the server says, in each language of the workbook.
const says = {
  en: { connected: "A user connected.", disconnected: "A user disconnected.", one: "1 client connected!", many: (n) => n + " clients connected!" },
  es: { connected: "Un usuario se ha conectado.", disconnected: "Un usuario se ha desconectado.", one: "¡1 cliente conectado!", many: (n) => "¡" + n + " clientes conectados!" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
// Your server serves your clients only, so they all read one language: a
// broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

let clients = 0;

io.on("connection", (socket) => {
  const lang = language(socket);
  clients++;
  let description = clientsConnected(clients, lang);
  console.log(says[lang].connected, description);
  // io.emit: to every client connected, the new one included.
  // (The tutorial's io.sockets.emit is the same call under its 0.9-era name.)
  io.emit("broadcast", { description });

  socket.on("disconnect", () => {
    clients--;
    description = clientsConnected(clients, lang);
    console.log(says[lang].disconnected, description);
    // This client is gone already: all the others hear it.
    io.emit("broadcast", { description });
  });
});

// clientsConnected says how many clients are connected, in lang: "1 client
// connected!", "2 clients connected!".
function clientsConnected(n, lang) {
  return n === 1 ? says[lang].one : says[lang].many(n);
}
