// Every client that connects to the namespace /my-namespace makes everyone
// in that namespace get "hi".

// A namespace of our own. Clients join it with io("/my-namespace").
const nsp = io.of("/my-namespace");
nsp.on("connection", (socket) => {
  console.log("someone connected to", socket.nsp.name);
  // nsp.emit: everyone in /my-namespace, and nobody else.
  nsp.emit("hi", "Hello everyone!");
});

// The default namespace is still there, with handlers of its own.
io.on("connection", (socket) => {
  console.log("someone connected to", socket.nsp.name);
});
