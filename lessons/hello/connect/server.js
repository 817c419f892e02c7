// The step's server in JavaScript. `io` is the step's Socket.IO server,
// made for you; in a Node project it comes from
//   const io = new Server(httpServer);   // import { Server } from "socket.io"

// What the server logs, in each language of the workbook.
const says = {
  en: { connected: "A user connected", disconnected: "A user disconnected" },
  es: { connected: "Un usuario se ha conectado", disconnected: "Un usuario se ha desconectado" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

// Runs once for every client that connects.
io.on("connection", (socket) => {
  const say = says[language(socket)];
  console.log(say.connected);

  // Runs once when this client leaves: page closed or reloaded,
  // network gone, or socket.disconnect() in the browser.
  socket.on("disconnect", () => {
    console.log(say.disconnected);
  });
});
