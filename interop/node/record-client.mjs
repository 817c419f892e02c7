// A short session of the OFFICIAL `socket.io-client`, for the recording tests
// of cmd/workbook: connect to a workbook, emit a text event, a binary event
// and an event with an ack (the workbook's "echo" answers with its
// arguments, a Buffer among them), then disconnect.
//
// Usage:
//
//   node record-client.mjs --url http://127.0.0.1:PORT [--transports polling,websocket]
//
// It prints `ACK <json>` with the answer to "echo" (a Buffer as
// {"buffer":[...bytes]}), then `DONE <engine session id>` and exits 0; on
// any failure it prints the error on stderr and exits 1. The whole run is
// cut off after 15 s.

import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    transports: { type: "string", default: "polling,websocket" },
  },
});
if (!values.url) {
  console.error("usage: node record-client.mjs --url URL [--transports polling,websocket]");
  process.exit(2);
}

setTimeout(() => {
  console.error("record-client: timed out");
  process.exit(1);
}, 15000).unref();

const transports = values.transports.split(",");
const socket = io(values.url, { transports, reconnection: false, forceNew: true });

socket.on("connect_error", (err) => {
  console.error("record-client: connect_error:", err.message);
  process.exit(1);
});

socket.on("connect", async () => {
  try {
    if (transports.length > 1) {
      // Wait for the upgrade, so that the events go over the last transport.
      const engine = socket.io.engine;
      if (engine.transport.name !== transports[transports.length - 1]) {
        await new Promise((resolve) => engine.once("upgrade", resolve));
      }
    }
    const sid = socket.io.engine.id;
    socket.emit("hello", "world", 1);
    socket.emit("upload", Buffer.from([1, 2, 3]));
    // emitWithAck resolves with the first argument only: take them all.
    const reply = await new Promise((resolve, reject) =>
      socket.timeout(5000).emit("echo", "ping", Buffer.from([4, 5]), (err, ...args) => (err ? reject(err) : resolve(args))),
    );
    const shown = reply.map((a) => (Buffer.isBuffer(a) ? { buffer: [...a] } : a));
    console.log("ACK " + JSON.stringify(shown));
    socket.disconnect();
    console.log("DONE " + sid);
    // Let the engine write its last packets before the process ends.
    setTimeout(() => process.exit(0), 200);
  } catch (err) {
    console.error("record-client:", err);
    process.exit(1);
  }
});
