// Client scenarios for the interop tests, run with the OFFICIAL
// `socket.io-client` npm package against any server that implements the
// fixture contract documented at the top of fixture-server.mjs.
//
// Usage:
//
//   node scenarios.mjs --list                 one scenario name per line
//   node scenarios.mjs --list-json            [{name, serial, ctrl, summary}]
//   node scenarios.mjs --url http://127.0.0.1:PORT --scenario NAME
//
// A run prints `PASS <name>` on stdout and exits 0, or prints
// `FAIL <name>: <message>` on stdout (details on stderr) and exits 1. Usage
// errors exit 2. Lines starting with `INFO ` are informational. Every wait has
// a timeout of a few seconds and a whole run is cut off after 25 s, so nothing
// hangs.
//
// Harness control: a scenario that needs the harness to act prints a line
// `CTRL <command>` and then reads one line from stdin, which must be `ok`.
// Commands:
//
//   CTRL restart   stop the server so that every connection drops WITHOUT a
//                  Socket.IO DISCONNECT packet (kill the process, or close the
//                  listener and all connections), start it again on the same
//                  port, and write `ok` once it accepts connections.
//
// Scenarios flagged `serial` look at server-wide state (the number of
// connected clients, broadcasts answered by every client, a restart) and must
// not run while other scenarios are connected to the same server. The others
// may run in parallel against one server.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io, Manager } from "socket.io-client";
import WebSocket from "ws";

/** Default timeout of every single wait, in milliseconds. */
const WAIT_MS = 3000;
/** Hard limit of a whole scenario run, in milliseconds. */
const RUN_LIMIT_MS = 25000;

/** Transport sets that data-carrying scenarios are repeated with. */
const EACH_TRANSPORT = [["polling"], ["websocket"]];

