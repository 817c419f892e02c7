// Scenarios for Engine.IO v3 clients: the OFFICIAL socket.io-client 2.5.0
// (the npm alias socket.io-client-v2) against a server that accepts them
// (allowEIO3) and implements the fixture contract of fixture-server.mjs.
//
// Usage:
//
//   node v2-scenarios.mjs --list
//   node v2-scenarios.mjs --url http://127.0.0.1:PORT --scenario NAME
//
// As scenarios.mjs: `PASS <name>` and exit 0, or `FAIL <name>: <message>`
// and exit 1; usage errors exit 2. Every wait has a timeout and a run is cut
// off after 25 s. The scenarios may run in parallel against one server.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import ioV2 from "socket.io-client-v2";
import { io as ioV4 } from "socket.io-client";

const WAIT_MS = 10000; // generous: CI machines are busy
const RUN_LIMIT_MS = 25000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tag = () => randomBytes(4).toString("hex");

/** The events the contract's server emits, which a v2 socket (no onAny) listens to. */
const SERVER_EVENTS = ["auth", "message-back", "bcast", "room-msg", "question", "answer", "hey", "pong", "ping"];

/** A socket, v2 or v4, and a record of what it received. */
class Client {
  constructor(name, socket, events = []) {
    this.name = name;
    this.socket = socket;
    this.events = [];
    this.waiters = new Set();
    for (const ev of ["connect", "disconnect", "error", "connect_error", ...SERVER_EVENTS, ...events]) {
      socket.on(ev, (...args) => this.push(ev, args));
    }
  }

  push(ev, args) {
    this.events.push({ ev, args, used: false });
    for (const wake of this.waiters) wake();
  }

  take(ev, match) {
    const e = this.events.find((x) => !x.used && x.ev === ev && match(...x.args));
    if (!e) return undefined;
    e.used = true;
    return e.args;
  }

  /** Resolves with the arguments of the next unconsumed ev matching match. */
  next(ev, { ms = WAIT_MS, match = () => true } = {}) {
    return new Promise((resolve, reject) => {
      const wake = () => {
        const args = this.take(ev, match);
        if (!args) return;
        done();
        resolve(args);
      };
      const timer = setTimeout(() => {
        done();
        const seen = JSON.stringify(this.events.map((x) => x.ev));
        reject(new Error(`${this.name}: timed out after ${ms} ms waiting for "${ev}"; received: ${seen}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      wake();
    });
  }

  async next1(ev, opts) {
    return (await this.next(ev, opts))[0];
  }

  seen(ev) {
    return this.events.filter((x) => x.ev === ev).length;
  }

  /** Emits ev with an ack and resolves with all of the ack's arguments. */
  ack(ev, ...args) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ack for "${ev}" within ${WAIT_MS} ms`)), WAIT_MS);
      this.socket.emit(ev, ...args, (...res) => {
        clearTimeout(timer);
        resolve(res);
      });
    });
  }

  async ack1(ev, ...args) {
    return (await this.ack(ev, ...args))[0];
  }
}

class Context {
  constructor(url) {
    this.url = url.replace(/\/+$/, "");
    this.clients = [];
  }

  /** A socket.io-client 2.5.0 socket of namespace nsp. */
  v2(name, nsp = "/", opts = {}) {
    const socket = ioV2(this.url + (nsp === "/" ? "" : nsp), { forceNew: true, reconnection: false, timeout: WAIT_MS, ...opts });
    const c = new Client(name, socket);
    this.clients.push(c);
    return c;
  }

  /** A socket.io-client 4.8 socket of "/". */
  v4(name) {
    const socket = ioV4(this.url, { forceNew: true, reconnection: false, timeout: WAIT_MS });
    const c = new Client(name, socket);
    this.clients.push(c);
    return c;
  }

