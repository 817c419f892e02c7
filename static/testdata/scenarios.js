// Browser scenarios for our Socket.IO client (static/socket.io.js), run by
// run.html against a server that implements the fixture contract of
// interop/node/fixture-server.mjs: ours (internal/fixture) or the official
// Node one. Each scenario is an async function that throws on failure.
"use strict";
(() => {
  window.__phases = [];
  window.__signals = {}; // name -> performance.now() when the Go side signalled
  window.__signal = (name) => (window.__signals[name] = performance.now());

  // ---- helpers ---------------------------------------------------------------

  const sockets = []; // every socket made, disconnected at the end

  function connect(uri, opts) {
    const socket = io(uri, opts);
    sockets.push(socket);
    return socket;
  }

  function log(...args) {
    console.log(...args);
    document.getElementById("log").textContent += args.join(" ") + "\n";
  }

  // waitFor resolves with the arguments of the next `event` of emitter.
  function waitFor(emitter, event, ms = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        emitter.off(event, listener);
        reject(new Error(`no "${event}" within ${ms} ms`));
      }, ms);
      const listener = (...args) => {
        clearTimeout(timer);
        emitter.off(event, listener);
        resolve(args);
      };
      emitter.on(event, listener);
    });
  }

  // until resolves once predicate() (which may return a Promise) is truthy.
  async function until(predicate, what, ms = 5000) {
    const deadline = performance.now() + ms;
    while (!(await predicate())) {
      if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(20);
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function check(ok, message) {
    if (!ok) throw new Error(message);
  }

  function same(got, want, what) {
    const [g, w] = [JSON.stringify(got), JSON.stringify(want)];
    if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
  }

  const bytes = (data) => Array.from(new Uint8Array(data));

  // record lists the events of emitter as "name" or "name:first argument".
  function record(emitter, events) {
    const seen = [];
    for (const event of events) {
      emitter.on(event, (arg) => seen.push(arg === undefined || typeof arg === "object" ? event : `${event}:${arg}`));
    }
    return seen;
  }

  // phase tells the Go side how far the scenario got; signal waits for its
  // answer.
  function phase(name) {
    log("phase", name);
    window.__phases.push(name);
  }

  async function signal(name, ms = 20000) {
    await until(() => name in window.__signals, `signal ${name}`, ms);
    return window.__signals[name];
  }

  const connected = (socket) => socket.connected || waitFor(socket, "connect");

  // ---- scenarios -------------------------------------------------------------

  async function binary(server, transports) {
    const socket = connect(server, { forceNew: true, transports });
    await waitFor(socket, "connect");
    same(socket.io.engine.transport.name, transports[0], "transport");

    const back = waitFor(socket, "message-back");
    const blob = new Blob([new Uint8Array([6, 7])]);
    socket.emit("message", new Uint8Array([1, 2, 3]).buffer, new Uint8Array([4, 5]), blob, { deep: [new Uint16Array([0x0201])] }, "text");
    const got = await back;
    check(got[0] instanceof ArrayBuffer, "binary comes back as ArrayBuffer, got " + got[0]);
    same(got.slice(0, 3).map(bytes), [[1, 2, 3], [4, 5], [6, 7]], "ArrayBuffer, Uint8Array and Blob");
    same(bytes(got[3].deep[0]), [1, 2], "nested Uint16Array");
    same(got[4], "text", "text next to binary");

    const acked = await new Promise((resolve) => socket.emit("get-binary", (...args) => resolve(args)));
    same([bytes(acked[0]), bytes(acked[1].nested.data), bytes(acked[1].list[0])], [[1, 2, 3], [4, 5], [6]], "binary in the server's ack");
    same(bytes(await socket.emitWithAck("echo", new Uint8Array([9, 8, 7]))), [9, 8, 7], "binary echoed in an ack");

    socket.on("question", (value, ack) => ack({ reply: value }));
    const answer = waitFor(socket, "answer");
    socket.emit("ask", new Uint8Array([5, 5]));
    same(bytes((await answer)[0].reply), [5, 5], "binary in the client's ack");
    same(socket.io.engine.transport.name, transports[0], "transport at the end");
  }

  async function pingTimeout(server, transports) {
    const socket = connect(server, { transports, reconnectionDelay: 100, reconnectionDelayMax: 100, timeout: 1000 });
    await waitFor(socket, "connect");
    const last = transports[transports.length - 1];
    if (socket.io.engine.transport.name !== last) await waitFor(socket.io.engine, "upgrade");
    let disconnectedAt;
    const disconnected = waitFor(socket, "disconnect", 8000);
    socket.once("disconnect", () => (disconnectedAt = performance.now()));
    phase("connected");
    const frozenAt = await signal("frozen");
    const [reason] = await disconnected;
    same(reason, "ping timeout", "disconnect reason");
    const noticed = Math.round(disconnectedAt - frozenAt);
    log("noticed after", noticed, "ms");
    check(noticed <= 300 + 1000 + 600, `the silence was noticed after ${noticed} ms; pingInterval + pingTimeout is 1300 ms`);
    // While the server stays silent, an attempt fails by the Manager's timeout.
    const [err] = await waitFor(socket.io, "reconnect_error", 5000);
    same(err.message, "timeout", "reconnect_error while the server is silent");
    phase("attempt timed out");
    await waitFor(socket, "connect", 10000);
    same(await socket.emitWithAck("echo", 1), 1, "echo after reconnecting");
  }

  // recovery checks connection state recovery against a server that has it
  // on and serves "join", "to" and "rooms" (static/recovery_browser_test.go):
  // recovered false at first; twice, the transport is cut from this side
  // while another client sends to the socket's room, and once the Go side
  // has seen the server let go of it (phase "gone <round>", window.__goneID,
  // then signal "gone <round>") the socket reconnects: recovered, same id,
  // the missed events with their offsets last, rooms kept.
  async function recovery(server, transports) {
    const opts = { forceNew: true, transports, reconnectionDelay: 100, reconnectionDelayMax: 300 };
    const room = "room-" + Math.random().toString(36).slice(2); // the server may be shared
    const a = connect(server, opts);
    const events = record(a, ["auth", "m"]);
    await waitFor(a, "connect", 20000);
    same(a.recovered, false, "recovered at first");
    same(await a.timeout(20000).emitWithAck("join", room), true, "join");
    await until(() => events.length > 0, "auth, an event with an offset", 20000);
    const b = connect(server, opts);
    await waitFor(b, "connect", 20000);
    const id = a.id;
    const got = [];
    a.on("m", (...args) => got.push(args));
    for (const round of [1, 2]) {
      a.io.reconnection(false);
      const gone = waitFor(a, "disconnect", 20000);
      if (round === 1) a.io.engine.close();
      else a.io.engine.transport.close();
      await gone;
      window.__goneID = id;
      phase(`gone ${round}`);
      await signal(`gone ${round}`);
      same(await b.timeout(20000).emitWithAck("to", room, "m", round, "room"), true, "to the room");
      same(await b.timeout(20000).emitWithAck("to", "elsewhere", "m", round, "never"), true, "to elsewhere");
      a.io.reconnection(true);
      a.connect();
      await waitFor(a, "connect", 20000);
      check(a.recovered === true, `round ${round}: not recovered`);
      same(a.id, id, `round ${round}: id`);
      await until(() => got.length >= round, `round ${round}: the missed event`, 20000);
      same(got.length, round, `round ${round}: events`);
      same(got[round - 1].slice(0, 2), [round, "room"], `round ${round}: missed event`);
      same(typeof got[round - 1][2], "string", `round ${round}: offset last`);
      same(await a.timeout(20000).emitWithAck("rooms"), [id, room].sort(), `round ${round}: rooms`);
    }
  }

  const scenarios = {
    async upgrade({ server }) {
      const socket = connect(server);
      const engine = socket.io.engine;
      same(engine.transport.name, "polling", "first transport");
      const upgraded = waitFor(engine, "upgrade");
      await waitFor(socket, "connect");
      check(socket.connected && !socket.disconnected && typeof socket.id === "string", "connected state");
      await upgraded;
      same(engine.transport.name, "websocket", "transport after the upgrade");
      same(await socket.emitWithAck("echo", "over WebSocket"), "over WebSocket", "echo");
    },

    async "polling-only"({ server }) {
      const socket = connect(server, { transports: ["polling"] });
      const pings = record(socket.io, ["ping"]);
      await waitFor(socket, "connect");
      const many = await Promise.all([...Array(20).keys()].map((i) => socket.emitWithAck("echo", i)));
      same(many, [...Array(20).keys()], "20 echoes at once (batched POSTs)");
      // The server's maxPayload is 10000 bytes: 30 messages of 900 bytes
      // need several POSTs, each under the limit (a larger one gets 413).
      const big = [...Array(30).keys()].map((i) => String(i).padEnd(900, "."));
      same(await Promise.all(big.map((m) => socket.emitWithAck("echo", m))), big, "30 large echoes within maxPayload");
      const noUpgrade = connect(server, { forceNew: true, upgrade: false });
      await waitFor(noUpgrade, "connect");
      await sleep(1000); // the heartbeat is 300 ms
      check(pings.length >= 2, `${pings.length} Manager "ping" events in 1 s`);
      check(socket.connected && noUpgrade.connected, "still connected after several heartbeats");
      same(socket.io.engine.transport.name, "polling", "transport");
      same(noUpgrade.io.engine.transport.name, "polling", "transport with upgrade: false");
    },

    async "websocket-only"({ server }) {
      const socket = connect(server, { transports: ["websocket"] });
      same(socket.io.engine.transport.name, "websocket", "first transport");
      const pings = record(socket.io, ["ping"]);
      await waitFor(socket, "connect");
      same(await socket.emitWithAck("echo", "ws"), "ws", "echo");
      await sleep(1000);
      check(pings.length >= 2, `${pings.length} Manager "ping" events in 1 s`);
      check(socket.connected, "still connected after several heartbeats");
    },

    async "events-acks"({ server }) {
      const socket = connect(server);
      const incoming = [];
      const outgoing = [];
      socket.onAny((event) => incoming.push(event));
      socket.onAnyOutgoing((event) => outgoing.push(event));
      await waitFor(socket, "connect");

      const args = await new Promise((resolve) => socket.emit("message-with-ack", 1, "2", { 3: [false] }, (...a) => resolve(a)));
      same(args, [1, "2", { 3: [false] }], "ack by callback");
      same(await socket.emitWithAck("echo", { nested: ["x", null] }), { nested: ["x", null] }, "emitWithAck");
      const back = waitFor(socket, "message-back");
      socket.send("hi", 2);
      same(await back, ["hi", 2], "send() is emit('message')");

      socket.on("question", (value, ack) => ack(value * 2));
      const answer = waitFor(socket, "answer");
      socket.emit("ask", 21);
      same(await answer, [42], "the client acknowledged the server's event");
      const silent = waitFor(socket, "answer");
      socket.emit("ask-silent");
      same(await silent, ["operation has timed out"], "server-side timeout of an unacknowledged event");

      const err = await new Promise((resolve) => socket.timeout(150).emit("unanswered", (e) => resolve(e)));
      check(err instanceof Error && err.message === "operation has timed out", "timeout().emit: " + err);
      const rejected = await socket.timeout(150).emitWithAck("unanswered").then(() => null, (e) => e);
      same(rejected?.message, "operation has timed out", "timeout().emitWithAck rejects");
      const inTime = await new Promise((resolve) => socket.timeout(3000).emit("echo", 7, (e, v) => resolve([e, v])));
      same(inTime, [null, 7], "timeout().emit answered in time: (null, value)");

      let onceCount = 0;
      let offCount = 0;
      socket.once("bcast", () => onceCount++);
      const removed = () => offCount++;
      socket.on("bcast", removed);
      socket.off("bcast", removed);
      for (let i = 0; i < 2; i++) {
        const got = waitFor(socket, "bcast");
        socket.emit("bcast", i);
        await got;
      }
      same([onceCount, offCount], [1, 0], "once() and off()");

      let threw = false;
      try {
        socket.emit("disconnect");
      } catch {
        threw = true;
      }
      check(threw, "emit of a reserved name throws");
      same(await socket.compress(false).emitWithAck("echo", "c"), "c", "compress(false)");
      await until(() => socket.io.engine.transport.writable, "writable transport");
      const vol = waitFor(socket, "message-back");
      socket.volatile.emit("message", "volatile");
      same(await vol, ["volatile"], "volatile emit while connected");
      check(incoming.includes("message-back") && incoming.includes("question"), "onAny saw " + incoming);
      check(outgoing.includes("ask") && outgoing.includes("message"), "onAnyOutgoing saw " + outgoing);
    },

    async buffering({ server }) {
      const socket = connect(server, { forceNew: true, autoConnect: false });
      check(!socket.connected && socket.id === undefined && !socket.active, "idle before connect()");
      socket.volatile.emit("message", "dropped");
      socket.emit("message", "buffered");
      const acked = socket.emitWithAck("echo", "buffered ack");
      const back = waitFor(socket, "message-back");
      socket.open();
      await waitFor(socket, "connect");
      same(await back, ["buffered"], "first message-back: the buffered emit, not the volatile one");
      same(await acked, "buffered ack", "buffered emitWithAck");
    },

    "binary-polling": ({ server }) => binary(server, ["polling"]),
    "binary-websocket": ({ server }) => binary(server, ["websocket"]),

    async namespaces({ server }) {
      const main = connect(server);
      const mainAuth = waitFor(main, "auth");
      const custom = connect(server + "/custom", { auth: { token: "abc" } });
      const customAuth = waitFor(custom, "auth");
      const dyn = connect(server + "/dyn-abc1");
      const nsp = waitFor(dyn, "nsp");
      check(main.io === custom.io && custom.io === dyn.io, "the namespaces of one server share a Manager");
      await Promise.all([main, custom, dyn].map(connected));
      same(await mainAuth, [{}], "auth of /");
      same(await customAuth, [{ token: "abc" }], "auth of /custom");
      same(await nsp, ["/dyn-abc1"], "dynamic namespace");
      const session = main.io.engine.id;
      const m = main.io;
      check(m.reconnectionAttempts() === Infinity && m.reconnectionDelay() === 1000 && m.timeout() === 20000, "Manager defaults");

      const forced = connect(server, { forceNew: true });
      const separate = connect(server + "/custom", { multiplex: false });
      const again = connect(server); // "/" is taken on the cached Manager
      for (const s of [forced, separate, again]) check(s.io !== main.io, "a Manager of its own");
      await Promise.all([forced, separate, again].map(connected));
      check(forced.io.engine.id !== session, "forceNew opens another session");

      custom.disconnect();
      check(custom.disconnected && !custom.active, "/custom left");
      same(await main.emitWithAck("echo", "still here"), "still here", "/ after /custom left");
      same(main.io.engine.id, session, "one session all along");
      const againId = again.id;
      again.disconnect();
      await until(async () => (await main.emitWithAck("reason-of", againId)) === "client namespace disconnect", "server-side reason");

      main.disconnect();
      dyn.disconnect();
      await until(() => main.io.engine.readyState === "closed", "the connection closes with its last socket");
    },

    async "invalid-namespace"({ server }) {
      const socket = connect(server + "/nope");
      const [err] = await waitFor(socket, "connect_error");
      same(err.message, "Invalid namespace", "connect_error message");
      check(!socket.active, "no retry after a CONNECT_ERROR");
      let more = 0;
      socket.on("connect_error", () => more++);
      socket.on("connect", () => more++);
      await sleep(500);
      same(more, 0, "events after the refusal");
    },

    async middleware({ server }) {
      const socket = connect(server + "/admin", { auth: { token: "wrong" } });
      const [err] = await waitFor(socket, "connect_error");
      same([err.message, err.data], ["not authorized", { reason: "bad token" }], "connect_error from the middleware");
      check(!socket.active, "no retry after a CONNECT_ERROR");
      socket.auth = { token: "secret" };
      const welcome = waitFor(socket, "welcome");
      socket.connect();
      await waitFor(socket, "connect");
      same(await welcome, ["admin"], "welcome after connect() with a new auth");
      const byFunction = connect(server + "/admin", { forceNew: true, auth: (cb) => setTimeout(() => cb({ token: "secret" }), 10) });
      await waitFor(byFunction, "connect");
    },

    async disconnects({ server }) {
      const [a, b, c] = [1, 2, 3].map(() => connect(server, { forceNew: true }));
      await Promise.all([a, b, c].map(connected));
      const [aId, bId] = [a.id, b.id];

      const byServer = waitFor(a, "disconnect");
      a.emit("server-disconnect");
      same((await byServer)[0], "io server disconnect", "reason when the server disconnects");
      check(!a.active && a.id === undefined, "no reconnection after io server disconnect");
      const byClient = waitFor(b, "disconnect");
      b.close();
      same((await byClient)[0], "io client disconnect", "reason when the client disconnects");

      const reason = (id) => c.emitWithAck("reason-of", id);
      await until(async () => (await reason(aId)) === "server namespace disconnect", "server-side reason of a");
      await until(async () => (await reason(bId)) === "client namespace disconnect", "server-side reason of b");
      await sleep(300);
      check(!a.connected && !b.connected, "nobody reconnected");

      const pending = c.timeout(5000).emitWithAck("unanswered").then(() => "resolved", (e) => e.message);
      c.disconnect();
      same(await pending, "socket has been disconnected", "pending ack at disconnection");

      // Closing the connection on purpose is "forced close": the client
      // reconnects, unless reconnection is off.
      const d = connect(server, { forceNew: true, reconnectionDelay: 50 });
      const e = connect(server, { forceNew: true, reconnection: false });
      await Promise.all([d, e].map(connected));
      const forced = waitFor(d, "disconnect");
      d.io.engine.close();
      same((await forced)[0], "forced close", "reason after engine.close()");
      await waitFor(d, "connect");
      const notAgain = waitFor(e, "disconnect");
      e.io.engine.close();
      same((await notAgain)[0], "forced close", "reason with reconnection: false");
      await sleep(300);
      check(!e.connected && e.io.engine.readyState === "closed", "no reconnection with reconnection: false");
    },

    async restart({ server }) {
      const socket = connect(server, { reconnectionDelay: 100, reconnectionDelayMax: 400 });
      const events = record(socket.io, ["open", "close", "error", "reconnect_attempt", "reconnect_error", "reconnect", "reconnect_failed"]);
      const socketEvents = record(socket, ["connect", "disconnect"]);
      const upgraded = waitFor(socket.io.engine, "upgrade");
      await waitFor(socket, "connect");
      await upgraded; // a closed WebSocket is "transport close"; a failed poll would be "transport error"
      const firstId = socket.id;
      events.length = 0;
      const disconnected = waitFor(socket, "disconnect", 10000);
      phase("connected");
      const [reason] = await disconnected;
      same(reason, "transport close", "disconnect reason");
      check(socket.active, "the socket still wants to reconnect");
      const buffered = socket.emitWithAck("echo", "sent while disconnected");
      await waitFor(socket, "connect", 15000);
      check(socket.id !== firstId, "a new id after reconnecting");
      same(await buffered, "sent while disconnected", "an emit buffered while disconnected");

      const expected = ["close:transport close"];
      let attempt = 1;
      while (events[expected.length] === `reconnect_attempt:${attempt}` && events[expected.length + 1] === "error") {
        expected.push(`reconnect_attempt:${attempt}`, "error", "reconnect_error");
        attempt++;
      }
      expected.push(`reconnect_attempt:${attempt}`, "open", `reconnect:${attempt}`);
      log("Manager events:", events.join(", "));
      same(events, expected, "Manager events");
      same(socketEvents, ["connect", "disconnect:transport close", "connect"], "Socket events");
    },

    "ping-timeout": ({ server }) => pingTimeout(server, ["polling", "websocket"]),
    "ping-timeout-polling": ({ server }) => pingTimeout(server, ["polling"]),

    async debug({ server }) {
      const socket = connect(server, { forceNew: true });
      const upgraded = waitFor(socket.io.engine, "upgrade");
      await waitFor(socket, "connect");
      await upgraded;
      same(await socket.emitWithAck("echo", "logged"), "logged", "echo");
    },

    async prefix() {
      const socket = connect(); // io(): no URL, no options
      same(socket.io.opts.path, "/prefix/sio", "default path from the script's URL");
      await waitFor(socket, "connect");
      same(await socket.emitWithAck("echo", "prefix"), "prefix", "echo");
      const byOption = connect({ forceNew: true, path: "/socket.io" }); // the fixture, beside
      same(byOption.io.opts.path, "/socket.io", "path given as an option");
      await waitFor(byOption, "auth"); // only the fixture says "auth"
      const elsewhere = new io.Manager("http://elsewhere.invalid:1234", { autoConnect: false });
      same(elsewhere.opts.path, "/socket.io", "default path for another origin");
    },

    // The page names the path in <meta name="socket.io-path"> (run.html
    // adds it): it wins over the script's URL (/socket.io/socket.io.js) for
    // the page's own origin, and only for it.
    async "meta-path"() {
      const socket = connect(); // io(): no URL, no options
      same(socket.io.opts.path, "/prefix/sio", "default path from the meta tag");
      await waitFor(socket, "connect");
      same(await socket.emitWithAck("echo", "meta"), "meta", "echo");
      const byOption = connect({ forceNew: true, path: "/socket.io" });
      same(byOption.io.opts.path, "/socket.io", "an explicit path wins over the meta tag");
      await waitFor(byOption, "auth"); // only the fixture says "auth"
      const elsewhere = new io.Manager("http://elsewhere.invalid:1234", { autoConnect: false });
      same(elsewhere.opts.path, "/socket.io", "the meta tag does not apply to another origin");
    },

    async "reconnect-failed"({ server: dead }) {
      const socket = connect(dead, { reconnectionAttempts: 2, reconnectionDelay: 50, reconnectionDelayMax: 50 });
      const events = record(socket.io, ["open", "error", "reconnect_attempt", "reconnect_error", "reconnect", "reconnect_failed"]);
      const errors = [];
      socket.on("connect_error", (err) => errors.push(err.message));
      await waitFor(socket.io, "reconnect_failed", 5000);
      await sleep(10);
      same(events, ["error", "reconnect_attempt:1", "error", "reconnect_error", "reconnect_attempt:2", "error", "reconnect_failed", "reconnect_error"], "Manager events");
      same(errors, ["xhr poll error", "xhr poll error", "xhr poll error"], "connect_error messages");
      const ws = connect(dead, { forceNew: true, transports: ["websocket"], reconnection: false });
      const [err] = await waitFor(ws, "connect_error");
      same(err.message, "websocket error", "connect_error over WebSocket");
    },

    async "handshake-options"({ server }) {
      for (const transport of ["polling", io.Fetch]) {
        const socket = connect(server + "/?from=url", { forceNew: true, transports: [transport], query: { token: "q1" }, extraHeaders: { "X-Test": "hello" } });
        await waitFor(socket, "connect");
        const h = await socket.emitWithAck("handshake");
        same([h.query.from, h.query.token, h.query.EIO, h.query.transport, h.headers["x-test"]], ["url", "q1", "4", "polling", "hello"], `handshake (${transport.name || transport})`);
      }
      // withCredentials reaches the requests: cross-origin, a server whose
      // CORS answers "*" cannot take credentials, so the browser refuses.
      const crossOrigin = new URL(server).origin !== location.origin;
      const credentialed = connect(server, { forceNew: true, transports: ["polling"], withCredentials: true, reconnection: false });
      if (crossOrigin) {
        same((await waitFor(credentialed, "connect_error"))[0].message, "xhr poll error", "credentials against CORS *");
      } else {
        await waitFor(credentialed, "connect");
      }
    },

    "recovery-polling": ({ server }) => recovery(server, ["polling"]),
    "recovery-websocket": ({ server }) => recovery(server, ["websocket"]),

    async "remember-upgrade"({ server }) {
      const first = connect(server, { forceNew: true });
      await waitFor(first.io.engine, "upgrade");
      const remembered = connect(server, { forceNew: true, rememberUpgrade: true });
      same(remembered.io.engine.transport.name, "websocket", "rememberUpgrade goes straight to WebSocket");
      const plain = connect(server, { forceNew: true });
      same(plain.io.engine.transport.name, "polling", "without rememberUpgrade");
      await Promise.all([remembered, plain].map(connected));
      same(await remembered.emitWithAck("echo", 1), 1, "echo");
    },
  };

  // ---- runner ----------------------------------------------------------------

  (async () => {
    const params = new URLSearchParams(location.search);
    const name = params.get("scenario");
    let result = "PASS";
    try {
      if (!scenarios[name]) throw new Error("unknown scenario " + name);
      await scenarios[name]({ server: params.get("server") });
    } catch (err) {
      result = "FAIL: " + (err?.stack || err);
    }
    for (const socket of sockets) socket.disconnect();
    log(result);
    window.__result = result;
  })();
})();
