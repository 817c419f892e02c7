// On "ask me" the server asks that client a question and waits 3 s at most
// for the answer; on "poll" it asks every client at once and gathers their
// answers, for 3 s at most.
// What the server asks and answers one client, in each language of the
// workbook.
const says = {
  en: { question: "What is 6 × 7?", answered: "you answered ", silent: "no answer within 3 s" },
  es: { question: "¿Cuánto es 6 × 7?", answered: "contestaste ", silent: "ninguna respuesta en 3 s" },
};
// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which comes with the handshake. English without one.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", asking: "Asking: what is 6 × 7?", noAnswer: "No answer within 3 s", answered: "The client answered", polling: "Polling every client", pollTimeout: "Poll: the timeout passed with", poll: "Poll:", answers: "answers" },
  es: { connected: "Un usuario se ha conectado", asking: "Preguntando: ¿cuánto es 6 × 7?", noAnswer: "Sin respuesta en 3 s", answered: "El cliente ha respondido", polling: "Preguntando a todos los clientes", pollTimeout: "Encuesta: el plazo ha pasado con", poll: "Encuesta:", answers: "respuestas" },
};

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);
  const say = says[language(socket)];

  // A function last asks the client for an answer; with timeout() it gets
  // an error first instead when none comes in time.
  socket.on("ask me", () => {
    console.log(lines.asking);
    socket.timeout(3000).emit("question", say.question, (err, answer) => {
      if (err) {
        console.log(lines.noAnswer);
        socket.emit("verdict", say.silent);
        return;
      }
      console.log(lines.answered, answer);
      socket.emit("verdict", say.answered + answer);
    });
  });

  // A broadcast that gathers every client's answer: the callback gets
  // them all in one array.
  socket.on("poll", () => {
    console.log(lines.polling);
    io.timeout(3000).emit("vote", "Tabs or spaces?", (err, answers) => {
      if (err) {
        console.log(lines.pollTimeout, answers.length, lines.answers);
      } else {
        console.log(lines.poll, answers.length, lines.answers);
      }
      socket.emit("results", { answers, complete: !err });
    });
  });
});