  close() {
    for (const c of this.clients) c.socket.disconnect();
  }
}

/** The Engine.IO session id of a v2 socket. */
const engineID = (c) => c.socket.io.engine.id;

/**
 * Connects a v2 client over transports (undefined: polling, then the
 * upgrade) and checks what it can do: the server's own CONNECT to "/" (auth
 * {} and the engine id as socket id), acks and binary both ways, text that
 * needs UTF-16 lengths.
 */
async function everything(ctx, transports, want) {
  const a = ctx.v2("a", "/", transports ? { transports } : {});
  const upgraded = new Promise((resolve) => a.socket.io.once("open", () => a.socket.io.engine.once("upgrade", (t) => resolve(t.name))));
  await a.next("connect");
  assert.deepEqual(await a.next1("auth"), {}, "handshake.auth of a v3 client on /");
  assert.deepEqual(await a.ack1("rooms"), [engineID(a)], "the socket id on / is the engine id");
  if (!transports) assert.equal(await upgraded, "websocket", "upgraded");
  assert.equal(a.socket.io.engine.transport.name, want, "transport");

  const t = tag();
  const text = ["é😀 " + t, { "🔑": "ключ", n: [1, null, true] }, "x".repeat(3000)];
  a.socket.emit("message", ...text);
  assert.deepEqual(await a.next("message-back"), text, "text echoed");
  assert.equal(await a.ack1("echo", "✓" + t), "✓" + t, "ack client to server");

  const bin = Buffer.from([0, 1, 2, 255]);
  a.socket.emit("message", "bin", bin, { nested: Buffer.from([7]) });
  const back = await a.next("message-back");
  assert.equal(back[0], "bin");
  assert.deepEqual(Buffer.from(back[1]), bin, "binary echoed");
  assert.deepEqual(Buffer.from(back[2].nested), Buffer.from([7]), "nested binary echoed");
  const acked = await a.ack("message-with-ack", Buffer.from([9, 8]), "é");
  assert.deepEqual([Buffer.from(acked[0]), acked[1]], [Buffer.from([9, 8]), "é"], "binary in an ack");
  const [b1, obj] = await a.ack("get-binary");
  assert.deepEqual(Buffer.from(b1), Buffer.from([1, 2, 3]));
  assert.deepEqual(Buffer.from(obj.nested.data), Buffer.from([4, 5]));
  assert.deepEqual(Buffer.from(obj.list[0]), Buffer.from([6]));

  // an ack from the client to the server
  a.socket.on("question", (v, ack) => ack("answer to " + v));
  a.socket.emit("ask", t);
  assert.equal(await a.next1("answer"), "answer to " + t, "ack server to client");
}

const scenarios = {
  "v2-polling": {
    summary: "polling only: auto-connect to / (auth {}, id = engine id), text, acks and binary both ways",
    run: (ctx) => everything(ctx, ["polling"], "polling"),
  },
  "v2-websocket": {
    summary: "websocket only: the same over WebSocket",
    run: (ctx) => everything(ctx, ["websocket"], "websocket"),
  },
  "v2-upgrade": {
    summary: "default transports: polling, upgraded to websocket, then the same",
    run: (ctx) => everything(ctx, undefined, "websocket"),
  },
  "v2-custom-query": {
    summary: "/custom with a query: auth is the query's values as strings, id /custom#<engine id>, join/to/rooms",
    async run(ctx) {
      for (const transports of [["polling"], ["websocket"]]) {
        const c = ctx.v2(`custom/${transports}`, "/custom", { transports, query: { token: "v2", n: 7 } });
        await c.next("connect");
        assert.deepEqual(await c.next1("auth"), { token: "v2", n: "7" }, "handshake.auth on /custom");
        const id = "/custom#" + engineID(c);
        assert.deepEqual(await c.ack1("rooms"), [id], "the socket id on /custom");
        const room = "r-" + tag();
        assert.equal(await c.ack1("join", room), true);
        assert.deepEqual(await c.ack1("rooms"), [id, room].sort(), "rooms after join");
        assert.equal(await c.ack1("to", room, "hey", 1, "é"), true);
        assert.deepEqual(await c.next("hey"), [1, "é"], "to(room) reaches the sender in the room");
      }
    },
  },
  "v2-heartbeat": {
    summary: "both transports: the client pings, gets pongs, and stays connected past pingInterval+pingTimeout",
    async run(ctx) {
      const cs = [["polling"], ["websocket"]].map((transports) => ctx.v2(`hb/${transports}`, "/", { transports }));
      await Promise.all(cs.map((c) => c.next("connect")));
      await sleep(1500); // pingInterval 300 ms + pingTimeout 1000 ms
      for (const c of cs) {
        assert.equal(c.socket.connected, true, `${c.name}: still connected`);
        assert.ok(c.seen("pong") >= 2, `${c.name}: pongs seen: ${c.seen("pong")}, want >= 2`);
        assert.equal(c.seen("disconnect"), 0, `${c.name}: never disconnected`);
        assert.equal(await c.ack1("echo", "alive"), "alive");
      }
    },
  },
  "v2-v4-broadcast": {
    summary: "a v2 client and a v4 client receive the same broadcast, binary included, from either",
    async run(ctx) {
      const v2 = ctx.v2("v2", "/", { transports: ["polling"] });
      const v2ws = ctx.v2("v2ws", "/", { transports: ["websocket"] });
      const v4 = ctx.v4("v4");
      await Promise.all([v2, v2ws, v4].map((c) => c.next("connect")));
      for (const from of [v2, v4]) {
        const t = tag();
        from.socket.emit("bcast", t, "é😀", Buffer.from([1, 2, 3]), { n: 1 });
        for (const c of [v2, v2ws, v4]) {
          const got = await c.next("bcast", { match: (x) => x === t });
          assert.deepEqual([got[0], got[1], Buffer.from(got[2]), got[3]], [t, "é😀", Buffer.from([1, 2, 3]), { n: 1 }], `${c.name} from ${from.name}`);
        }
      }
    },
  },
  "v2-close": {
    summary: "a v2 client's disconnect: the server sees client namespace disconnect, then its sid is unknown",
    async run(ctx) {
      const a = ctx.v2("a", "/", { transports: ["polling"] });
      const observer = ctx.v4("observer");
      await Promise.all([a.next("connect"), observer.next("connect")]);
      const sid = engineID(a);
      a.socket.disconnect();
      let reason = null;
      for (const deadline = Date.now() + WAIT_MS; reason === null && Date.now() < deadline; await sleep(50)) {
        reason = await observer.ack1("reason-of", sid);
      }
      assert.equal(reason, "client namespace disconnect");
      let res;
      for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(50)) {
        res = await fetch(`${ctx.url}/socket.io/?EIO=3&transport=polling&sid=${sid}`);
        if (res.status === 400) break;
        await res.arrayBuffer();
      }
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: 1, message: "Session ID unknown" });
    },
  },
  "v2-raw-handshake": {
    summary: "the raw v3 handshake: text/plain, <len>:0{...}, then the server's own 2:40",
    async run(ctx) {
      const res = await fetch(`${ctx.url}/socket.io/?EIO=3&transport=polling`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=UTF-8");
      const body = await res.text();
      const [, len, open] = body.match(/^(\d+):(0\{.*\})$/) ?? [];
      assert.ok(open, `handshake body ${body}`);
      assert.equal(Number(len), open.length, "the length counts UTF-16 code units");
      const o = JSON.parse(open.slice(1));
      assert.deepEqual(Object.keys(o), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
      const next = await fetch(`${ctx.url}/socket.io/?EIO=3&transport=polling&sid=${o.sid}`);
      // the fixture's "auth" event may follow in the same payload
      assert.match(await next.text(), /^2:40(\d+:|$)/, "the server connects the client to / with a bare 40");
      const close = await fetch(`${ctx.url}/socket.io/?EIO=3&transport=polling&sid=${o.sid}`, { method: "POST", body: "1:1" });
      assert.equal(await close.text(), "ok");
    },
  },
};

function usage(msg) {
  console.error(`v2-scenarios: ${msg}`);
  console.error("usage: node v2-scenarios.mjs --list | --url http://127.0.0.1:PORT --scenario NAME");
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { url: { type: "string" }, scenario: { type: "string" }, list: { type: "boolean" } } }).values;
} catch (e) {
  usage(e.message);
}
if (args.list) {
  for (const name of Object.keys(scenarios)) console.log(name);
  process.exit(0);
}
if (!args.url) usage("--url is required");
const name = args.scenario;
if (!scenarios[name]) usage(`unknown scenario ${JSON.stringify(name)} (see --list)`);

const ctx = new Context(args.url);
const crash = (err) => {
  console.log(`FAIL ${name}: ${String(err?.message ?? err).split("\n").join(" | ").slice(0, 600)}`);
  console.error(err?.stack ?? err);
  process.exit(1);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);
setTimeout(() => crash(new Error(`exceeded ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS).unref();
try {
  await scenarios[name].run(ctx);
  ctx.close();
  console.log(`PASS ${name}`);
  process.exit(0);
} catch (err) {
  ctx.close();
  crash(err);
}
