// Connection state recovery is a setting of the server, which this step
// turns on for you; in Node:
//   const io = new Server({ connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000 } });
//
// The server says whether each client is new or came back, and on "count"
// sends that client the numbers 1 to 10, one every half second, whether it
// is connected at the time or not.
io.on("connection", (socket) => {
  if (socket.recovered) {
    console.log("A user came back as", socket.id, "- the missed events went first");
  } else {
    console.log("A user connected as", socket.id);
  }

  let counting = false; // one count at a time
  socket.on("count", () => {
    if (counting) return;
    counting = true;
    const id = socket.id;
    console.log("Counting to 10 for", id);
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
    console.log("A user disconnected:", reason);
  });
});
