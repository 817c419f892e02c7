// On "ask me" the server asks that client a question and waits 3 s at most
// for the answer; on "poll" it asks every client at once and gathers their
// answers, for 3 s at most.
io.on("connection", (socket) => {
  console.log("A user connected");

  // A function last asks the client for an answer; with timeout() it gets
  // an error first instead when none comes in time.
  socket.on("ask me", () => {
    console.log("Asking: what is 6 × 7?");
    socket.timeout(3000).emit("question", "What is 6 × 7?", (err, answer) => {
      if (err) {
        console.log("No answer within 3 s");
        socket.emit("verdict", "no answer within 3 s");
        return;
      }
      console.log("The client answered", answer);
      socket.emit("verdict", "you answered " + answer);
    });
  });

  // A broadcast that gathers every client's answer: the callback gets
  // them all in one array.
  socket.on("poll", () => {
    console.log("Polling every client");
    io.timeout(3000).emit("vote", "Tabs or spaces?", (err, answers) => {
      if (err) {
        console.log("Poll: the timeout passed with", answers.length, "answers");
      } else {
        console.log("Poll:", answers.length, "answers");
      }
      socket.emit("results", { answers, complete: !err });
    });
  });
});
