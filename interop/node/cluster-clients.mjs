// OFFICIAL socket.io-client 4.8 sockets on the nodes of a cluster, driven
// line by line from a Go test (cmd/workbook/cluster_test.go), so that the
// mixed clusters of our nodes and cluster-node.mjs nodes are checked with
// the official client on every node while the test keeps its assertions.
//
// Usage:
//
//   node cluster-clients.mjs
//
// Prints `READY`, then reads one JSON command per stdin line and answers
// each with one line `R <id> <json>`, where <json> is {"ok": result} or
// {"error": message}. Commands run one after another, in order:
//
//   {"id":1,"op":"open","name":"a","url":U,"transports":["websocket"]}
//                 connect a new socket named a to U ("/"); result: its id.
//                 It records every event it gets but the greeting "auth",
//                 answers an event "who"
//                 with its id, and records its disconnect reason.
//   {"id":2,"op":"call","name":"a","event":E,"args":[...],"ms":M}
//                 emit E with args and an ack, waiting at most M ms; result:
//                 the ack's first argument.
//   {"id":3,"op":"emit","name":"a","event":E,"args":[...]}
//                 emit E with args, no ack; result: null.
//   {"id":4,"op":"next","name":"a","ms":M}
//                 the next recorded event not yet returned, as [event,
//                 ...args], waiting at most M ms; null if none came.
//   {"id":5,"op":"disconnected","name":"a","ms":M}
//                 the socket's disconnect reason once it has one, waiting at
//                 most M ms; null if it is still connected.
//   {"id":6,"op":"close","name":"a"}   disconnect it; result: null.
//
// Binary values travel as {"$bin": "<hex>"} both ways (a Buffer on the
// wire). Exits 0 when stdin closes, after closing every socket.

import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const sockets = new Map(); // name -> {socket, events, waiters, reason}

const toWire = (v) =>
  v && typeof v === "object" && !Array.isArray(v) && typeof v.$bin === "string" && Object.keys(v).length === 1
    ? Buffer.from(v.$bin, "hex")
    : Array.isArray(v)
      ? v.map(toWire)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]))
        : v;

const fromWire = (v) =>
  Buffer.isBuffer(v) || v instanceof ArrayBuffer
    ? { $bin: Buffer.from(v).toString("hex") }
    : Array.isArray(v)
      ? v.map(fromWire)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]))
        : v;

function wake(c) {
  for (const w of c.waiters) w();
}

/** Resolves with get() once it returns something other than undefined, or null after ms. */
function waitFor(c, ms, get) {
  return new Promise((resolve) => {
    const check = () => {
      const v = get();
      if (v === undefined) return;
      done();
      resolve(v);
    };
    const timer = setTimeout(() => {
      done();
      resolve(null);
    }, ms);
    const done = () => {
      clearTimeout(timer);
      c.waiters.delete(check);
    };
    c.waiters.add(check);
    check();
  });
}

function get(name) {
  const c = sockets.get(name);
  if (!c) throw new Error(`no socket named ${name}`);
  return c;
}

const ops = {
  open({ name, url, transports }) {
    const socket = io(url, { forceNew: true, reconnection: false, timeout: 20000, ...(transports ? { transports } : {}) });
    const c = { socket, events: [], waiters: new Set(), reason: undefined };
    sockets.set(name, c);
    socket.onAny((event, ...args) => {
      if (event === "who" && typeof args[args.length - 1] === "function") {
        args.pop()(socket.id);
        return;
      }
      if (event === "auth") return; // the contract's greeting, sent to every socket
      c.events.push(fromWire([event, ...args]));
      wake(c);
    });
    socket.on("disconnect", (reason) => {
      c.reason = reason;
      wake(c);
    });
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(socket.id));
      socket.once("connect_error", (err) => reject(new Error(`${name}: connect_error: ${err.message}`)));
    });
  },
  call({ name, event, args = [], ms = 20000 }) {
    return get(name)
      .socket.timeout(ms)
      .emitWithAck(event, ...toWire(args))
      .then(fromWire);
  },
  emit({ name, event, args = [] }) {
    get(name).socket.emit(event, ...toWire(args));
    return null;
  },
  next({ name, ms = 20000 }) {
    const c = get(name);
    return waitFor(c, ms, () => c.events.shift());
  },
  disconnected({ name, ms = 20000 }) {
    const c = get(name);
    return waitFor(c, ms, () => c.reason);
  },
  close({ name }) {
    get(name).socket.disconnect();
    return null;
  },
};

const out = (line) => process.stdout.write(line + "\n");
const rl = createInterface({ input: process.stdin });
out("READY");
for await (const line of rl) {
  if (!line.trim()) continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
    const op = ops[cmd.op];
    if (!op) throw new Error(`unknown op ${cmd.op}`);
    const ok = await op(cmd);
    out(`R ${cmd.id} ${JSON.stringify({ ok: ok === undefined ? null : ok })}`);
  } catch (err) {
    out(`R ${cmd?.id ?? 0} ${JSON.stringify({ error: String(err?.message ?? err) })}`);
  }
}
for (const { socket } of sockets.values()) socket.disconnect();
process.exit(0);
