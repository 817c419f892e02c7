// An OFFICIAL `socket.io-client` that waits to be acted on, for the tests of
// the inspector's actions (inspector/web act, workbook proxy's injection):
// it connects, answers every event that asks for an ack, and says what
// happens to it.
//
// Usage:
//
//   node act-client.mjs --url http://127.0.0.1:PORT [--nsp /custom] [--path /socket.io/] [--transports polling,websocket] [--v2]
//
// With --v2 the client is socket.io-client 2.5.0 (Engine.IO v3), which the
// target must accept (sio's AllowEIO3).
//
// It prints, one per line:
//   READY <engine session id> <transport>    once connected (and upgraded, with two transports)
//   EVENT <name> <json of the arguments>      for every event received
//   DISCONNECT <reason>                       when the socket disconnects; then it exits 0
// An event with an ack is answered with {"got": <name>, "args": [...]}; the
// event "want-binary" is answered with a Buffer, [1, 2, 3] (a BINARY_ACK).
// It exits 1 on a connect_error, and after 60 s in any case.

import { parseArgs } from "node:util";
import { io } from "socket.io-client";
import ioV2 from "socket.io-client-v2";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    nsp: { type: "string", default: "/" },
    path: { type: "string", default: "/socket.io/" },
    transports: { type: "string", default: "polling,websocket" },
    v2: { type: "boolean", default: false },
  },
});
if (!values.url) {
  console.error("usage: node act-client.mjs --url URL [--nsp /custom] [--path /socket.io/] [--transports polling,websocket] [--v2]");
  process.exit(2);
}

setTimeout(() => {
  console.error("act-client: timed out");
  process.exit(1);
}, 60000).unref();

const transports = values.transports.split(",");
const nsp = values.nsp === "/" ? "" : values.nsp;
const connect = values.v2 ? ioV2 : io;
const socket = connect(values.url + nsp, { path: values.path, transports, reconnection: false, forceNew: true });

socket.on("connect_error", (err) => {
  console.error("act-client: connect_error:", err.message);
  process.exit(1);
});

socket.on("connect", async () => {
  const engine = socket.io.engine;
  if (transports.length > 1 && engine.transport.name !== transports[transports.length - 1]) {
    await new Promise((resolve) => engine.once("upgrade", resolve));
  }
  console.log("READY " + engine.id + " " + engine.transport.name);
});

// onEvent says what came and answers its ack, if it asks for one.
function onEvent(name, args, ack) {
  console.log("EVENT " + name + " " + JSON.stringify(args));
  if (ack && name === "want-binary") ack(Buffer.from([1, 2, 3]));
  else if (ack) ack({ got: name, args });
}

if (values.v2) {
  // The 2.x client has no onAny: every EVENT packet goes through onevent.
  socket.onevent = function (packet) {
    const [name, ...args] = packet.data || [];
    onEvent(name, args, packet.id != null ? this.ack(packet.id) : null);
  };
} else {
  socket.onAny((name, ...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    onEvent(name, args, ack);
  });
}

socket.on("disconnect", (reason) => {
  console.log("DISCONNECT " + reason);
  setTimeout(() => process.exit(0), 100);
});
