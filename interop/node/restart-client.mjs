// One official socket.io-client that stays up while the harness kills and
// restarts the server under it, for the restart test of `workbook
// testserver` (cmd/workbook/restart_test.go).
//
// Usage:
//
//   node restart-client.mjs --url http://127.0.0.1:PORT
//
// Each time the socket connects it prints `CONNECTED <n> <socket id>` on
// stdout. A line `echo <token>` on stdin emits "echo" with token and an ack
// (buffered while disconnected, so it goes out on the next connection, and
// retried if that one dies first); `ECHO <token>` is printed when the ack
// comes back: a harness that writes the line after starting the server
// learns that the client reconnected to that server and works end to end.
// Everything else the client and its Manager report goes to stderr, one
// line each with the milliseconds since start, for the harness to show
// when a reconnect does not come: disconnect reasons and close codes,
// reconnect attempts and their errors, the engine's transport and upgrades.
//
// The reconnection delays are those of the issue that found the flake:
// reconnectionDelay 100, reconnectionDelayMax 300.

import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values } = parseArgs({ options: { url: { type: "string" } } });
if (!values.url) {
  console.error("usage: node restart-client.mjs --url http://127.0.0.1:PORT");
  process.exit(2);
}

const start = Date.now();
const note = (...what) => console.error(`${Date.now() - start} ${what.join(" ")}`);

const socket = io(values.url, {
  forceNew: true,
  reconnectionDelay: 100,
  reconnectionDelayMax: 300,
  // An echo sent on a connection that dies before its ack is sent again.
  ackTimeout: 2000,
  retries: 100,
});
const manager = socket.io;

const detail = (d) => {
  if (!d) return "";
  const code = d.context?.code ?? d.context?.status ?? "";
  return `${d.description?.message ?? d.description ?? ""} ${code}`.trim();
};

let connects = 0;
socket.on("connect", () => {
  const n = ++connects;
  const engine = manager.engine;
  note("connect", n, socket.id, "engine", engine.id, engine.transport.name);
  engine.on("upgrade", (t) => note("upgrade", engine.id, t.name));
  console.log(`CONNECTED ${n} ${socket.id}`);
});
socket.on("disconnect", (reason, details) => note("disconnect", reason, detail(details)));
socket.on("connect_error", (err) => note("connect_error", err.message));
manager.on("reconnect_attempt", (n) => note("reconnect_attempt", n));
manager.on("reconnect_error", (err) => note("reconnect_error", err.message, detail(err)));
manager.on("reconnect", (n) => note("reconnect", n));
manager.on("open", () => note("open", manager.engine.id, manager.engine.transport.name));
manager.on("close", (reason) => note("manager close", reason));

createInterface({ input: process.stdin }).on("line", (line) => {
  const [cmd, token] = line.trim().split(/\s+/);
  if (cmd !== "echo") return;
  note("echo sent", token, socket.connected ? "connected" : "buffered");
  socket.emit("echo", token, (err, got) => {
    if (err) {
      note("echo failed", token, err.message);
      return;
    }
    note("echo back", token, got);
    if (got === token) console.log(`ECHO ${token}`);
  });
});

// The harness closes stdin to stop the client.
process.stdin.on("end", () => process.exit(0));
