// The official socket.io server with the official Admin UI server side
// (@socket.io/admin-ui's instrument), for sio/admin's comparison test
// (sio/admin/node_test.go): the same UI client talks to it and to ours.
//
// Usage:
//
//   node admin-server.mjs --port N    (N = 0 picks a free port)
//
// Listens on 127.0.0.1:N and prints `LISTENING <port>` once it accepts
// connections. instrument() runs with auth false, serverId "node", in
// development mode. Namespace "/": a socket joins "lobby" on connection;
// "hello" x, ack: emits "welcome" x, then ack("ok").

import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { instrument } from "@socket.io/admin-ui";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });

const httpServer = createServer();
const io = new Server(httpServer, { cors: { origin: true, credentials: true } });
instrument(io, { auth: false, serverId: "node", mode: "development" });

io.on("connection", (socket) => {
  socket.join("lobby");
  socket.on("hello", (x, ack) => {
    socket.emit("welcome", x);
    if (typeof ack === "function") ack("ok");
  });
});

httpServer.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`LISTENING ${httpServer.address().port}`);
});

const stop = () => {
  io.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
