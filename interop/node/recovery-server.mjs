// The official socket.io server with connection state recovery on, serving
// the same events as `workbook testserver --recovery` on "/" and "/custom",
// so that recovery-client.mjs and sio/client check both servers alike.
//
// Usage:
//
//   node recovery-server.mjs --port N --recovery MS [--allow-eio3]
//
// Options: connectionStateRecovery {maxDisconnectionDuration: MS,
// skipMiddlewares: true}, pingInterval 300 ms, pingTimeout 2000 ms, cors "*";
// allowEIO3 with --allow-eio3 (socket.io-client 2.x, see v2-offsets.mjs).
// Prints `LISTENING <port>` once it accepts connections, and
// `GONE <namespace> <socket id> <reason>` when a socket is disconnected (its session,
// when recoverable, is kept by then). Exits 0 on SIGTERM or SIGINT.
//
// On "/" and "/custom" (each namespace acting on itself):
//   on connection          emit "auth" with socket.handshake.auth
//   "join" room, ack       join room, then ack(true)
//   "to" room, event, ...args, ack
//                          nsp.to(room).emit(event, ...args), then ack(true)
//   "rooms" ack            ack(the socket's rooms, sorted)
//   "message" ...args      emit "message-back" with the same args
//   "echo" x, ack          ack(x)
// On "/" also "bcast" ...args: io.emit("bcast", ...args), and ack(true) when
// asked, as the Go fixture does.

import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    recovery: { type: "string", default: "120000" },
    "allow-eio3": { type: "boolean", default: false },
  },
});

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: 300,
  pingTimeout: 2000,
  cors: { origin: "*" },
  allowEIO3: opts["allow-eio3"],
  connectionStateRecovery: {
    maxDisconnectionDuration: Number(opts.recovery),
    skipMiddlewares: true,
  },
});

const popAck = (args) => (typeof args[args.length - 1] === "function" ? args.pop() : () => {});

for (const name of ["/", "/custom"]) {
  const nsp = io.of(name);
  nsp.on("connection", (socket) => {
    socket.emit("auth", socket.handshake.auth);
    socket.on("disconnect", (reason) => console.log(`GONE ${name} ${socket.id} ${reason}`));
    socket.on("join", (room, ...rest) => {
      const ack = popAck(rest);
      socket.join(room);
      ack(true);
    });
    socket.on("to", (room, event, ...args) => {
      const ack = popAck(args);
      nsp.to(room).emit(event, ...args);
      ack(true);
    });
    socket.on("rooms", (...args) => popAck(args)([...socket.rooms].sort()));
    socket.on("message", (...args) => {
      popAck(args);
      socket.emit("message-back", ...args);
    });
    socket.on("echo", (...args) => popAck(args)(args[0]));
    if (name === "/") {
      socket.on("bcast", (...args) => {
        const ack = popAck(args);
        io.emit("bcast", ...args);
        ack(true);
      });
    }
  });
}

function shutdown() {
  io.close(() => process.exit(0));
  httpServer.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
httpServer.listen(Number(opts.port), "127.0.0.1", () => {
  console.log(`LISTENING ${httpServer.address().port}`);
});
