// add answers with the sum, or with an error when it did not get two
// numbers; slow answers two seconds late.
io.on("connection", (socket) => {
  console.log("A user connected");

  // The client's callback comes last: calling it sends the answer.
  socket.on("add", (a, b, callback) => {
    if (typeof callback !== "function") return; // nobody to answer
    if (typeof a !== "number" || typeof b !== "number") {
      console.log("add needs two numbers");
      callback({ error: "add needs two numbers" });
      return;
    }
    console.log("add:", a, "+", b);
    callback({ sum: a + b });
  });

  // A callback may be called later: here, after 2 s.
  socket.on("slow", (callback) => {
    console.log("slow: the answer leaves in 2 s");
    setTimeout(() => callback("done, 2 s later"), 2000);
  });
});
