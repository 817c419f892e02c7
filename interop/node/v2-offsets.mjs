// What a socket.io-client 2.5.0 (the npm alias socket.io-client-v2) receives
// from a server with connection state recovery on and Engine.IO v3 allowed:
// the OFFICIAL v2 client against `workbook testserver --recovery D
// --allow-eio3` or `recovery-server.mjs --allow-eio3`, so that a Go test can
// compare the two servers.
//
// Usage:
//
//   node v2-offsets.mjs --url http://127.0.0.1:PORT [--transport websocket|polling]
//
// On "/" it emits "message" "x", {n: 1} (the server answers "message-back"),
// "message" with a Buffer (a binary "message-back"), "bcast" "b", "é😀" with
// an ack (a broadcast to everyone, acked with true), and on "/custom" it joins
// a room and emits "to" room, "room-msg", 7 (a broadcast to that room). It
// prints one line `RESULT <json>`: {"message-back": [args], "message-back-bin":
// [args], "bcast": [args], "bcast-ack": [args], "room-msg": [args]}, each the
// arguments as received, Buffers written {"$bin": "<hex>"}. Exits 0, or 1 with
// `FAIL <message>` when a wait times out (every wait has one).

import { parseArgs } from "node:util";
import ioV2 from "socket.io-client-v2";

const WAIT_MS = 15000; // generous: the machine is busy

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    transport: { type: "string", default: "websocket" },
  },
});
if (!opts.url) {
  console.error("v2-offsets: --url is required");
  process.exit(2);
}

const plain = (v) =>
  Buffer.isBuffer(v)
    ? { $bin: v.toString("hex") }
    : Array.isArray(v)
      ? v.map(plain)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
        : v;

function within(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const connect = (nsp) => {
  const s = ioV2(opts.url + (nsp === "/" ? "" : nsp), {
    forceNew: true,
    reconnection: false,
    timeout: WAIT_MS,
    transports: [opts.transport],
  });
  return within(`connect on ${nsp}`, new Promise((resolve, reject) => {
    s.on("connect", () => resolve(s));
    s.on("connect_error", reject);
    s.on("error", reject);
  }));
};
const once = (s, ev) => within(`"${ev}"`, new Promise((resolve) => s.once(ev, (...args) => resolve(args))));
const call = (s, ev, ...args) => within(`the ack of "${ev}"`, new Promise((resolve) => s.emit(ev, ...args, (...res) => resolve(res))));

const root = await connect("/").catch((err) => fail(err));
const custom = await connect("/custom").catch((err) => fail(err));
const result = {};
try {
  let got = once(root, "message-back");
  root.emit("message", "x", { n: 1 });
  result["message-back"] = await got;

  got = once(root, "message-back");
  root.emit("message", Buffer.from([1, 2, 3]));
  result["message-back-bin"] = await got;

  got = once(root, "bcast");
  result["bcast-ack"] = await call(root, "bcast", "b", "é😀");
  result.bcast = await got;

  const room = `v2-${process.pid}`;
  await call(custom, "join", room);
  got = once(custom, "room-msg");
  await call(custom, "to", room, "room-msg", 7);
  result["room-msg"] = await got;
} catch (err) {
  fail(err);
}
console.log(`RESULT ${JSON.stringify(plain(result))}`);
root.close();
custom.close();
process.exit(0);

function fail(err) {
  console.log(`FAIL ${err.message}`);
  process.exit(1);
}
