// Connection state recovery checked with the OFFICIAL socket.io-client
// against a server with recovery on that serves "join", "to" and "rooms" on
// the namespace (workbook testserver --recovery, recovery-server.mjs).
//
// Usage:
//
//   node recovery-client.mjs --url http://127.0.0.1:PORT --nsp / --transport polling
//        --case recover|expiry|client-disconnect [--recovery-ms MS]
//
// Prints `PASS <case>` and exits 0, or `FAIL <case>: <message>` and exits 1.
//
// Harness control: after cutting a connection the script prints
// `CTRL gone <socket id>` and reads one line from stdin, which must be `ok`
// once the server has let go of that socket (its session, if recoverable,
// kept). Only then do the other clients send what it is to miss, so that
// no wait depends on how fast the server is.
//
// Cases:
//   recover            recovered is false at first; twice in a row, the
//                      transport is cut from the client side (engine.close(),
//                      then the transport's close()) while another client
//                      sends to its room, to a room of all and (on "/") to
//                      the whole namespace ("bcast"); on reconnect it is
//                      recovered with the same id, gets the missed events in
//                      order (binary included, each with an offset last),
//                      and keeps its rooms
//   expiry             cut, and back after --recovery-ms: a new session
//   client-disconnect  socket.disconnect() then connect(): a new session

import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    nsp: { type: "string", default: "/" },
    transport: { type: "string", default: "websocket" },
    case: { type: "string" },
    "recovery-ms": { type: "string", default: "1000" },
  },
});
const WAIT_MS = 15000; // generous: the machines that run this are busy
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Rooms of this run alone: other runs may share the server.
const tag = Math.random().toString(36).slice(2);
const ROOM = `room-${tag}`;
const EVERYONE = `everyone-${tag}`;

const stdin = createInterface({ input: process.stdin });
const stdinLines = stdin[Symbol.asyncIterator]();

async function ctrl(command) {
  console.log(`CTRL ${command}`);
  const { value, done } = await stdinLines.next();
  if (done || value.trim() !== "ok") throw new Error(`CTRL ${command}: harness answered ${JSON.stringify(value)}`);
}

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function eventually(what, ok) {
  const deadline = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await sleep(20);
  }
}

const clients = [];
function client() {
  const url = opts.url + (opts.nsp === "/" ? "/" : opts.nsp);
  const s = io(url, { transports: [opts.transport], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
  s.events = [];
  s.onAny((...args) => s.events.push(args));
  clients.push(s);
  return s;
}

const connected = (s, what) =>
  within(
    new Promise((resolve, reject) => {
      if (s.connected) return resolve();
      s.once("connect", resolve);
      s.once("connect_error", reject);
    }),
    what,
  );

/** Cuts s's connection from the client side, without reconnecting. */
async function cut(s, how) {
  s.io.reconnection(false);
  const gone = within(new Promise((r) => s.once("disconnect", r)), "the disconnect");
  if (how === "engine") s.io.engine.close();
  else s.io.engine.transport.close();
  const reason = await gone;
  console.log(`INFO cut with ${how}: client reason ${reason}`);
}

async function reconnect(s) {
  s.io.reconnection(true);
  s.connect();
  await connected(s, "the reconnect");
}

/**
 * The events of this run s got from index from on, without their offsets:
 * "m" (sent to this run's rooms) and "bcast" whose first argument is tagged.
 */
function missed(s, from) {
  const out = [];
  for (const [ev, ...args] of s.events.slice(from)) {
    if (ev !== "m" && !(ev === "bcast" && String(args[0]).startsWith(tag))) continue;
    const off = args.pop();
    assert.equal(typeof off, "string", `event m ${JSON.stringify(args)} has no offset last`);
    out.push(args);
  }
  return out;
}

async function recover() {
  const a = client();
  await connected(a, "a's connect");
  assert.equal(a.recovered, false, "recovered at first");
  assert.equal(await a.emitWithAck("join", ROOM), true);
  assert.equal(await a.emitWithAck("join", EVERYONE), true);
  const b = client();
  await connected(b, "b's connect");
  await b.emitWithAck("join", EVERYONE);
  await b.emitWithAck("to", EVERYONE, "m", "before");
  await eventually("a's first m", () => missed(a, 0).length === 1);
  const id = a.id;
  for (const [round, how] of [[1, "engine"], [2, "transport"]]) {
    await cut(a, how);
    await ctrl(`gone ${id}`);
    const from = a.events.length;
    await b.emitWithAck("to", ROOM, "m", `${round}-room`);
    await b.emitWithAck("to", `elsewhere-${tag}`, "m", "never");
    await b.emitWithAck("to", EVERYONE, "m", `${round}-all`, { n: round });
    const root = opts.nsp === "/"; // a broadcast to the whole namespace: "bcast" is on "/" only
    if (root) await b.emitWithAck("bcast", `${tag}-${round}`);
    await b.emitWithAck("to", ROOM, "m", `${round}-bin`, Buffer.from([1, 2, round]));
    await reconnect(a);
    assert.equal(a.recovered, true, `round ${round}: not recovered`);
    assert.equal(a.id, id, `round ${round}: id changed`);
    const want = root ? 4 : 3;
    await eventually(`round ${round}: the missed events`, () => missed(a, from).length >= want);
    const got = missed(a, from);
    assert.equal(got.length, want, `round ${round}: ${JSON.stringify(got)}`);
    assert.deepEqual(got.shift(), [`${round}-room`]);
    assert.deepEqual(got.shift(), [`${round}-all`, { n: round }]);
    if (root) assert.deepEqual(got.shift(), [`${tag}-${round}`]);
    assert.equal(got[0][0], `${round}-bin`);
    assert.deepEqual([...got[0][1]], [1, 2, round]);
    const rooms = await a.emitWithAck("rooms");
    assert.deepEqual(rooms, [id, EVERYONE, ROOM].sort(), `round ${round}: rooms`);
  }
}

async function fresh(how) {
  const a = client();
  await connected(a, "a's connect");
  assert.equal(await a.emitWithAck("join", ROOM), true);
  await eventually("an event with an offset (auth)", () => a.events.length > 0);
  const id = a.id;
  if (how === "disconnect") {
    a.disconnect();
    await ctrl(`gone ${id}`);
  } else {
    await cut(a, "engine");
    await ctrl(`gone ${id}`);
    await sleep(Number(opts["recovery-ms"]) + 500); // past the duration: only later is fine
  }
  await reconnect(a);
  assert.equal(a.recovered, false, "recovered");
  assert.notEqual(a.id, id, "same id");
  assert.deepEqual(await a.emitWithAck("rooms"), [a.id]);
}

const cases = { recover, expiry: () => fresh("expiry"), "client-disconnect": () => fresh("disconnect") };
const run = cases[opts.case];
if (!opts.url || !run) {
  console.error("usage: recovery-client.mjs --url URL --case recover|expiry|client-disconnect [--nsp NSP --transport T]");
  process.exit(2);
}
const limit = setTimeout(() => {
  console.log(`FAIL ${opts.case}: run limit`);
  process.exit(1);
}, 90000);
try {
  await run();
  console.log(`PASS ${opts.case}`);
} catch (err) {
  console.log(`FAIL ${opts.case}: ${err.message}`);
  console.error(err.stack);
  process.exitCode = 1;
} finally {
  clearTimeout(limit);
  for (const s of clients) s.disconnect();
  stdin.close();
}
