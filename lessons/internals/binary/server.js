// Takes the bytes of a file event and answers with a digest event carrying
// their SHA-256, 32 bytes.
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { notBytes: "file needs bytes, got", got: "Got", bytesOver: "bytes over" },
  es: { notBytes: "file necesita bytes, y llega", got: "Llegan", bytesOver: "bytes por" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  socket.on("file", async (data) => {
    // A binary argument arrives as a Uint8Array (in Node, a Buffer, which
    // is one too).
    if (!(data instanceof Uint8Array)) {
      console.log(lines.notBytes, data);
      return;
    }
    const text = Array.from(data, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : "\\x" + b.toString(16).padStart(2, "0"))).join("");
    console.log(lines.got, data.length, lines.bytesOver, socket.conn.transport.name, "-", '"' + text + '"');

    // An ArrayBuffer (or a typed array) goes out as a binary attachment.
    const sum = await crypto.subtle.digest("SHA-256", data);
    socket.emit("digest", sum);
  });
});
