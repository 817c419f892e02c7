// Reference fixture server for the interop tests, built on the OFFICIAL
// `socket.io` npm package. The Go fixture (our own server) implements the very
// same contract, so every scenario in scenarios.mjs must pass against both.
//
// Usage:
//
//   node fixture-server.mjs --port N     (N = 0 picks a free port)
//        [--ping-interval MS --ping-timeout MS]   (300 and 1000 by default)
//        [--allow-eio3]   (accept socket.io-client 2.x, as allowEIO3: true)
//
// Listens on 127.0.0.1:N and prints exactly one line `LISTENING <port>` on
// stdout once it accepts connections. On SIGTERM or SIGINT it closes every
// connection and the listener, prints `CLOSED`, and exits 0.
//
// ---------------------------------------------------------------------------
// CONTRACT (keep in sync with the Go fixture)
// ---------------------------------------------------------------------------
//
// Server options: path "/socket.io", pingInterval 300 ms, pingTimeout 1000 ms,
// connectTimeout 1000 ms, maxHttpBufferSize 10000 bytes (small on purpose: the
// oversized-message scenario sends 20000 bytes), cors origin "*", connection
// state recovery off, everything else at its default.
//
// Every server-side disconnect, in every namespace, is recorded in a map
// socket id -> disconnect reason (the string the server's "disconnect" event
// gives, e.g. "client namespace disconnect", "ping timeout"). Entries are
// never removed.
//
// Namespace "/":
//   on connection           emit "auth" with socket.handshake.auth ({} when
//                           the CONNECT carried no payload)
//   "message" ...args       emit "message-back" with the same args (binary
//                           included)
//   "message-with-ack" ...args, ack
//                           ack(...args)
//   "echo" x, ack           ack(x)
//   "bcast" ...args         emit "bcast" with the same args to every socket
//                           of "/" (sender included)
//   "join" room, ack        join room, then ack(true)
//   "to" room, event, ...args, ack
//                           emit event ...args to every socket of "/" in
//                           room, then ack(true)
//   "rooms" ack             ack(the socket's rooms, sorted)
//   "leave" room, ack       leave room, then ack(true)
//   "to-room" room, ...args emit "room-msg" ...args to every socket of "/" in
//                           room, except the sender
//   "to-room-all" room, ...args
//                           emit "room-msg" ...args to every socket of "/" in
//                           room, sender included if it is a member
//   "except-room" room, ...args
//                           emit "except-msg" ...args to every socket of "/"
//                           NOT in room (sender included if not a member)
//   "server-disconnect"     disconnect this socket from "/" (sends DISCONNECT,
//                           reason "server namespace disconnect"), the
//                           underlying connection stays open
//   "server-close"          disconnect this socket and close the whole
//                           underlying connection (socket.disconnect(true))
//   "ask" value             emit "question" value with an ack and a 1000 ms
//                           timeout; when the client acks with `answer`, emit
//                           "answer" answer; on timeout emit "answer" with the
//                           error message "operation has timed out"
//   "ask-silent"            emit "question-silent" (no args) with an ack and a
//                           200 ms timeout; emit "answer" with
//                           "operation has timed out" on timeout, or
//                           "no error" if the client acked
//   "get-binary" ack        ack(<01 02 03>, {nested: {data: <04 05>},
//                           list: [<06>]}) where <..> are binary attachments
//   "reason-of" id, ack     ack(recorded disconnect reason of socket `id`, or
//                           null when that socket has not disconnected / is
//                           unknown)
//   "count" ack             ack(number of sockets currently connected to "/")
//   "ask-all" ack           emit "poll" (no args) with an ack to every socket
//                           of "/" with a 1000 ms timeout; then ack(array of
//                           the answers received, sorted; answers are
//                           strings, compared by UTF-16 code units). If some
//                           clients did not answer in time, ack with the
//                           answers that did arrive.
//   "handshake" ack         ack({query: handshake.query (all query params of
//                           the first HTTP request, EIO/transport/t included),
//                           headers: {"x-test": value of the x-test request
//                           header of the first request, or null},
//                           address: remote IP of the first request})
//   any other event         ignored (never acked)
//
// Namespace "/custom":
//   on connection           emit "auth" with socket.handshake.auth
//   "join", "to", "rooms"   as on "/", acting on "/custom"
//
// Namespace "/admin":
//   middleware              if handshake.auth.token !== "secret", refuse with
//                           CONNECT_ERROR {message: "not authorized",
//                           data: {reason: "bad token"}}
//   on connection           emit "welcome" with "admin"
//
// Dynamic namespaces matching /^\/dyn-[a-z0-9]+$/:
//   on connection           emit "nsp" with the namespace name (e.g.
//                           "/dyn-abc1")
//
// Any other namespace: CONNECT_ERROR {message: "Invalid namespace"}.
// ---------------------------------------------------------------------------

