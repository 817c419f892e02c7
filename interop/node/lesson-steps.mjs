// Contract checks of the workbook's lesson steps, run with the OFFICIAL
// `socket.io-client` against a running workbook (lessons.Site). Each step
// of the lessons has its own Socket.IO server at
// /lessons/<lesson>/<step>/socket.io/; this script plays one client of it
// and checks what the tutorial promises the client sees. What only the
// server sees (its log, the tasks it ticks) is checked by the Go test
// (lessons/contract_test.go) once this script has passed.
//
// Usage:
//
//   node lesson-steps.mjs --url http://127.0.0.1:PORT --step hello/connect
//                         [--client BROWSER_ID] [--transports polling,websocket] [--lang es]
//
// --client is sent as the "wb_client" cookie, so that the server ticks
// that browser's tasks; --lang as the "wb_lang" cookie, the language the
// workbook's switch keeps, in which a step's server may answer. A run prints `PASS <step>` and exits 0, or
// `FAIL <step>: <message>` and exits 1. `INFO` lines are informational;
// `SENT <json>` lines tell the Go test what the client emitted.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { io, Manager } from "socket.io-client";

const RUN_LIMIT_MS = 20000;

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    step: { type: "string" },
    client: { type: "string", default: "" },
    transports: { type: "string", default: "polling,websocket" },
    lang: { type: "string", default: "" },
  },
});
if (!args.url || !args.step) {
  console.error("usage: node lesson-steps.mjs --url URL --step LESSON/STEP [--client ID] [--transports LIST]");
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the arguments of the next `event` of socket, or rejects after ms. */
function next(socket, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const listener = (...received) => {
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(received);
    };
    socket.on(event, listener);
  });
}

/** The options of every connection to the step's server. */
function options() {
  return {
    path: `/lessons/${args.step}/socket.io/`,
    reconnection: false,
    transports: args.transports.split(","),
    extraHeaders: cookie() ? { cookie: cookie() } : {},
  };
}

/** The cookies of the browser the script plays: its id and language. */
function cookie() {
  return [args.client && `wb_client=${args.client}`, args.lang && `wb_lang=${args.lang}`].filter(Boolean).join("; ");
}

/** A new client of the step's server, with its own connection. */
function connect(namespace = "/") {
  return io(args.url + namespace, { ...options(), forceNew: true });
}

/** A new connection (a Manager) to the step's server, for several namespaces. */
function manager() {
  return new Manager(args.url, options());
}

/**
 * Keeps every event socket receives, so that none is missed between two
 * awaits, and gives them back in order: socket.take(event) resolves with
 * the first argument of the next unread one, socket.none(event) asserts
 * that none is there, or comes within ms.
 */
function inbox(socket) {
  const queues = new Map(); // event -> [first argument, ...]
  let wake = () => {};
  socket.onAny((event, ...received) => {
    if (!queues.has(event)) queues.set(event, []);
    queues.get(event).push(received[0]);
    wake();
  });
  socket.take = async (event, ms = 3000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const queue = queues.get(event);
      if (queue?.length) return queue.shift();
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${event}" within ${ms} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  socket.none = async (event, ms = 300) => {
    await sleep(ms);
    const queue = queues.get(event) ?? [];
    assert.equal(queue.length, 0, `unexpected "${event}": ${JSON.stringify(queue)}`);
  };
  return socket;
}

