// Connection state recovery is a setting of the server, which this step
// turns on for you; in Node:
//   const io = new Server({ connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000 } });
//
// The server says whether each client is new or came back, and on "count"
// sends that client the numbers 1 to 10, one every half second, whether it
// is connected at the time or not.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { back: "A user came back as", missedFirst: "- the missed events went first", connected: "A user connected as", counting: "Counting to 10 for", disconnected: "A user disconnected:" },
  es: { back: "Un usuario ha vuelto como", missedFirst: "- los eventos perdidos han llegado primero", connected: "Un usuario se ha conectado como", counting: "Contando hasta 10 para", disconnected: "Un usuario se ha desconectado:" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  if (socket.recovered) {
    console.log(lines.back, socket.id, lines.missedFirst);
  } else {
    console.log(lines.connected, socket.id);
  }

  let counting = false; // one count at a time
  socket.on("count", () => {
    if (counting) return;
    counting = true;
    const id = socket.id;
    console.log(lines.counting, id);
    for (let i = 1; i <= 10; i++) {
      setTimeout(() => {
        // To the socket's own room, not socket.emit: a number sent while
        // the connection is down waits in the server's log of packets for
        // it to come back.
        io.to(id).emit("number", i);
        if (i === 10) counting = false;
      }, i * 500);
    }
  });

  socket.on("disconnect", (reason) => {
    console.log(lines.disconnected, reason);
  });
});
