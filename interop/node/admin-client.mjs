// One official socket.io-client for the Admin UI test
// (cmd/workbook/adminui_browser_test.go): the application client the UI
// lists, watches and acts on.
//
// Usage:
//
//   node admin-client.mjs --url http://127.0.0.1:PORT
//
// Prints `CONNECTED <socket id>` once connected, then `EVENT <name> <args as
// JSON>` for every event the server sends, and `DISCONNECTED <reason>`.
// A line `emit <name> <text>` on stdin emits the event name with text.

import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values } = parseArgs({ options: { url: { type: "string" } } });
if (!values.url) {
  console.error("usage: node admin-client.mjs --url http://127.0.0.1:PORT");
  process.exit(2);
}

const socket = io(values.url, { forceNew: true, reconnection: false });
socket.on("connect", () => console.log(`CONNECTED ${socket.id}`));
socket.on("disconnect", (reason) => console.log(`DISCONNECTED ${reason}`));
socket.on("connect_error", (err) => console.error(`connect_error ${err.message}`));
socket.onAny((name, ...args) => console.log(`EVENT ${name} ${JSON.stringify(args)}`));

createInterface({ input: process.stdin }).on("line", (line) => {
  const [cmd, name, ...rest] = line.trim().split(" ");
  if (cmd === "emit" && name) socket.emit(name, rest.join(" "));
});
