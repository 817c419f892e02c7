// add answers with the sum, or with an error when it did not get two
// numbers; slow answers two seconds late.
// The answers' words, in each language of the workbook.
const says = {
  en: { needNumbers: "add needs two numbers", late: "done, 2 s later" },
  es: { needNumbers: "add necesita dos números", late: "hecho, 2 s después" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", badAdd: "add needs two numbers", slow: "slow: the answer leaves in 2 s" },
  es: { connected: "Un usuario se ha conectado", badAdd: "add necesita dos números", slow: "slow: la respuesta sale en 2 s" },
};

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);
  const say = says[language(socket)];

  // The client's callback comes last: calling it sends the answer.
  socket.on("add", (a, b, callback) => {
    if (typeof callback !== "function") return; // nobody to answer
    if (typeof a !== "number" || typeof b !== "number") {
      console.log(lines.badAdd);
      callback({ error: say.needNumbers });
      return;
    }
    console.log("add:", a, "+", b);
    callback({ sum: a + b });
  });

  // A callback may be called later: here, after 2 s.
  socket.on("slow", (callback) => {
    console.log(lines.slow);
    setTimeout(() => callback(say.late), 2000);
  });
});
