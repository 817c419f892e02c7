// A middleware lets in only the clients that bring the right token, and
// refuses the others with a reason and a hint. A client that asks to be
// kicked out is disconnected by the server.
io.use((socket, next) => {
  const token = socket.handshake.auth.token;
  if (token !== "open sesame") {
    console.log("Refused a client with the token", token ?? "");
    const err = new Error("not authorized");
    // err.data reaches the client with the connect_error.
    err.data = { hint: 'connect with io({ auth: { token: "open sesame" } })' };
    next(err);
    return;
  }
  next();
});

io.on("connection", (socket) => {
  console.log("A user connected with the right token");
  socket.emit("welcome", "You are in!");

  socket.on("kickMe", () => {
    console.log("Kicking a user out, as asked");
    socket.disconnect();
  });
  socket.on("disconnect", (reason) => {
    console.log("A user disconnected:", reason);
  });
});