import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    // For load measurements (workbook load): the heartbeat of a real server.
    "ping-interval": { type: "string", default: "300" },
    "ping-timeout": { type: "string", default: "1000" },
    "allow-eio3": { type: "boolean", default: false },
  },
});
const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fixture-server: bad --port ${opts.port}`);
  process.exit(2);
}

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: Number(opts["ping-interval"]),
  pingTimeout: Number(opts["ping-timeout"]), // 1000 by default: a starved test machine must not miss pongs
  connectTimeout: 1000,
  maxHttpBufferSize: 10000,
  cors: { origin: "*" },
  allowEIO3: opts["allow-eio3"],
});

/** socket id -> server-side disconnect reason, for "reason-of". */
const reasons = new Map();

function recordReason(socket) {
  socket.on("disconnect", (reason) => {
    reasons.set(socket.id, reason);
  });
}

/** Returns the trailing ack function of args, or a no-op when there is none. */
function popAck(args) {
  return typeof args[args.length - 1] === "function" ? args.pop() : () => {};
}

/** "join", "to" and "rooms": each namespace acting on itself. */
function roomEvents(socket) {
  socket.on("join", (room, ...rest) => {
    const ack = popAck(rest);
    socket.join(room);
    ack(true);
  });
  socket.on("to", (room, event, ...args) => {
    const ack = popAck(args);
    socket.nsp.to(room).emit(event, ...args);
    ack(true);
  });
  socket.on("rooms", (...args) => {
    const ack = popAck(args);
    ack([...socket.rooms].sort());
  });
}

io.on("connection", (socket) => {
  recordReason(socket);
  socket.emit("auth", socket.handshake.auth);
  roomEvents(socket);

  socket.on("message", (...args) => {
    popAck(args);
    socket.emit("message-back", ...args);
  });

  socket.on("message-with-ack", (...args) => {
    const ack = popAck(args);
    ack(...args);
  });

  socket.on("echo", (...args) => {
    const ack = popAck(args);
    ack(args[0]);
  });

  socket.on("bcast", (...args) => {
    popAck(args);
    io.emit("bcast", ...args);
  });

  socket.on("leave", (room, ...rest) => {
    const ack = popAck(rest);
    socket.leave(room);
    ack(true);
  });

  socket.on("to-room", (room, ...args) => {
    popAck(args);
    socket.to(room).emit("room-msg", ...args);
  });

  socket.on("to-room-all", (room, ...args) => {
    popAck(args);
    io.to(room).emit("room-msg", ...args);
  });

  socket.on("except-room", (room, ...args) => {
    popAck(args);
    io.except(room).emit("except-msg", ...args);
  });

  socket.on("server-disconnect", () => {
    socket.disconnect();
  });

  socket.on("server-close", () => {
    socket.disconnect(true);
  });

  socket.on("ask", (value) => {
    socket.timeout(1000).emit("question", value, (err, answer) => {
      socket.emit("answer", err ? err.message : answer);
    });
  });

  socket.on("ask-silent", () => {
    socket.timeout(200).emit("question-silent", (err) => {
      socket.emit("answer", err ? err.message : "no error");
    });
  });

  socket.on("get-binary", (...args) => {
    const ack = popAck(args);
    ack(Buffer.from([1, 2, 3]), {
      nested: { data: Buffer.from([4, 5]) },
      list: [Buffer.from([6])],
    });
  });

  socket.on("reason-of", (id, ...rest) => {
    const ack = popAck(rest);
    ack(reasons.has(id) ? reasons.get(id) : null);
  });

  socket.on("count", (...args) => {
    const ack = popAck(args);
    ack(io.of("/").sockets.size);
  });

  socket.on("ask-all", (...args) => {
    const ack = popAck(args);
    io.timeout(1000).emit("poll", (_err, responses) => {
      // On timeout _err is set and responses holds the answers that arrived.
      ack([...(responses ?? [])].sort());
    });
  });

  socket.on("handshake", (...args) => {
    const ack = popAck(args);
    const h = socket.handshake;
    ack({
      query: h.query,
      headers: { "x-test": h.headers["x-test"] ?? null },
      address: h.address,
    });
  });
});

io.of("/custom").on("connection", (socket) => {
  recordReason(socket);
  socket.emit("auth", socket.handshake.auth);
  roomEvents(socket);
});

const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth?.token !== "secret") {
    const err = new Error("not authorized");
    err.data = { reason: "bad token" };
    return next(err);
  }
  next();
});
admin.on("connection", (socket) => {
  recordReason(socket);
  socket.emit("welcome", "admin");
});

io.of(/^\/dyn-[a-z0-9]+$/).on("connection", (socket) => {
  recordReason(socket);
  socket.emit("nsp", socket.nsp.name);
});

let closing = false;
function shutdown(signal) {
  if (closing) return;
  closing = true;
  // Do not wait for idle keep-alive connections longer than needed.
  const force = setTimeout(() => {
    console.error(`fixture-server: forced exit after ${signal}`);
    process.exit(0);
  }, 2000);
  force.unref();
  io.close(() => {
    console.log("CLOSED");
    process.exit(0);
  });
  httpServer.closeAllConnections?.();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

httpServer.on("error", (err) => {
  console.error(`fixture-server: ${err.message}`);
  process.exit(1);
});
httpServer.listen(port, "127.0.0.1", () => {
  console.log(`LISTENING ${httpServer.address().port}`);
});
