// Every client that connects to the default namespace, "/", makes
// everyone in it get "hi".

// io.on is short for io.of("/").on.
io.on("connection", (socket) => {
  console.log("someone connected to", socket.nsp.name);
  // io.emit is short for io.of("/").emit: everyone in "/".
  io.emit("hi", "Hello everyone!");

  // Events arrive in a namespace too: this socket is the client's socket
  // in "/", and hears only what the client emits there.
  socket.on("hi", (data) => {
    console.log("The client in", socket.nsp.name, "says:", data);
  });
});