/** POSTs a fault of the step page (faults/<name>) as this client's browser, and checks its status. */
async function fault(name, status) {
  const res = await fetch(`${args.url}/lessons/${args.step}/faults/${name}`, {
    method: "POST",
    headers: { cookie: `wb_client=${args.client}` },
  });
  const body = await res.json();
  assert.equal(res.status, status, `POST faults/${name}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** The N of a description "<N> clients connected!" ("1 client connected!"; "¡<N> clientes conectados!" in Spanish). */
function count(data) {
  const pattern = args.lang === "es" ? /^¡(\d+) clientes? conectados?!$/ : /^(\d+) clients? connected!$/;
  const m = pattern.exec(data?.description ?? "");
  assert.ok(m, `a count of clients, got ${JSON.stringify(data)}`);
  return Number(m[1]);
}

/**
 * What the servers of broadcast, namespaces and rooms say, in the
 * learner's language (--lang es), English otherwise: the workbook runs
 * those steps' servers once per language.
 */
const words = args.lang === "es"
  ? { welcome: "¡Hola, te damos la bienvenida!", hi: "¡Hola a todos!", room: (n) => `Estás en la sala n.º ${n}`,
      youLeft: (n) => `Has salido de la sala n.º ${n}`, clientLeft: (n) => `Un cliente ha salido de la sala n.º ${n}` }
  : { welcome: "Hey, welcome!", hi: "Hello everyone!", room: (n) => `You are in room no. ${n}`,
      youLeft: (n) => `You left room no. ${n}`, clientLeft: (n) => `A client left room no. ${n}` };

/** Waits for an event that the server sends about 4 s after connecting. */
async function fourSecondsLater(socket, event) {
  await next(socket, "connect");
  const connectedAt = Date.now();
  const [data] = await next(socket, event, 8000);
  const elapsed = Date.now() - connectedAt;
  console.log(`INFO ${event} came ${elapsed} ms after connecting`);
  assert.ok(elapsed >= 3500 && elapsed <= 6500, `${event} after ${elapsed} ms, want about 4000`);
  return data;
}

const steps = {
  // Connects, leaves, connects again: the server logs a connect, a
  // disconnect and a connect (the Go side checks the log).
  async "hello/connect"() {
    const first = connect();
    await next(first, "connect");
    const firstID = first.id;
    first.disconnect();
    await sleep(100);
    const second = connect();
    await next(second, "connect");
    assert.notEqual(second.id, firstID, "a new connection gets a new socket id");
    await sleep(100);
    second.disconnect();
  },

  // The server sends "message" (socket.send) with a text about 4 s after
  // the connection; the client answers with a message of its own.
  async "events/message"() {
    const socket = connect();
    const data = await fourSecondsLater(socket, "message");
    // In the learner's language (--lang es), English otherwise.
    assert.equal(data, args.lang === "es" ? "¡Mensaje enviado 4 segundos después de conectar!" : "Sent a message 4 seconds after connection!");
    console.log(`INFO message: ${data}`);
    const reply = "thanks from the official client";
    socket.send(reply);
    console.log(`SENT ${JSON.stringify(reply)}`);
    await sleep(200);
    socket.disconnect();
  },

  // The server emits testerEvent with {description} about 4 s after the
  // connection; the client sends it back.
  async "events/custom-event"() {
    const socket = connect();
    const data = await fourSecondsLater(socket, "testerEvent");
    assert.equal(typeof data, "object", "testerEvent carries an object");
    assert.equal(data.description, args.lang === "es" ? "¡Un evento propio llamado testerEvent!" : "A custom event named testerEvent!",
      "with a description in the learner's language");
    console.log(`INFO testerEvent: ${JSON.stringify(data)}`);
    socket.emit("testerEvent", data);
    console.log(`SENT ${JSON.stringify(data)}`);
    await sleep(200);
    socket.disconnect();
  },

  // The client emits clientEvent with a text (before it is even
  // connected, as the tutorial does) and with an object; the server logs
  // them.
  async "events/client-event"() {
    const socket = connect();
    const text = `Hello from the official client ${Math.random().toString(36).slice(2, 8)}`;
    const object = { from: "node", n: 1 };
    socket.emit("clientEvent", text);
    socket.emit("clientEvent", object);
    console.log(`SENT ${JSON.stringify(text)}`);
    console.log(`SENT ${JSON.stringify(object)}`);
    await next(socket, "connect");
    await sleep(300);
    socket.disconnect();
  },

  // Every connect and disconnect sends "broadcast" {description: "<N>
  // clients connected!"} to every client connected. N counts whoever is
  // on the step, so the checks are relative to the first count.
  async "broadcast/everyone"() {
    const a = inbox(connect());
    const n = count(await a.take("broadcast"));
    assert.ok(n >= 1, `the first count is ${n}`);
    const b = inbox(connect());
    assert.equal(count(await a.take("broadcast")), n + 1, "the first client hears of the second");
    assert.equal(count(await b.take("broadcast")), n + 1, "the newcomer gets the count too");
    const c = inbox(connect());
    for (const s of [a, b, c]) assert.equal(count(await s.take("broadcast")), n + 2, "a third: everyone hears");
    c.disconnect();
    for (const s of [a, b]) assert.equal(count(await s.take("broadcast")), n + 1, "one leaves: the others hear");
    b.disconnect();
    assert.equal(count(await a.take("broadcast")), n, "back to the first count");
    a.disconnect();
  },

  // A newcomer gets "newclientconnect" {description: "Hey, welcome!"}, and
  // only that; every other client gets the count. On a disconnect, the
  // others get the count again.
  async "broadcast/others"() {
    const welcome = { description: words.welcome };
    const a = inbox(connect());
    assert.deepEqual(await a.take("newclientconnect"), welcome);
    const b = inbox(connect());
    assert.deepEqual(await b.take("newclientconnect"), welcome, "the newcomer is welcomed");
    const n = count(await a.take("newclientconnect"));
    assert.ok(n >= 2, `the count after two clients is ${n}`);
    const c = inbox(connect());
    assert.deepEqual(await c.take("newclientconnect"), welcome);
    for (const s of [a, b]) assert.equal(count(await s.take("newclientconnect")), n + 1, "the others get the count");
    await c.none("newclientconnect"); // no count of its own arrival
    c.disconnect();
    for (const s of [a, b]) assert.equal(count(await s.take("newclientconnect")), n, "one leaves: the others hear");
    b.disconnect();
    assert.equal(count(await a.take("newclientconnect")), n - 1);
    await a.none("newclientconnect");
    a.disconnect();
  },

  // A client of "/" makes everyone in "/" get "hi" "Hello everyone!" (in the
  // learner's language); the
  // server logs the client's own "hi". This server has no /my-namespace.
  async "namespaces/default"() {
    const a = inbox(connect());
    assert.equal(await a.take("hi"), words.hi);
    const b = inbox(connect());
    assert.equal(await b.take("hi"), words.hi);
    assert.equal(await a.take("hi"), words.hi, "everyone in / gets hi");
    const reply = "Hello from the official client";
    b.emit("hi", reply);
    console.log(`SENT ${JSON.stringify(reply)}`);
    const nowhere = connect("/my-namespace");
    const [err] = await next(nowhere, "connect_error");
    assert.equal(err.message, "Invalid namespace", "no /my-namespace on this step");
    nowhere.close();
    await sleep(100);
    a.disconnect();
    b.disconnect();
  },

  // A client of /my-namespace makes everyone in /my-namespace get "hi"
  // "Hello everyone!", and nobody in "/"; one Manager carries both
  // namespaces over one Engine.IO session.
  async "namespaces/custom"() {
    const m = manager();
    const a = inbox(m.socket("/my-namespace"));
    assert.equal(await a.take("hi"), words.hi);
    const root = inbox(m.socket("/"));
    await next(root, "connect");
    assert.ok(a.connected && root.connected, "both namespaces connected");
    assert.equal(root.io, a.io, "one Manager");
    assert.ok(m.engine.id, "an Engine.IO session");
    console.log(`INFO / and /my-namespace on Engine.IO session ${m.engine.id}`);
    const b = inbox(connect("/my-namespace"));
    assert.notEqual(b.io.engine.id, m.engine.id, "another client, another session");
    assert.equal(await b.take("hi"), words.hi);
    assert.equal(await a.take("hi"), words.hi, "everyone in /my-namespace gets hi");
    await root.none("hi");
    root.disconnect();
    await sleep(100);
    assert.ok(a.connected, "leaving / keeps the connection for /my-namespace");
    a.disconnect();
    b.disconnect();
  },

  // Rooms "room-<N>" of two: on joining, everyone in the room gets
  // "connectToRoom" "You are in room no. <N>"; a third client goes to room
  // 2; a disconnect frees a place. The numbers assume nobody else on the
  // step (one contract per step).
  async "rooms/join"() {
    const room = words.room;
    const a = inbox(connect());
    assert.equal(await a.take("connectToRoom"), room(1));
    const b = inbox(connect());
    assert.equal(await b.take("connectToRoom"), room(1));
    assert.equal(await a.take("connectToRoom"), room(1), "the room hears of its new member");
    const c = inbox(connect());
    assert.equal(await c.take("connectToRoom"), room(2), "room 1 is full: the third goes to room 2");
    await a.none("connectToRoom");
    await b.none("connectToRoom", 0);
    a.disconnect();
    await sleep(300); // for the server to see it go
    const d = inbox(connect());
    assert.equal(await d.take("connectToRoom"), room(1), "a disconnect frees its place");
    assert.equal(await b.take("connectToRoom"), room(1));
    await c.none("connectToRoom");
    for (const s of [b, c, d]) s.disconnect();
  },

  // A client that emits "leaveRoom" is taken out of its room: it gets
  // "leftRoom" "You left room no. <N>", the room gets "A client left room
  // no. <N>", and the next client takes the place.
  async "rooms/leave"() {
    const a = inbox(connect());
    assert.equal(await a.take("connectToRoom"), words.room(1));
    const b = inbox(connect());
    assert.equal(await b.take("connectToRoom"), words.room(1));
    assert.equal(await a.take("connectToRoom"), words.room(1));
    a.emit("leaveRoom");
    assert.equal(await a.take("leftRoom"), words.youLeft(1));
    assert.equal(await b.take("leftRoom"), words.clientLeft(1));
    await a.none("leftRoom");
    a.emit("leaveRoom"); // out already: nothing happens
    await b.none("leftRoom");
    await a.none("leftRoom", 0);
    const c = inbox(connect());
    assert.equal(await c.take("connectToRoom"), words.room(1), "the free place is taken");
    assert.equal(await b.take("connectToRoom"), words.room(1));
    await a.none("connectToRoom");
    assert.ok(a.connected, "leaving a room is not leaving the server");
    for (const s of [a, b, c]) s.disconnect();
  },

  // A middleware refuses a client without auth.token "open sesame":
  // connect_error "not authorized" with data {hint}, and no retry. "kickMe"
  // makes the server disconnect the socket: "io server disconnect", no
  // retry either, until socket.connect().
  async "errors/connect-error"() {
    // The reason, the hint and the welcome in the learner's language.
    const says = args.lang === "es"
      ? { refused: "no autorizado", hint: 'conéctate con io({ auth: { token: "open sesame" } })', welcome: "¡Estás dentro!" }
      : { refused: "not authorized", hint: 'connect with io({ auth: { token: "open sesame" } })', welcome: "You are in!" };
    const bad = io(args.url, { ...options(), forceNew: true, auth: { token: "wrong" } });
    const [err] = await next(bad, "connect_error");
    assert.equal(err.message, says.refused);
    assert.deepEqual(err.data, { hint: says.hint });
    await sleep(300);
    assert.ok(!bad.connected && !bad.active, "a refusal is final");
    bad.close();
    const good = inbox(io(args.url, { ...options(), forceNew: true, auth: { token: "open sesame" } }));
    assert.equal(await good.take("welcome"), says.welcome);
    const gone = next(good, "disconnect");
    good.emit("kickMe");
    assert.equal((await gone)[0], "io server disconnect");
    await sleep(300);
    assert.ok(!good.connected && !good.active, "kicked out: no reconnection by itself");
    good.connect();
    assert.equal(await good.take("welcome"), says.welcome, "socket.connect() lets it in again");
    good.disconnect();
  },

  // The step page's fault buttons, POSTed with this client's browser
  // cookie: the client reconnects by itself after each, and its events come
  // in the order the step's timeline shows. A restart reaches this
  // browser's clients alone; the server goes on, and so does its counter.
  async "errors/reconnect"() {
    const socket = io(args.url, {
      ...options(),
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      reconnectionAttempts: 10,
    });
    // The timeline: [event, detail], as client.html writes it.
    const timeline = [];
    let wake = () => {};
    const note = (event, detail = "") => {
      timeline.push([event, String(detail)]);
      wake();
    };
    socket.on("connect", () => note("connect"));
    socket.on("connect_error", (err) => note("connect_error", err.message));
    socket.on("disconnect", (reason) => note("disconnect", reason));
    socket.on("welcome", (n) => note("welcome", n));
    socket.io.on("reconnect_attempt", (n) => note("reconnect_attempt", n));
    socket.io.on("reconnect_error", (err) => note("reconnect_error", err.message));
    socket.io.on("reconnect", (n) => note("reconnect", n));
    socket.io.on("reconnect_failed", () => note("reconnect_failed"));
    /** Waits until the timeline from index from holds a "welcome": the client is back. */
    const back = async (from, ms) => {
      const deadline = Date.now() + ms;
      while (!timeline.slice(from).some(([e]) => e === "welcome")) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`not back within ${ms} ms: ${JSON.stringify(timeline.slice(from))}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const events = timeline.slice(from);
      console.log("INFO " + JSON.stringify(events));
      return events;
    };
    const onWebSocket = async () => {
      while (socket.io.engine?.transport?.name !== "websocket") await sleep(20);
    };

    await back(0, 3000);
    await onWebSocket();

    // Cut: no close packet; "transport close", then one attempt is enough.
    let from = timeline.length;
    assert.equal((await fault("cut", 200)).clients, 1);
    let events = await back(from, 5000);
    assert.deepEqual(events.map(([e]) => e), ["disconnect", "reconnect_attempt", "reconnect", "connect", "welcome"]);
    assert.deepEqual(events[0], ["disconnect", "transport close"]);
    assert.deepEqual(events[1], ["reconnect_attempt", "1"]);
    assert.deepEqual(events[2], ["reconnect", "1"]);
    await onWebSocket();

    // Stop the pings: the client gives up after pingInterval + pingTimeout.
    from = timeline.length;
    const stoppedAt = Date.now();
    assert.equal((await fault("stop-pings", 200)).clients, 1);
    events = await back(from, 9000);
    assert.deepEqual(events.map(([e]) => e), ["disconnect", "reconnect_attempt", "reconnect", "connect", "welcome"]);
    assert.deepEqual(events[0], ["disconnect", "ping timeout"]);
    console.log(`INFO ping timeout ${Date.now() - stoppedAt} ms after the pings stopped`);
    await onWebSocket();

    // Restart: attempts fail while the server is down for this browser
    // (connect_error, then reconnect_error, each time), then it is back as
    // the server's fourth connection.
    from = timeline.length;
    assert.equal((await fault("restart", 202)).outage, 3000);
    assert.match((await fault("restart", 409)).error, /restarting already/);
    events = await back(from, 9000);
    assert.deepEqual(events[0], ["disconnect", "transport close"]);
    const attempts = events.filter(([e]) => e === "reconnect_attempt").length;
    assert.ok(attempts >= 2, `at least one attempt fails while the server is down: ${JSON.stringify(events)}`);
    // Each failed attempt: connect_error on the socket, then reconnect_error
    // on the Manager; the last one gets in.
    const want = [["disconnect", "transport close"]];
    for (let n = 1; n < attempts; n++) {
      want.push(["reconnect_attempt", String(n)], ["connect_error"], ["reconnect_error"]);
    }
    want.push(["reconnect_attempt", String(attempts)], ["reconnect", String(attempts)], ["connect"], ["welcome", "4"]);
    assert.deepEqual(
      events.map(([e, detail], i) => (want[i]?.length === 1 ? [e] : [e, detail])),
      want,
      "failed attempts, then back",
    );
    socket.disconnect();
  },

  // A client says in auth.debug which debug pattern it runs with, and the
  // server logs it; "debugMe" comes back as "debugged" with the same data.
  // Run with DEBUG=socket.io-client:* to see this client's own trace.
  async "debugging/trace"() {
    const plain = inbox(io(args.url, { ...options(), forceNew: true }));
    await next(plain, "connect");
    plain.disconnect();
    for (const pattern of ["*", "socket.io-client:*,-socket.io-client:url"]) {
      const s = inbox(io(args.url, { ...options(), forceNew: true, auth: { debug: pattern } }));
      await next(s, "connect");
      if (pattern !== "*") {
        const data = { from: "the official client", pattern };
        console.log("SENT " + JSON.stringify(data));
        s.emit("debugMe", data);
        assert.deepEqual(await s.take("debugged"), data, "debugMe comes back as debugged");
        await s.none("debugged");
      }
      s.disconnect();
      await sleep(100);
    }
  },

  // Three clients of one page, as client.html makes them: polling only,
  // websocket only, and the default that starts with polling and upgrades.
  // Each names itself in auth.name; the upgraded one emits "upgraded".
  async "internals/transports"() {
    const client = (name, transports) =>
      io(args.url, { ...options(), transports, forceNew: true, auth: { name } });

    const polling = client("polling only", ["polling"]);
    await next(polling, "connect");
    assert.equal(polling.io.engine.transport.name, "polling");

    const websocket = client("websocket only", ["websocket"]);
    const handshake = new Promise((resolve) => websocket.io.engine.once("handshake", resolve));
    await next(websocket, "connect");
    assert.equal(websocket.io.engine.transport.name, "websocket");
    assert.deepEqual((await handshake).upgrades, [], "nothing to upgrade to from a WebSocket");

    const upgrading = client("upgrading", ["polling", "websocket"]);
    const engine = upgrading.io.engine;
    const upgraded = new Promise((resolve) => engine.once("upgrade", resolve));
    await next(upgrading.io, "open");
    assert.equal(engine.transport.name, "polling", "the default starts with polling");
    assert.equal((await upgraded).name, "websocket");
    upgrading.emit("upgraded");

    assert.equal(polling.io.engine.transport.name, "polling", "polling only never upgrades");

    // The tasks tick on the learner's "Connect again" only (auth.again), as
    // the page's button connects each client again.
    for (const s of [polling, websocket, upgrading]) {
      s.auth.again = true;
      s.disconnect();
      const upgradedAgain = s === upgrading ? new Promise((resolve) => s.io.once("open", () => s.io.engine.once("upgrade", resolve))) : null;
      s.connect();
      await next(s, "connect");
      if (upgradedAgain) {
        await upgradedAgain;
        s.emit("upgraded");
      }
    }
    await sleep(200);
    for (const s of [polling, websocket, upgrading]) s.disconnect();
  },

  // The open packet's fields, as the "handshake" event of the engine gives
  // them; "chat" and "add" (with an ack answered by the sum) as they go on
  // the wire, seen through the engine's packetCreate and packet events.
  async "internals/handshake"() {
    const socket = connect();
    const engine = socket.io.engine;
    const handshake = new Promise((resolve) => engine.once("handshake", resolve));
    const wire = [];
    engine.on("packetCreate", (p) => wire.push("up " + p.type + " " + (p.data ?? "")));
    engine.on("packet", (p) => wire.push("down " + p.type + " " + (p.data ?? "")));
    await next(socket, "connect");

    const open = await handshake;
    assert.deepEqual(Object.keys(open).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
    assert.equal(open.sid, engine.id);
    assert.match(open.sid, /^[\w-]{20}$/, "20 characters of URL-safe base64");
    const polling = args.transports.startsWith("polling");
    assert.deepEqual(open.upgrades, polling ? ["websocket"] : [], "upgrades on " + args.transports);
    for (const field of ["pingInterval", "pingTimeout", "maxPayload"]) {
      assert.ok(Number.isInteger(open[field]) && open[field] > 0, `${field}: ${open[field]}`);
    }
    assert.notEqual(socket.id, engine.id, "the socket's id is not the session's");
    assert.ok(wire.includes(`down message 0{"sid":"${socket.id}"}`), "40 with the socket's id: " + wire.join(" | "));

    const data = { text: "hello" };
    socket.emit("chat", data);
    console.log("SENT " + JSON.stringify(data));
    for (const n of [0, 1]) {
      const sum = await new Promise((resolve) => socket.emit("add", 2, 3, resolve));
      assert.equal(sum, 5);
      assert.ok(wire.includes(`up message 2${n}["add",2,3]`), "the ack id counts up: " + wire.join(" | "));
      assert.ok(wire.includes(`down message 3${n}[5]`), "the ack: " + wire.join(" | "));
    }
    assert.ok(wire.includes('up message 2["chat",{"text":"hello"}]'), wire.join(" | "));
    socket.disconnect();
  },

  // "file" with bytes is answered by "digest" with their SHA-256 (a
  // Buffer, in Node). On the wire: a binary event, 51-[...placeholder...],
  // then its attachment as a binary message.
  async "internals/binary"() {
    const sha256 = (bytes) => createHash("sha256").update(bytes).digest();
    const socket = inbox(connect());
    const wire = [];
    socket.io.engine.on("packetCreate", (p) => wire.push(p.data));
    await next(socket, "connect");

    const hello = new TextEncoder().encode("hello");
    socket.emit("file", hello);
    const digest = await socket.take("digest");
    assert.ok(Buffer.isBuffer(digest), "binary data arrives as a Buffer");
    assert.deepEqual(digest, sha256(hello));
    assert.ok(wire.includes('51-["file",{"_placeholder":true,"num":0}]'), "the placeholder: " + JSON.stringify(wire));
    assert.ok(wire.some((d) => typeof d !== "string" && Buffer.from(d).toString() === "hello"), "the attachment");

    const notText = Buffer.from([0, 255, 97]);
    socket.emit("file", notText);
    assert.deepEqual(await socket.take("digest"), sha256(notText));

    socket.emit("file", "not bytes");
    await socket.none("digest");
    socket.disconnect();
  },

  // The chat: "setUsername" answered by "userSet" {username} or
  // "userExists" "<name> username is taken! Try some other username.";
  // "msg" {message, user} sent as "newmsg" to everyone in the sender's
  // room, with the sender's own name; "joinRoom" among general, games and
  // help, answered by "roomJoined"; "chatError" for what is refused (names
  // of 1 to 20 characters, messages of 1 to 500, trimmed); a name freed
  // when its owner disconnects. One contract: names are the step's.
  async "chat/app"() {
    const hostile = "<img src=x onerror=alert(1)>";
    const error = async (s, pattern) => assert.match(await s.take("chatError"), pattern);
    // With --lang es the server answers in Spanish; in English otherwise.
    const es = args.lang === "es";
    const says = es
      ? { nameLength: /nombre de usuario lleva de 1 a 20 caracteres/, noName: /Elige un nombre de usuario/,
          taken: "Ana: ese nombre ya está en uso. Prueba con otro.", messageLength: /mensaje lleva de 1 a 500 caracteres/,
          noRoom: /ninguna sala "nowhere"/, nobody: /nadie conectado que se llame "Nobody"/ }
      : { nameLength: /username needs 1 to 20 characters/, noName: /Choose a username/,
          taken: "Ana username is taken! Try some other username.", messageLength: /message needs 1 to 500 characters/,
          noRoom: /no room "nowhere"/, nobody: /Nobody called "Nobody" is online/ };
    const a = inbox(connect());
    assert.equal(await a.take("roomJoined"), "general", "everyone starts in general");
    a.emit("setUsername", "   ");
    await error(a, says.nameLength);
    a.emit("setUsername", "x".repeat(21));
    await error(a, says.nameLength);
    a.emit("msg", { message: "too early", user: "Ana" });
    await error(a, says.noName);
    const spy = inbox(connect()); // in general, without a name: reads, cannot write
    await spy.take("roomJoined");
    a.emit("setUsername", "  Ana ");
    assert.deepEqual(await a.take("userSet"), { username: "Ana" }, "the name, trimmed");
    const b = inbox(connect());
    await b.take("roomJoined");
    b.emit("setUsername", "Ana");
    assert.equal(await b.take("userExists"), says.taken);
    await b.none("userSet", 0);
    b.emit("setUsername", "Bea");
    assert.deepEqual(await b.take("userSet"), { username: "Bea" });

    // The homework: the users online, who is typing, private messages.
    assert.deepEqual(await a.take("users"), ["Ana"]);
    assert.deepEqual(await a.take("users"), ["Ana", "Bea"], "everyone hears who is online");
    assert.deepEqual(await b.take("users"), ["Ana", "Bea"]);
    a.emit("typing", true);
    assert.deepEqual(await b.take("typing"), { user: "Ana", typing: true }, "the room hears who types");
    await a.none("typing", 0);
    a.emit("private", { to: "Bea", message: "psst" });
    for (const s of [a, b]) assert.deepEqual(await s.take("private"), { from: "Ana", to: "Bea", message: "psst" });
    await spy.none("private");
    a.emit("private", { to: "Nobody", message: "hello?" });
    await error(a, says.nobody);

    a.emit("msg", { message: "Hello, Bea", user: "Ana" });
    for (const s of [a, b, spy]) assert.deepEqual(await s.take("newmsg"), { message: "Hello, Bea", user: "Ana" });
    b.emit("msg", { message: hostile, user: "Bea" });
    for (const s of [a, b]) assert.deepEqual(await s.take("newmsg"), { message: hostile, user: "Bea" }, "sent as it was written");
    b.emit("msg", { message: "I am Ana", user: "Ana" });
    for (const s of [a, b]) assert.deepEqual(await s.take("newmsg"), { message: "I am Ana", user: "Bea" }, "the server says who is talking");
    b.emit("msg", { message: "  ", user: "Bea" });
    await error(b, says.messageLength);
    b.emit("msg", { message: "x".repeat(501), user: "Bea" });
    await error(b, says.messageLength);
    b.emit("msg", { message: "é".repeat(500), user: "Bea" });
    for (const s of [a, b]) assert.equal((await s.take("newmsg")).message.length, 500, "500 characters are fine");

    b.emit("joinRoom", "nowhere");
    await error(b, says.noRoom);
    b.emit("joinRoom", "games");
    assert.equal(await b.take("roomJoined"), "games");
    a.emit("msg", { message: "Still here?", user: "Ana" });
    assert.deepEqual(await a.take("newmsg"), { message: "Still here?", user: "Ana" });
    await b.none("newmsg");
    for (const s of [a, b]) await s.none("chatError", 0);

    a.disconnect();
    await sleep(300); // for the server to see it go
    b.emit("setUsername", "Ana");
    assert.deepEqual(await b.take("userSet"), { username: "Ana" }, "a name is free once its owner has gone");
    for (const s of [b, spy]) s.disconnect();
  },

  // Acknowledgements, the client asking: a callback answered with the sum,
  // emitWithAck answered with an error report, and timeout() giving up on
  // an answer that leaves the server 2 s late.
  async "acks/callbacks"() {
    // The answers' words in the learner's language.
    const says = args.lang === "es"
      ? { needNumbers: "add necesita dos números", late: "hecho, 2 s después" }
      : { needNumbers: "add needs two numbers", late: "done, 2 s later" };
    const socket = connect();
    await next(socket, "connect");
    const sum = await new Promise((resolve) => socket.emit("add", 2, 3, resolve));
    assert.deepEqual(sum, { sum: 5 });
    assert.deepEqual(await socket.emitWithAck("add", 2, "three"), { error: says.needNumbers });
    await assert.rejects(socket.timeout(1000).emitWithAck("slow"), /operation has timed out/);
    assert.equal(await socket.timeout(5000).emitWithAck("slow"), says.late, "a longer timeout hears the answer");
    socket.disconnect();
  },

  // Acknowledgements, the server asking: one client answers, then stays
  // silent until the server's 3 s timeout; then a poll of both clients
  // gathers both votes.
  async "acks/server-asks"() {
    // What the server asks and answers, in the learner's language.
    const says = args.lang === "es"
      ? { question: "¿Cuánto es 6 × 7?", answered: "contestaste 42", silent: "ninguna respuesta en 3 s" }
      : { question: "What is 6 × 7?", answered: "you answered 42", silent: "no answer within 3 s" };
    const a = inbox(connect());
    const b = connect();
    let silent = false;
    a.on("question", (question, callback) => {
      assert.equal(question, says.question);
      if (!silent) callback(42);
    });
    a.on("vote", (question, callback) => callback("tabs"));
    b.on("vote", (question, callback) => callback("spaces"));
    await Promise.all([next(a, "connect"), next(b, "connect")]);
    a.emit("ask me");
    assert.equal(await a.take("verdict"), says.answered);
    silent = true;
    a.emit("ask me");
    assert.equal(await a.take("verdict", 8000), says.silent);
    a.emit("poll");
    const { answers, complete } = await a.take("results", 8000);
    assert.deepEqual([answers.sort(), complete], [["spaces", "tabs"], true]);
    for (const s of [a, b]) s.disconnect();
  },

  // Connection state recovery: a count to 10 that goes on while the
  // connection is cut arrives whole, on the same socket (recovered); a
  // client that disconnects on purpose comes back as a new socket.
  async "recovery/catch-up"() {
    const socket = inbox(connect());
    await next(socket, "connect");
    assert.equal(socket.recovered, false, "a first connection is new");
    const id = socket.id;
    socket.emit("count");
    assert.equal(await socket.take("number"), 1);
    const gone = next(socket, "disconnect");
    await fault("cut", 200);
    assert.equal((await gone)[0], "transport close");
    await sleep(1200); // two more numbers leave the server meanwhile
    socket.connect();
    await next(socket, "connect", 5000);
    assert.equal(socket.recovered, true, "back within the delay: recovered");
    assert.equal(socket.id, id, "the same socket id");
    const numbers = [];
    for (let n = 2; n <= 10; n++) numbers.push(await socket.take("number", 5000));
    assert.deepEqual(numbers, [2, 3, 4, 5, 6, 7, 8, 9, 10], "no number lost, none twice, in order");

    socket.disconnect();
    socket.connect();
    await next(socket, "connect", 5000);
    assert.equal(socket.recovered, false, "a client that left comes back new");
    assert.notEqual(socket.id, id);
    socket.disconnect();
  },

  // Scaling out: node A at the step's path, node B at .../node-b/socket.io/,
  // on one Redis. A message sent to either node reaches the client of the
  // other; both count two nodes; a room joined on node B hears what node A
  // sends to it. Others on the step may talk meanwhile: each text is ours.
  async "scaling/two-nodes"() {
    const a = inbox(connect());
    const b = inbox(io(args.url, { ...options(), path: `/lessons/${args.step}/node-b/socket.io/`, forceNew: true }));
    await Promise.all([next(a, "connect"), next(b, "connect")]);
    const tag = Math.random().toString(36).slice(2, 8);
    /** Takes socket's events until one is text. */
    const until = async (socket, event, text) => {
      for (;;) if ((await socket.take(event, 5000)) === text) return;
    };
    a.emit("chat message", `hello from node A ${tag}`);
    await until(b, "chat message", `hello from node A ${tag}`);
    await until(a, "chat message", `hello from node A ${tag}`);
    b.emit("chat message", `hello from node B ${tag}`);
    await until(a, "chat message", `hello from node B ${tag}`);
    assert.deepEqual(await a.emitWithAck("nodes"), { nodes: 2 });
    assert.deepEqual(await b.emitWithAck("nodes"), { nodes: 2 });
    b.emit("join", "news");
    await b.emitWithAck("nodes"); // a socket's events are handled in order: b is in the room now
    a.emit("news", `news for the room ${tag}`);
    await until(b, "news", `news for the room ${tag}`);
    await a.none("news");
    for (const s of [a, b]) s.disconnect();
  },
};

const run = steps[args.step];
if (!run) {
  console.log(`FAIL ${args.step}: unknown step (known: ${Object.keys(steps).join(", ")})`);
  process.exit(2);
}
const limit = setTimeout(() => {
  console.log(`FAIL ${args.step}: still running after ${RUN_LIMIT_MS} ms`);
  process.exit(1);
}, RUN_LIMIT_MS);
try {
  await run();
  // A disconnect() at the end of a step is written asynchronously (over
  // polling, a request still to be made): let it go out before exiting.
  await sleep(200);
  clearTimeout(limit);
  console.log(`PASS ${args.step}`);
  process.exit(0);
} catch (err) {
  console.log(`FAIL ${args.step}: ${err.message}`);
  console.error(err);
  process.exit(1);
}
