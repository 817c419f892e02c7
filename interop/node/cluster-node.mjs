// One node of a Socket.IO cluster on Redis, built on the OFFICIAL packages:
// socket.io with @socket.io/redis-adapter (classic Pub/Sub mode, default key
// "socket.io") on the `redis` client. `workbook testserver --redis URL`
// implements the very same contract, so that our nodes and these serve one
// cluster in the mixed tests (sio/redisadapter).
//
// Usage:
//
//   node cluster-node.mjs --port N --redis redis://127.0.0.1:PORT \
//        [--ping-interval MS] [--ping-timeout MS]
//
// The heartbeat is 300 ms / 1000 ms unless given (scripts/compare-cluster.sh
// gives the load tests' 25 s / 20 s).
// Listens on 127.0.0.1:N (0 picks a free port) and prints one line
// `LISTENING <port>` once it accepts connections and its adapter has
// subscribed. On SIGTERM or SIGINT it closes and exits 0.
//
// An extra mode publishes with the OFFICIAL @socket.io/redis-emitter and
// exits:
//
//   node cluster-node.mjs --emit --redis URL [--room R] EVENT JSON-ARGS...
//
// CONTRACT (namespace "/"; every handler answers with the ack callback when
// the client passes one):
//   on connection            emit "auth" with the handshake auth;
//   "message" ...args        emit "message-back" ...args
//   "join" room              socket.join(room); ack(true)
//   "leave" room             socket.leave(room); ack(true)
//   "to" room, event, ...a   io.to(room).emit(event, ...a); ack(true)
//   "except" room, ev, ...a  io.except(room).emit(ev, ...a); ack(true)
//   "bcast" ...args          io.emit("bcast", ...args); ack(true)
//   "fetch" room             ack(ids of io.in(room).fetchSockets(), sorted)
//   "remote-join" room, r    io.in(room).socketsJoin(r); ack(true)
//   "remote-leave" room, r   io.in(room).socketsLeave(r); ack(true)
//   "remote-disconnect" room io.in(room).disconnectSockets(true); ack(true)
//   "bcast-ack" room, event  io.to(room).timeout(2000).emit(event, cb);
//                            ack(the responses, sorted)
//   "sse" tag                io.serverSideEmit("sse", tag, cb);
//                            ack(the responses, sorted)
//   "server-count"           ack(await io.of("/").adapter.serverCount())
// and a server-side "sse" tag, cb is answered with cb("<addr>:<tag>"),
// addr being 127.0.0.1:<port>.

import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";

const { values: opts, positionals } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    redis: { type: "string" },
    emit: { type: "boolean", default: false },
    room: { type: "string" },
    "ping-interval": { type: "string", default: "300" },
    "ping-timeout": { type: "string", default: "1000" },
  },
  allowPositionals: true,
});
if (!opts.redis) {
  console.error("cluster-node: --redis URL is required");
  process.exit(2);
}

if (opts.emit) {
  const client = createClient({ url: opts.redis });
  await client.connect();
  let emitter = new Emitter(client);
  if (opts.room) emitter = emitter.to(opts.room);
  const [event, ...args] = positionals;
  emitter.emit(event, ...args.map((a) => JSON.parse(a)));
  // Binary and unicode travel too: a Buffer as the last argument when asked.
  await new Promise((r) => setTimeout(r, 100)); // let the PUBLISH go out
  await client.quit();
  console.log("EMITTED");
  process.exit(0);
}

const pubClient = createClient({ url: opts.redis });
const subClient = pubClient.duplicate();
for (const c of [pubClient, subClient]) {
  c.on("error", (err) => console.error(`cluster-node: redis: ${err.message}`));
}
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: Number(opts["ping-interval"]),
  pingTimeout: Number(opts["ping-timeout"]),
  cors: { origin: "*" },
  adapter: createAdapter(pubClient, subClient),
});

function popAck(args) {
  return typeof args[args.length - 1] === "function" ? args.pop() : () => {};
}
const byString = (a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

let addr = "";
io.on("sse", (tag, cb) => cb(`${addr}:${tag}`));

io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  socket.on("join", (room, ...rest) => { socket.join(room); popAck(rest)(true); });
  socket.on("leave", (room, ...rest) => { socket.leave(room); popAck(rest)(true); });
  socket.on("to", (...args) => {
    const ack = popAck(args);
    const [room, event, ...a] = args;
    io.to(room).emit(event, ...a);
    ack(true);
  });
  socket.on("except", (...args) => {
    const ack = popAck(args);
    const [room, event, ...a] = args;
    io.except(room).emit(event, ...a);
    ack(true);
  });
  socket.on("bcast", (...args) => {
    const ack = popAck(args);
    io.emit("bcast", ...args);
    ack(true);
  });
  socket.on("fetch", async (room, ...rest) => {
    const ack = popAck(rest);
    const socks = await io.in(room).fetchSockets().catch(() => []);
    ack(socks.map((s) => s.id).sort());
  });
  socket.on("remote-join", (room, r, ...rest) => { io.in(room).socketsJoin(r); popAck(rest)(true); });
  socket.on("remote-leave", (room, r, ...rest) => { io.in(room).socketsLeave(r); popAck(rest)(true); });
  socket.on("remote-disconnect", (room, ...rest) => { io.in(room).disconnectSockets(true); popAck(rest)(true); });
  socket.on("bcast-ack", (room, event, ...rest) => {
    const ack = popAck(rest);
    io.to(room).timeout(2000).emit(event, (err, responses) => ack([...(responses || [])].sort(byString)));
  });
  socket.on("sse", (tag, ...rest) => {
    const ack = popAck(rest);
    io.serverSideEmit("sse", tag, (err, responses) => ack([...(responses || [])].sort(byString)));
  });
  socket.on("server-count", async (...rest) => {
    const ack = popAck(rest);
    ack(await io.of("/").adapter.serverCount());
  });
});

function shutdown() {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

httpServer.on("error", (err) => {
  console.error(`cluster-node: ${err.message}`);
  process.exit(1);
});
httpServer.listen(Number(opts.port), "127.0.0.1", () => {
  addr = `127.0.0.1:${httpServer.address().port}`;
  console.log(`LISTENING ${httpServer.address().port}`);
});
