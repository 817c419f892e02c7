// Takes the bytes of a file event and answers with a digest event carrying
// their SHA-256, 32 bytes.
io.on("connection", (socket) => {
  socket.on("file", async (data) => {
    // A binary argument arrives as a Uint8Array (in Node, a Buffer, which
    // is one too).
    if (!(data instanceof Uint8Array)) {
      console.log("file needs bytes, got", data);
      return;
    }
    const text = Array.from(data, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : "\\x" + b.toString(16).padStart(2, "0"))).join("");
    console.log("Got", data.length, "bytes over", socket.conn.transport.name, "-", '"' + text + '"');

    // An ArrayBuffer (or a typed array) goes out as a binary attachment.
    const sum = await crypto.subtle.digest("SHA-256", data);
    socket.emit("digest", sum);
  });
});
