// A client that connects is welcomed, and every other client gets the new
// number of clients; when a client leaves, the others get the number again.

// What the server says, in each language of the workbook.
const says = {
  en: {
    connected: "A user connected.", disconnected: "A user disconnected.", welcome: "Hey, welcome!",
    one: "1 client connected!", many: (n) => n + " clients connected!",
  },
  es: {
    connected: "Un usuario se ha conectado.", disconnected: "Un usuario se ha desconectado.", welcome: "¡Hola, te damos la bienvenida!",
    one: "¡1 cliente conectado!", many: (n) => "¡" + n + " clientes conectados!",
  },
};
// The learner's language, from the "wb_lang" cookie of the handshake
// (English without one). Your server serves your clients only, so they all
// read one language: a broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

let clients = 0;

io.on("connection", (socket) => {
  const lang = language(socket);
  clients++;
  console.log(says[lang].connected, clientsConnected(clients, lang));
  // socket.emit: to this client only.
  socket.emit("newclientconnect", { description: says[lang].welcome });
  // socket.broadcast.emit: to every client but this one.
  socket.broadcast.emit("newclientconnect", { description: clientsConnected(clients, lang) });

  socket.on("disconnect", () => {
    clients--;
    console.log(says[lang].disconnected, clientsConnected(clients, lang));
    socket.broadcast.emit("newclientconnect", { description: clientsConnected(clients, lang) });
  });
});

// clientsConnected says how many clients are connected, in lang: "1 client
// connected!", "2 clients connected!".
function clientsConnected(n, lang) {
  return n === 1 ? says[lang].one : says[lang].many(n);
}