/** Reasons for which the official client reconnects by itself. */
const RECONNECTING_REASONS = ["transport close", "transport error", "ping timeout"];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a clear message when promise does not settle within ms. */
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls fn until it returns a value accepted by ok, or fails after ms. */
async function eventually(what, fn, ok, ms = WAIT_MS, every = 50) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last value: ${show(last)}`);
    }
    await sleep(every);
  }
}

/** Compact printable form of a value, binary included. */
function show(v) {
  return JSON.stringify(v, (_k, x) => {
    if (x && x.type === "Buffer" && Array.isArray(x.data)) return `<Buffer ${x.data.length} bytes>`;
    if (x instanceof ArrayBuffer) return `<ArrayBuffer ${x.byteLength} bytes>`;
    if (typeof x === "function") return "<function>";
    return x;
  });
}

/** A unique suffix, so that messages of concurrent runs never mix. */
const tag = () => randomBytes(4).toString("hex");

/**
 * Converts every binary value (Buffer, typed array, DataView, ArrayBuffer) in
 * v, at any depth, into a Buffer: what the official Node client delivers for
 * binary attachments.
 */
function asReceived(v) {
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof ArrayBuffer) return Buffer.from(new Uint8Array(v));
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(asReceived);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asReceived(x)]));
  }
  return v;
}

/**
 * A client socket plus a record of everything it received, so that a scenario
 * can wait for an event that may already have arrived (the server emits
 * "auth" right after the CONNECT reply, before any await returns).
 */
class Client {
  /** @param {string} name @param {import("socket.io-client").Socket} socket */
  constructor(name, socket) {
    this.name = name;
    this.socket = socket;
    /** @type {{ev: string, args: any[], used: boolean}[]} */
    this.events = [];
    this.waiters = new Set();
    socket.onAny((ev, ...args) => this.#push(ev, args));
    for (const ev of ["connect", "disconnect", "connect_error"]) {
      socket.on(ev, (...args) => this.#push(ev, args));
    }
    for (const ev of ["open", "close", "reconnect_attempt", "reconnect", "reconnect_error", "ping"]) {
      socket.io.on(ev, (...args) => this.#push(`manager:${ev}`, args));
    }
  }

  #push(ev, args) {
    this.events.push({ ev, args, used: false });
    for (const wake of this.waiters) wake();
  }

  #take(ev, match) {
    const e = this.events.find((x) => !x.used && x.ev === ev && match(...x.args));
    if (!e) return undefined;
    e.used = true;
    return e.args;
  }

  /**
   * Resolves with the arguments of the first not yet consumed event named ev
   * (whose arguments satisfy match), waiting up to ms for it.
   */
  next(ev, { ms = WAIT_MS, match = () => true } = {}) {
    const now = this.#take(ev, match);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const args = this.#take(ev, match);
        if (!args) return;
        done();
        resolve(args);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: timed out after ${ms} ms waiting for "${ev}"; received: ${this.summary()}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  /** Resolves with the first argument of the next event named ev. */
  async next1(ev, opts) {
    return (await this.next(ev, opts))[0];
  }

  /** The arguments of every event named ev seen so far that satisfies match. */
  seen(ev, match = () => true) {
    return this.events.filter((x) => x.ev === ev && match(...x.args)).map((x) => x.args);
  }

  /** Names of the events seen so far, for error messages. */
  summary() {
    return show(this.events.map((x) => x.ev));
  }

  /** Emits ev and resolves with ALL the arguments of the ack. */
  ack(ev, ...args) {
    return new Promise((resolve, reject) => {
      this.socket.timeout(WAIT_MS).emit(ev, ...args, (err, ...res) => {
        if (err) reject(new Error(`${this.name}: no ack for "${ev}" within ${WAIT_MS} ms (${err.message})`));
        else resolve(res);
      });
    });
  }

  /** Emits ev and resolves with the first argument of the ack. */
  async ack1(ev, ...args) {
    return (await this.ack(ev, ...args))[0];
  }

  /** Waits for "connect" and returns the socket id. */
  async connected() {
    await this.next("connect");
    assert.equal(this.socket.connected, true, `${this.name}: connected after "connect"`);
    assert.equal(typeof this.socket.id, "string", `${this.name}: socket.id after "connect"`);
    return this.socket.id;
  }
}

/** Scenario context: the server URL, client factory and harness control. */
class Context {
  constructor(url) {
    this.url = url.replace(/\/+$/, "");
    /** @type {Client[]} */
    this.clients = [];
    this.stdin = null;
    this.stdinLines = [];
    this.stdinWaiters = [];
    this.stdinClosed = false;
  }

  /**
   * Creates a client for namespace nsp (default "/") with its own Manager
   * (forceNew) unless opts says otherwise. Reconnection delays are short so
   * that reconnecting scenarios stay quick.
   */
  client(name, nsp = "/", opts = {}) {
    const socket = io(this.url + (nsp === "/" ? "" : nsp), {
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      timeout: WAIT_MS,
      ...opts,
    });
    return this.adopt(name, socket);
  }

  /** Wraps a socket made elsewhere into a Client and tracks it for cleanup. */
  adopt(name, socket) {
    const c = new Client(name, socket);
    this.clients.push(c);
    return c;
  }

  /** Asks the server for the recorded disconnect reason of id, waiting for one. */
  async reasonOf(observer, id) {
    return eventually(
      `the server to record a disconnect reason for ${id}`,
      () => observer.ack1("reason-of", id),
      (r) => r !== null,
    );
  }

  /** Prints `CTRL <command>` and waits for the harness to answer `ok`. */
  async ctrl(command, ms = 15000) {
    if (!this.stdin) {
      this.stdin = createInterface({ input: process.stdin });
      this.stdin.on("line", (line) => {
        this.stdinLines.push(line.trim());
        this.stdinWaiters.splice(0).forEach((w) => w());
      });
      this.stdin.on("close", () => {
        this.stdinClosed = true;
        this.stdinWaiters.splice(0).forEach((w) => w());
      });
    }
    console.log(`CTRL ${command}`);
    const line = await within(
      ms,
      new Promise((resolve, reject) => {
        const check = () => {
          if (this.stdinLines.length) resolve(this.stdinLines.shift());
          else if (this.stdinClosed) reject(new Error(`stdin closed while waiting for "ok" after CTRL ${command}`));
          else this.stdinWaiters.push(check);
        };
        check();
      }),
      `waiting for "ok" on stdin after CTRL ${command}`,
    );
    assert.equal(line, "ok", `harness answer to CTRL ${command}`);
  }

  close() {
    for (const c of this.clients) c.socket.disconnect();
    this.stdin?.close();
  }
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

/**
 * @typedef {object} Scenario
 * @property {string} summary what the scenario asserts
 * @property {boolean} [serial] must run alone against the server
 * @property {string[]} [ctrl] CTRL commands it prints
 * @property {(ctx: Context) => Promise<void>} run
 */

/** @type {Record<string, Scenario>} */
const scenarios = {
  "connect-default": {
    summary:
      "default transports: connects over polling, receives auth {} (no payload sent), upgrades to websocket " +
      "(engine 'upgrade' event, transport.name === 'websocket'), echo works after the upgrade",
    async run(ctx) {
      const a = ctx.client("a", "/", {});
      const engine = a.socket.io.engine;
      assert.ok(engine, "the Manager opened an engine right away");
      let openedOn;
      engine.once("open", () => (openedOn = engine.transport.name));
      const upgraded = new Promise((resolve) => engine.once("upgrade", (t) => resolve(t.name)));
      await a.connected();
      assert.equal(openedOn, "polling", "the engine opens over polling with default options");
      assert.deepEqual(await a.next1("auth"), {}, "auth without a CONNECT payload");
      assert.equal(await within(WAIT_MS, upgraded, "waiting for the engine 'upgrade' event"), "websocket");
      assert.equal(a.socket.io.engine.transport.name, "websocket", "transport after the upgrade");
      assert.equal(await a.ack1("echo", "after upgrade ✓"), "after upgrade ✓");
      a.socket.emit("message", "m", 1);
      assert.deepEqual(await a.next("message-back"), ["m", 1]);
    },
  },

  "polling-only": {
    summary:
      "transports ['polling']: connects, auth {}, sees server pings (Manager 'ping'), stays on polling and " +
      "connected past pingInterval+pingTimeout, echo and message-back work",
    async run(ctx) {
      await onlyTransport(ctx, "polling");
    },
  },

  "websocket-only": {
    summary:
      "transports ['websocket']: connects without polling, auth {}, sees server pings, stays connected past " +
      "pingInterval+pingTimeout, echo and message-back work",
    async run(ctx) {
      await onlyTransport(ctx, "websocket");
    },
  },

  "events-mixed-args": {
    summary:
      "over polling and over websocket: message -> message-back deep-equals the args (numbers, Unicode/emoji " +
      "and escape-heavy strings, null, booleans, nested objects and arrays, no args, one arg, ~6 KB string)",
    async run(ctx) {
      const nested = { a: 1, b: { c: [1, "two", null, { d: false }] }, "ключ": "значение", "🔑": "🗝", e: {} };
      let deep = { leaf: "bottom" };
      for (let i = 0; i < 20; i++) deep = { level: i, child: deep, list: [i] };
      const cases = [
        [1, -2.5, 0, 9007199254740991, -9007199254740991, 1.5e-7, 1e21, 3.141592653589793],
        ["plain", "héllo wörld", "日本語テキスト", "emoji 😀👍🏽🇫🇷👨‍👩‍👧", "", 'q " \\ / \n\t\r\b\f', "\u0000\u001e\u001f\u2028\u2029"],
        [null, true, false, null],
        [nested, [[], {}, [1, [2, [3, [4]]]]], deep],
        [],
        ["single"],
        [{ only: "object" }],
        ["é".repeat(1500) + "😀".repeat(200)],
        [0, "0", false, "", null, [], {}],
      ];
      for (const transports of EACH_TRANSPORT) {
        const a = ctx.client(`a/${transports}`, "/", { transports });
        await a.connected();
        for (const args of cases) {
          a.socket.emit("message", ...args);
          assert.deepEqual(await a.next("message-back"), args, `message-back over ${transports}`);
        }
        a.socket.disconnect();
      }
    },
  },

  "acks-client-to-server": {
    summary:
      "over polling and websocket: message-with-ack acks with all the args (several, none, null, nested); echo " +
      "acks with its first arg; 20 concurrent echoes each get their own answer",
    async run(ctx) {
      for (const transports of EACH_TRANSPORT) {
        const a = ctx.client(`a/${transports}`, "/", { transports });
        await a.connected();
        assert.deepEqual(await a.ack("message-with-ack", 1, "2", { 3: [false] }), [1, "2", { 3: [false] }]);
        assert.deepEqual(await a.ack("message-with-ack"), []);
        assert.deepEqual(await a.ack("message-with-ack", null), [null]);
        const obj = { text: "zoë 😀", list: [1, [2, { three: 3 }]], t: true };
        assert.deepEqual(await a.ack("message-with-ack", obj, "x"), [obj, "x"]);
        assert.equal(await a.socket.timeout(WAIT_MS).emitWithAck("echo", "héllo 😀"), "héllo 😀");
        assert.deepEqual(await a.ack("echo", obj, "ignored", 2), [obj], "echo acks with its first arg only");
        assert.equal(await a.ack1("echo", 42), 42);
        const many = await Promise.all(
          Array.from({ length: 20 }, (_, i) => a.socket.timeout(WAIT_MS).emitWithAck("echo", { i })),
        );
        assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => ({ i })), "acks matched by id");
        a.socket.disconnect();
      }
    },
  },

  "acks-server-to-client": {
    summary:
      "ask(value): the server's 'question' carries value and an ack callback; the client's ack answer comes " +
      "back in the 'answer' event (string and object values)",
    async run(ctx) {
      const a = ctx.client("a", "/");
      const received = [];
      a.socket.on("question", (value, cb) => {
        received.push(value);
        assert.equal(typeof cb, "function", "the server asked for an ack");
        cb({ answer: value, from: "client" });
      });
      await a.connected();
      for (const value of ["hello", { x: [1, 2], s: "ünï" }]) {
        a.socket.emit("ask", value);
        assert.deepEqual(await a.next1("answer"), { answer: value, from: "client" });
      }
      assert.deepEqual(received, ["hello", { x: [1, 2], s: "ünï" }]);
    },
  },

  "emit-with-ack-timeout": {
    summary:
      "client socket.timeout(200).emitWithAck('no-such-event') rejects with 'operation has timed out' after " +
      "~200 ms; server ask-silent (client never acks 'question-silent') reports 'operation has timed out'; " +
      "the socket still works afterwards",
    async run(ctx) {
      const a = ctx.client("a", "/");
      const silent = [];
      a.socket.on("question-silent", (...args) => silent.push(args));
      await a.connected();
      const t0 = Date.now();
      await assert.rejects(a.socket.timeout(200).emitWithAck("no-such-event", 1), {
        message: "operation has timed out",
      });
      const took = Date.now() - t0;
      assert.ok(took >= 190 && took < 1500, `client ack timeout took ${took} ms, want ~200`);
      a.socket.emit("ask-silent");
      assert.equal(await a.next1("answer"), "operation has timed out");
      assert.equal(silent.length, 1, "question-silent received once");
      assert.equal(silent[0].length, 1, "question-silent has no args besides the ack callback");
      assert.equal(typeof silent[0][0], "function", "question-silent asks for an ack");
      assert.equal(await a.ack1("echo", "still alive"), "still alive");
    },
  },

  "binary-both-ways": {
    summary:
      "over polling and websocket: Buffer/Uint8Array/ArrayBuffer args (empty, 1 KB random, nested in " +
      "objects and arrays, mixed with text) round-trip through message-back and message-with-ack as Buffers; " +
      "get-binary acks <01 02 03>, {nested:{data:<04 05>}, list:[<06>]}",
    async run(ctx) {
      const random = randomBytes(1024);
      const args = [
        Buffer.from([1, 2, 3]),
        new Uint8Array([4, 5, 6]),
        new Uint8Array([7, 8]).buffer,
        { nested: { deep: Buffer.from("héllo") }, arr: [Buffer.from([0]), "text", 5], n: null },
        [Buffer.alloc(0), random, [new Uint8Array([255, 254])]],
        "plain text",
        42,
      ];
      const want = asReceived(args);
      for (const transports of EACH_TRANSPORT) {
        const a = ctx.client(`a/${transports}`, "/", { transports });
        await a.connected();
        a.socket.emit("message", ...args);
        assert.deepEqual(await a.next("message-back"), want, `message-back over ${transports}`);
        assert.deepEqual(await a.ack("message-with-ack", ...args), want, `message-with-ack over ${transports}`);
        a.socket.emit("message", random);
        assert.deepEqual(await a.next("message-back"), [random], "single binary arg");
        assert.deepEqual(
          await a.ack("get-binary"),
          [Buffer.from([1, 2, 3]), { nested: { data: Buffer.from([4, 5]) }, list: [Buffer.from([6])] }],
          `get-binary over ${transports}`,
        );
        a.socket.disconnect();
      }
    },
  },

  "namespaces-multiplexed": {
    summary:
      "io(url) and io(url + '/custom') share one Manager and one engine (same engine id), get distinct socket " +
      "ids and their own auth events; disconnecting /custom leaves / working on the same engine; /custom " +
      "reconnects on it",
    async run(ctx) {
      // io() without forceNew: the Manager cache of this process is shared.
      const opts = { reconnectionDelay: 100, timeout: WAIT_MS };
      const a = ctx.adopt("main", io(ctx.url, { ...opts, auth: { who: "main" } }));
      const b = ctx.adopt("custom", io(ctx.url + "/custom", { ...opts, auth: { who: "custom" } }));
      assert.equal(a.socket.io, b.socket.io, "one Manager for both namespaces");
      const idA = await a.connected();
      const idB = await b.connected();
      assert.notEqual(idA, idB, "socket ids differ per namespace");
      assert.equal(a.socket.io.engine.id, b.socket.io.engine.id, "one engine session");
      assert.deepEqual(await a.next1("auth"), { who: "main" });
      assert.deepEqual(await b.next1("auth"), { who: "custom" });
      const engineId = a.socket.io.engine.id;
      b.socket.disconnect();
      assert.equal(await a.ack1("echo", "main still here"), "main still here");
      assert.equal(a.socket.io.engine.id, engineId, "engine kept after leaving /custom");
      b.socket.connect();
      await b.connected();
      assert.deepEqual(await b.next1("auth"), { who: "custom" });
      assert.equal(b.socket.io.engine.id, engineId, "/custom rejoined on the same engine");
      assert.equal(a.seen("disconnect").length, 0, "/ never disconnected");
    },
  },

  "invalid-namespace": {
    summary:
      "io(url + '/nope') gets connect_error 'Invalid namespace' and does not retry; on a shared Manager the " +
      "refusal leaves the engine open and / works",
    async run(ctx) {
      const a = ctx.client("nope", "/nope");
      const err = await a.next1("connect_error");
      assert.equal(err.message, "Invalid namespace");
      assert.equal(a.socket.active, false, "no automatic retry after a CONNECT_ERROR");
      const m = new Manager(ctx.url, { reconnectionDelay: 100, timeout: WAIT_MS });
      const bad = ctx.adopt("shared/nope", m.socket("/nope"));
      const good = ctx.adopt("shared/main", m.socket("/"));
      assert.equal((await bad.next1("connect_error")).message, "Invalid namespace");
      await good.connected();
      assert.equal(await good.ack1("echo", "ok"), "ok");
      await sleep(300);
      assert.equal(a.seen("connect").length + bad.seen("connect").length, 0, "refused sockets never connect");
      assert.equal(good.seen("disconnect").length, 0, "/ unaffected by the refused namespace");
    },
  },

  "middleware-rejection": {
    summary:
      "/admin without token -> connect_error message 'not authorized', data {reason:'bad token'}, no retry; " +
      "same socket with auth {token:'secret'} and connect() -> welcome 'admin'; wrong token refused; new socket " +
      "with the token -> welcome",
    async run(ctx) {
      const a = ctx.client("admin", "/admin");
      const err = await a.next1("connect_error");
      assert.equal(err.message, "not authorized");
      assert.deepEqual(err.data, { reason: "bad token" });
      assert.equal(a.socket.active, false, "no automatic retry after a middleware refusal");
      a.socket.auth = { token: "secret" };
      a.socket.connect();
      await a.connected();
      assert.equal(await a.next1("welcome"), "admin");
      const wrong = ctx.client("wrong", "/admin", { auth: { token: "nope" } });
      const err2 = await wrong.next1("connect_error");
      assert.equal(err2.message, "not authorized");
      assert.deepEqual(err2.data, { reason: "bad token" });
      const ok = ctx.client("ok", "/admin", { auth: { token: "secret" } });
      await ok.connected();
      assert.equal(await ok.next1("welcome"), "admin");
    },
  },

  "auth-payload": {
    summary:
      "auth {token:'123'} arrives as the auth event on / and on /custom; the function form of auth and a " +
      "nested Unicode payload arrive unchanged",
    async run(ctx) {
      const a = ctx.client("main", "/", { auth: { token: "123" } });
      const b = ctx.client("custom", "/custom", { auth: { token: "123" } });
      const rich = { token: "abc", user: { name: "zoë 😀", roles: ["a", "b"], n: 1.5, ok: true, none: null } };
      const c = ctx.client("fn", "/custom", { auth: (cb) => cb(rich) });
      await Promise.all([a.connected(), b.connected(), c.connected()]);
      assert.deepEqual(await a.next1("auth"), { token: "123" });
      assert.deepEqual(await b.next1("auth"), { token: "123" });
      assert.deepEqual(await c.next1("auth"), rich);
    },
  },

  "dynamic-namespace": {
    summary:
      "/dyn-abc123 and /dyn-7 connect and receive nsp with their own name; /dyn-ABC and /dyn- (no match) " +
      "get 'Invalid namespace'",
    async run(ctx) {
      for (const nsp of ["/dyn-abc123", "/dyn-7"]) {
        const c = ctx.client(nsp, nsp);
        await c.connected();
        assert.equal(await c.next1("nsp"), nsp);
      }
      for (const nsp of ["/dyn-ABC", "/dyn-"]) {
        const c = ctx.client(nsp, nsp);
        assert.equal((await c.next1("connect_error")).message, "Invalid namespace", nsp);
      }
    },
  },

  "rooms-broadcast": {
    summary:
      "3 clients, A and B join r1: to-room from A reaches only B; to-room-all reaches A and B; except-room " +
      "reaches only C; bcast reaches all three with all args; after B leaves, to-room-all reaches only A " +
      "(a bcast barrier after each step proves what did NOT arrive)",
    async run(ctx) {
      const [a, b, c] = ["A", "B", "C"].map((n) => ctx.client(n, "/"));
      await Promise.all([a, b, c].map((x) => x.connected()));
      assert.equal(await a.ack1("join", "r1"), true);
      assert.equal(await b.ack1("join", "r1"), true);
      const t = tag();
      const mine = (...args) => args.includes(t);
      let step = 0;
      // The server handles A's events in order and queues each broadcast before
      // the next, so once every client has the barrier, every packet of the
      // step that was meant for it has arrived.
      const barrier = async () => {
        step++;
        a.socket.emit("bcast", "barrier", step, t);
        for (const x of [a, b, c]) {
          assert.deepEqual(await x.next("bcast", { match: (...y) => mine(...y) && y[1] === step }), ["barrier", step, t]);
        }
      };
      const got = (x, ev) => x.seen(ev, mine).length;
      const check = (what, ev, want) => {
        assert.deepEqual([a, b, c].map((x) => got(x, ev)), want, `${what}: ${ev} count per A,B,C`);
      };

      a.socket.emit("to-room", "r1", "to-room", t, { n: 1 });
      await barrier();
      check("to-room r1 from A", "room-msg", [0, 1, 0]);
      assert.deepEqual(b.seen("room-msg", mine)[0], ["to-room", t, { n: 1 }]);

      a.socket.emit("to-room-all", "r1", "to-room-all", t);
      await barrier();
      check("to-room-all r1", "room-msg", [1, 2, 0]);
      assert.deepEqual(a.seen("room-msg", mine)[0], ["to-room-all", t]);

      a.socket.emit("except-room", "r1", "except", t);
      await barrier();
      check("except-room r1", "except-msg", [0, 0, 1]);
      assert.deepEqual(c.seen("except-msg", mine)[0], ["except", t]);

      c.socket.emit("bcast", "hello", t, { all: [1, "two"] });
      for (const x of [a, b, c]) {
        assert.deepEqual(await x.next("bcast", { match: (...y) => y[0] === "hello" && mine(...y) }), ["hello", t, { all: [1, "two"] }]);
      }

      assert.equal(await b.ack1("leave", "r1"), true);
      a.socket.emit("to-room-all", "r1", "after-leave", t);
      await barrier();
      check("to-room-all r1 after B left", "room-msg", [2, 2, 0]);
      assert.deepEqual(a.seen("room-msg", mine)[1], ["after-leave", t]);
    },
  },

  "server-disconnect": {
    summary:
      "server-disconnect: client reason 'io server disconnect', not active, no reconnect within 1 s; another " +
      "namespace on the same engine stays connected; reason-of says 'server namespace disconnect'",
    async run(ctx) {
      const m = new Manager(ctx.url, { reconnectionDelay: 100, timeout: WAIT_MS });
      const a = ctx.adopt("a", m.socket("/"));
      const side = ctx.adopt("a/custom", m.socket("/custom"));
      const obs = ctx.client("observer", "/");
      const id = await a.connected();
      await side.connected();
      await obs.connected();
      a.socket.emit("server-disconnect");
      assert.equal(await a.next1("disconnect"), "io server disconnect");
      assert.equal(a.socket.active, false, "no reconnection after io server disconnect");
      await sleep(1000);
      assert.equal(a.seen("connect").length, 1, "did not reconnect");
      assert.equal(a.seen("manager:reconnect_attempt").length, 0, "no reconnect attempt");
      assert.equal(side.seen("disconnect").length, 0, "/custom on the same engine stays connected");
      assert.equal(side.socket.connected, true);
      assert.equal(await ctx.reasonOf(obs, id), "server namespace disconnect");
    },
  },

  "server-close": {
    summary:
      "server-close (disconnect(true)): client reason 'io server disconnect' (what socket.io 4.8.4 gives: the " +
      "DISCONNECT is flushed before the connection closes), no reconnect within 1 s; another namespace on the " +
      "same engine is disconnected too ('io server disconnect'); reason-of says 'server namespace disconnect'",
    async run(ctx) {
      const m = new Manager(ctx.url, { reconnectionDelay: 100, timeout: WAIT_MS });
      const a = ctx.adopt("a", m.socket("/"));
      const side = ctx.adopt("a/custom", m.socket("/custom"));
      const obs = ctx.client("observer", "/");
      const id = await a.connected();
      await side.connected();
      await obs.connected();
      a.socket.emit("server-close");
      assert.equal(await a.next1("disconnect"), "io server disconnect");
      assert.equal(await side.next1("disconnect"), "io server disconnect", "/custom on the closed engine");
      assert.equal(a.socket.active, false, "no reconnection after io server disconnect");
      await sleep(1000);
      assert.equal(a.seen("connect").length, 1, "did not reconnect");
      assert.equal(side.seen("connect").length, 1, "/custom did not reconnect");
      assert.equal(await ctx.reasonOf(obs, id), "server namespace disconnect");
    },
  },

  "client-disconnect": {
    summary:
      "socket.disconnect(): client reason 'io client disconnect', not active; reason-of says 'client " +
      "namespace disconnect'",
    async run(ctx) {
      const a = ctx.client("a", "/");
      const obs = ctx.client("observer", "/");
      const id = await a.connected();
      await obs.connected();
      a.socket.disconnect();
      assert.equal(await a.next1("disconnect"), "io client disconnect");
      assert.equal(a.socket.active, false);
      assert.equal(await ctx.reasonOf(obs, id), "client namespace disconnect");
    },
  },

  "reconnect-after-restart": {
    serial: true,
    ctrl: ["restart"],
    summary:
      "CTRL restart: the client sees disconnect (a reconnecting reason), Manager reconnect_attempt and " +
      "reconnect, a new connect with a new id, the auth event again, and a working echo",
    async run(ctx) {
      const a = ctx.client("a", "/", { randomizationFactor: 0 });
      const oldId = await a.connected();
      assert.equal(await a.ack1("echo", "before"), "before");
      await ctx.ctrl("restart");
      const reason = await a.next1("disconnect", { ms: 5000 });
      console.log(`INFO disconnect reason on restart: ${reason}`);
      assert.ok(RECONNECTING_REASONS.includes(reason), `reason ${show(reason)} is one the client reconnects after`);
      await a.next("manager:reconnect_attempt", { ms: 5000 });
      await a.next("manager:reconnect", { ms: 5000 });
      await a.next("connect", { ms: 5000 });
      assert.notEqual(a.socket.id, oldId, "a new socket id after reconnecting");
      // "auth" is the frame after the CONNECT reply: the client's "connect"
      // can fire before it is read.
      for (const t0 = Date.now(); a.seen("auth").length < 2 && Date.now() - t0 < 5000; ) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(a.seen("auth").length, 2, "auth emitted again on the new connection");
      assert.equal(await a.ack1("echo", "after"), "after");
    },
  },

  "ping-timeout": {
    summary:
      "a raw ws client completes the CONNECT, receives pings, never answers: the server closes it within " +
      "2.5 s of the CONNECT reply and reason-of says 'ping timeout'; a normal client stays connected",
    async run(ctx) {
      const obs = ctx.client("observer", "/");
      await obs.connected();
      const ws = new WebSocket(ctx.url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket");
      const frames = [];
      let sid;
      let connectedAt;
      const closed = new Promise((resolve, reject) => {
        ws.on("close", () => resolve(Date.now()));
        ws.on("error", reject);
      });
      const gotSid = new Promise((resolve, reject) => {
        ws.on("message", (data, isBinary) => {
          const text = isBinary ? "<binary>" : data.toString();
          frames.push(text);
          if (text.startsWith("0{")) {
            const open = JSON.parse(text.slice(1));
            assert.equal(open.pingInterval, 300);
            assert.equal(open.pingTimeout, 1000);
            ws.send("40");
          } else if (text.startsWith("40{")) {
            connectedAt = Date.now();
            sid = JSON.parse(text.slice(2)).sid;
            resolve(sid);
          } else if (text.startsWith("44")) {
            reject(new Error(`CONNECT refused: ${text}`));
          }
          // Pings ("2") are deliberately never answered.
        });
      });
      await within(WAIT_MS, gotSid, "waiting for the CONNECT reply on the raw websocket");
      const closedAt = await within(WAIT_MS, closed, `waiting for the server to drop the silent client (frames: ${show(frames)})`);
      const after = closedAt - connectedAt;
      assert.ok(after <= 2500, `server dropped the silent client ${after} ms after CONNECT, want <= 2500 (pingInterval + pingTimeout is 1300)`);
      assert.ok(frames.includes("2"), `the server pinged before dropping (frames: ${show(frames)})`);
      assert.equal(await ctx.reasonOf(obs, sid), "ping timeout");
      assert.equal(obs.seen("disconnect").length, 0, "the answering client stayed connected");
    },
  },

  "oversized-message": {
    summary:
      "a 20000-byte message (maxHttpBufferSize 10000) makes the server drop that connection: over websocket " +
      "the client reason is 'transport close'; over polling 'transport close' or 'transport error' (the close " +
      "and the 413 race); server reason-of 'transport error'; the client reconnects and works; an observer " +
      "client is unaffected",
    async run(ctx) {
      const obs = ctx.client("observer", "/");
      await obs.connected();
      const want = { websocket: ["transport close"], polling: ["transport close", "transport error"] };
      for (const transports of EACH_TRANSPORT) {
        const a = ctx.client(`big/${transports}`, "/", { transports });
        const id = await a.connected();
        a.socket.emit("message", "x".repeat(20000));
        const reason = await a.next1("disconnect");
        console.log(`INFO oversized message over ${transports}: client reason ${reason}`);
        assert.ok(want[transports[0]].includes(reason), `client reason ${show(reason)} over ${transports}, want one of ${show(want[transports[0]])}`);
        await a.next("connect");
        assert.notEqual(a.socket.id, id, "reconnected with a new id");
        assert.equal(await a.ack1("echo", "back"), "back");
        assert.equal(await ctx.reasonOf(obs, id), "transport error");
        a.socket.disconnect();
      }
      assert.equal(await obs.ack1("echo", "fine"), "fine");
      assert.equal(obs.seen("disconnect").length, 0, "observer never disconnected");
    },
  },

  "handshake-details": {
    summary:
      "over polling and websocket: query {foo:'bar', 'ünï':'cödé'} and extraHeaders {'x-test':'1'} reach " +
      "socket.handshake (query also has EIO '4' and the transport name); address is loopback",
    async run(ctx) {
      for (const transports of EACH_TRANSPORT) {
        const a = ctx.adopt(
          `a/${transports}`,
          io(ctx.url, {
            forceNew: true,
            transports,
            query: { foo: "bar", "ünï": "cödé" },
            extraHeaders: { "x-test": "1" },
            timeout: WAIT_MS,
          }),
        );
        await a.connected();
        const h = await a.ack1("handshake");
        assert.equal(h.query.foo, "bar");
        assert.equal(h.query["ünï"], "cödé");
        assert.equal(h.query.EIO, "4");
        assert.equal(h.query.transport, transports[0]);
        assert.deepEqual(h.headers, { "x-test": "1" });
        assert.ok(["127.0.0.1", "::ffff:127.0.0.1", "::1"].includes(h.address), `address ${show(h.address)}`);
        a.socket.disconnect();
      }
    },
  },

  "ask-all": {
    serial: true,
    summary:
      "3 clients each answer 'poll' with their own value; ask-all acks the sorted list of the three answers; " +
      "'poll' carries only the ack callback",
    async run(ctx) {
      const t = tag();
      const values = [`zulu-${t}`, `alpha-${t}`, `mike-${t}`];
      const clients = values.map((v, i) => {
        const c = ctx.client(`c${i}`, "/");
        c.socket.on("poll", (...args) => {
          assert.equal(args.length, 1, "poll carries only the ack callback");
          args[0](v);
        });
        return c;
      });
      await Promise.all(clients.map((c) => c.connected()));
      const t0 = Date.now();
      const answers = await clients[0].ack1("ask-all");
      console.log(`INFO ask-all answered in ${Date.now() - t0} ms`);
      assert.deepEqual(answers, [...values].sort());
    },
  },

  count: {
    serial: true,
    summary:
      "count equals the number of clients connected to / (3), drops to 2 after one disconnects, and ignores " +
      "a client connected only to /custom",
    async run(ctx) {
      const cs = [0, 1, 2].map((i) => ctx.client(`c${i}`, "/"));
      await Promise.all(cs.map((c) => c.connected()));
      // Sessions of clients of earlier runs may take up to pingInterval +
      // pingTimeout to go away, hence the polling.
      await eventually("count == 3", () => cs[0].ack1("count"), (n) => n === 3);
      cs[2].socket.disconnect();
      await eventually("count == 2 after a disconnect", () => cs[0].ack1("count"), (n) => n === 2);
      const other = ctx.client("custom", "/custom");
      await other.connected();
      assert.equal(await cs[1].ack1("count"), 2, "a /custom-only client is not counted");
    },
  },
};

/** polling-only and websocket-only. */
async function onlyTransport(ctx, name) {
  const a = ctx.client("a", "/", { transports: [name] });
  await a.connected();
  assert.equal(a.socket.io.engine.transport.name, name);
  assert.deepEqual(await a.next1("auth"), {});
  assert.equal(await a.ack1("echo", "one"), "one");
  a.socket.emit("message", "hi", { n: 1 });
  assert.deepEqual(await a.next("message-back"), ["hi", { n: 1 }]);
  await a.next("manager:ping", { ms: 1500 });
  await sleep(1400); // longer than pingInterval + pingTimeout
  assert.equal(a.socket.connected, true, "still connected after a heartbeat cycle");
  assert.equal(a.seen("disconnect").length, 0, "never disconnected");
  assert.equal(a.socket.io.engine.transport.name, name, "transport unchanged");
  assert.ok(a.seen("manager:ping").length >= 2, `pings seen: ${a.seen("manager:ping").length}, want >= 2`);
  assert.equal(await a.ack1("echo", "two"), "two");
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

/** The error message on one line (assert diffs span several), at most 600 chars. */
function oneLine(err) {
  const text = String(err?.message ?? err)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" | ");
  return text.length > 600 ? text.slice(0, 600) + "…" : text;
}

function usage(msg) {
  console.error(`scenarios: ${msg}`);
  console.error("usage: node scenarios.mjs --list | --list-json | --url http://127.0.0.1:PORT --scenario NAME");
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      url: { type: "string" },
      scenario: { type: "string" },
      list: { type: "boolean" },
      "list-json": { type: "boolean" },
    },
  }).values;
} catch (e) {
  usage(e.message);
}

if (args.list) {
  for (const name of Object.keys(scenarios)) console.log(name);
  process.exit(0);
}
if (args["list-json"]) {
  const list = Object.entries(scenarios).map(([name, s]) => ({
    name,
    serial: !!s.serial,
    ctrl: s.ctrl ?? [],
    summary: s.summary,
  }));
  console.log(JSON.stringify(list, null, 2));
  process.exit(0);
}
if (!args.url) usage("--url is required");
if (!args.scenario) usage("--scenario is required");
const name = args.scenario;
const scenario = scenarios[name];
if (!scenario) usage(`unknown scenario ${JSON.stringify(name)} (see --list)`);

const ctx = new Context(args.url);
const crash = (err) => {
  console.log(`FAIL ${name}: ${oneLine(err)}`);
  console.error(err?.stack ?? err);
  process.exit(1);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);
const limit = setTimeout(() => {
  console.log(`FAIL ${name}: exceeded ${RUN_LIMIT_MS} ms`);
  for (const c of ctx.clients) console.error(`${c.name}: ${c.summary()}`);
  process.exit(1);
}, RUN_LIMIT_MS);
try {
  await scenario.run(ctx);
  clearTimeout(limit);
  ctx.close();
  console.log(`PASS ${name}`);
  process.exit(0);
} catch (err) {
  console.log(`FAIL ${name}: ${oneLine(err)}`);
  console.error(err?.stack ?? err);
  for (const c of ctx.clients) console.error(`events of ${c.name}: ${c.summary()}`);
  process.exit(1);
}
