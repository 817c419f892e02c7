/*
 * socket.io.js: the Socket.IO Workbook's browser client.
 *
 * A Socket.IO v4 client (Engine.IO protocol 4, Socket.IO protocol 5) in one
 * readable file, with no build step and no dependencies. It offers the API of
 * the official socket.io-client 4.x:
 *
 *   <script src="/socket.io/socket.io.js"></script>
 *   <script>
 *     const socket = io();                      // or io("/admin"), io(url, options)
 *     socket.on("connect", () => console.log("connected as", socket.id));
 *     socket.emit("hello", "world", (reply) => console.log(reply));
 *   </script>
 *
 * Loaded from "<prefix>/socket.io.js", io() connects to "<prefix>" of the same
 * origin, so a page served under its own Socket.IO path needs no options. A
 * <meta name="socket.io-path" content="/other/path"> in the page wins over
 * the script's URL (the workbook's panes use it).
 * Debug output: run `localStorage.debug = "*"` (or a pattern such as
 * "socket.io-client:*,-engine.io-client:polling") in the console and reload.
 *
 * Options: path, transports (["polling", "websocket"], or io.Fetch for fetch
 * polling), upgrade, rememberUpgrade, reconnection, reconnectionAttempts,
 * reconnectionDelay, reconnectionDelayMax, randomizationFactor, timeout,
 * autoConnect, forceNew, multiplex, auth (an object or cb => cb(object)),
 * ackTimeout, query (merged with the URL's query), extraHeaders (polling
 * only: browsers set a WebSocket's headers themselves), withCredentials,
 * timestampRequests, timestampParam, addTrailingSlash, transportOptions.
 *
 * Not supported: WebTransport, the "retries" queue, closeOnBeforeunload,
 * tryAllTransports, custom parsers (msgpack), Node.js-only options (agent,
 * TLS settings, cookie jar), JSONP and base64-only polling, EIO=3 servers.
 *
 * The file reads top to bottom, each layer using the ones above it:
 *   1. debug          the `debug` library's console output
 *   2. Emitter        on / once / off / emit
 *   3. Engine.IO      packets and polling payloads
 *   4. transports     HTTP long-polling (XHR or fetch) and WebSocket
 *   5. EngineSocket   handshake, heartbeat, upgrade, write buffer
 *   6. Socket.IO      packets, binary attachments
 *   7. Socket         one namespace: events, acks, buffering
 *   8. Manager        one connection: namespaces, reconnection with backoff
 *   9. io()           URLs, the Manager cache, exports
 */
(() => {
  "use strict";

  // ===========================================================================
  // 1. debug: the `debug` library's browser output
  // ===========================================================================
  //
  // Each layer logs under the official namespace (socket.io-client:manager,
  // engine.io-client:socket, ...). A namespace prints when localStorage.debug
  // selects it: names separated by commas or spaces, "*" matching anything,
  // and "-name" excluding. Lines go to console.debug ("Verbose" level in
  // Chromium) as "%cnamespace %cmessage%c +12ms", coloured like debug does.

  const DEBUG_COLORS = [
    "#0000CC", "#0000FF", "#0033CC", "#0033FF", "#0066CC", "#0066FF", "#0099CC", "#0099FF",
    "#00CC00", "#00CC33", "#00CC66", "#00CC99", "#00CCCC", "#00CCFF", "#3300CC", "#3300FF",
    "#3333CC", "#3333FF", "#3366CC", "#3366FF", "#3399CC", "#3399FF", "#33CC00", "#33CC33",
    "#33CC66", "#33CC99", "#33CCCC", "#33CCFF", "#6600CC", "#6600FF", "#6633CC", "#6633FF",
    "#66CC00", "#66CC33", "#9900CC", "#9900FF", "#9933CC", "#9933FF", "#99CC00", "#99CC33",
    "#CC0000", "#CC0033", "#CC0066", "#CC0099", "#CC00CC", "#CC00FF", "#CC3300", "#CC3333",
    "#CC3366", "#CC3399", "#CC33CC", "#CC33FF", "#CC6600", "#CC6633", "#CC9900", "#CC9933",
    "#CCCC00", "#CCCC33", "#FF0000", "#FF0033", "#FF0066", "#FF0099", "#FF00CC", "#FF00FF",
    "#FF3300", "#FF3333", "#FF3366", "#FF3399", "#FF33CC", "#FF33FF", "#FF6600", "#FF6633",
    "#FF9900", "#FF9933", "#FFCC00", "#FFCC33",
  ];

  function readDebugSelector() {
    try {
      return localStorage.getItem("debug") || localStorage.getItem("DEBUG") || "";
    } catch {
      return ""; // storage can be blocked (sandboxed frames, privacy settings)
    }
  }

  // globToRegExp turns a selector entry into a RegExp: "*" matches any
  // characters, ":" included; everything else matches itself.
  function globToRegExp(glob) {
    const literal = (s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("^" + glob.split("*").map(literal).join(".*") + "$");
  }

  const debugSelector = { names: [], skips: [] };
  for (const entry of readDebugSelector().trim().split(/[\s,]+/)) {
    if (entry.startsWith("-")) debugSelector.skips.push(globToRegExp(entry.slice(1)));
    else if (entry) debugSelector.names.push(globToRegExp(entry));
  }

  function debugEnabled(namespace) {
    if (debugSelector.skips.some((re) => re.test(namespace))) return false;
    return debugSelector.names.some((re) => re.test(namespace));
  }

  // debugColor hashes the namespace like debug's selectColor (h*31 + unit,
  // as a 32-bit integer) so each namespace keeps the colour it has there.
  function debugColor(namespace) {
    let hash = 0;
    for (let i = 0; i < namespace.length; i++) {
      hash = ((hash << 5) - hash + namespace.charCodeAt(i)) | 0;
    }
    return DEBUG_COLORS[Math.abs(hash) % DEBUG_COLORS.length];
  }

  // humanize prints a duration the way the `ms` package's short form does.
  function humanize(ms) {
    const units = [[86400000, "d"], [3600000, "h"], [60000, "m"], [1000, "s"]];
    for (const [size, unit] of units) {
      if (Math.abs(ms) >= size) return Math.round(ms / size) + unit;
    }
    return ms + "ms";
  }

  // createDebug returns the log function of one namespace; it does nothing
  // unless the namespace is selected.
  function createDebug(namespace) {
    if (!debugEnabled(namespace)) return () => {};
    const css = "color: " + debugColor(namespace);
    let previous = 0;
    return (format, ...args) => {
      const now = Date.now();
      const diff = previous ? now - previous : 0;
      previous = now;
      if (format instanceof Error) format = format.stack || format.message;
      if (typeof format !== "string") {
        args.unshift(format);
        format = "%O";
      }
      // %j is debug's own formatter in browsers; %s, %d, %o, %O are left to
      // the console, which substitutes them from the arguments that follow.
      let index = 0;
      format = format.replace(/%([a-zA-Z%])/g, (match, letter) => {
        if (letter === "%") return "%";
        if (letter !== "j") {
          index++;
          return match;
        }
        try {
          return JSON.stringify(args.splice(index, 1)[0]);
        } catch (err) {
          return "[UnexpectedJSONParseError]: " + err.message;
        }
      });
      const line = "%c" + namespace + " %c" + format + "%c +" + humanize(diff);
      // The last %c gets its CSS after the arguments of the message.
      const directives = (line.match(/%[a-zA-Z]/g) || []).length;
      const out = [line, css, "color: inherit", ...args];
      out.splice(directives, 0, css);
      (console.debug || console.log).apply(console, out);
    };
  }

  // ===========================================================================
  // 2. Emitter
  // ===========================================================================

  class Emitter {
    #listeners = new Map(); // event name -> [{ fn, once }]

    on(event, fn) { return this.#add(event, { fn, once: false }); }
    once(event, fn) { return this.#add(event, { fn, once: true }); }

    #add(event, entry) {
      if (!this.#listeners.has(event)) this.#listeners.set(event, []);
      this.#listeners.get(event).push(entry);
      return this;
    }

    // off() removes every listener, off(event) those of one event, and
    // off(event, fn) one listener.
    off(event, fn) {
      if (event === undefined) this.#listeners.clear();
      else if (fn === undefined) this.#listeners.delete(event);
      else this.#remove(event, this.#listeners.get(event)?.find((entry) => entry.fn === fn));
      return this;
    }

    #remove(event, entry) {
      const list = this.#listeners.get(event);
      const i = list ? list.indexOf(entry) : -1;
      if (i >= 0) list.splice(i, 1);
      if (list?.length === 0) this.#listeners.delete(event);
    }

    listeners(event) { return (this.#listeners.get(event) || []).map((entry) => entry.fn); }
    hasListeners(event) { return this.#listeners.has(event); }

    // emitReserved calls the listeners of event. Socket overrides emit to
    // send events to the server, so the library itself always uses this.
    emitReserved(event, ...args) {
      const list = this.#listeners.get(event);
      if (!list) return this;
      for (const entry of [...list]) {
        if (entry.once) this.#remove(event, entry);
        entry.fn.apply(this, args);
      }
      return this;
    }

    emit(event, ...args) { return this.emitReserved(event, ...args); }
  }
  const { on, off } = Emitter.prototype;
  Object.assign(Emitter.prototype, { addEventListener: on, removeListener: off, removeAllListeners: off, removeEventListener: off });

  // subscribe listens to event of emitter and returns the function that stops.
  function subscribe(emitter, event, fn) {
    emitter.on(event, fn);
    return () => emitter.off(event, fn);
  }

  // ===========================================================================
  // 3. Engine.IO packets
  // ===========================================================================
  //
  // A text packet is one digit (its type) and its data: "4hello", "2", "3probe".
  // On WebSocket a binary frame is a message packet's raw bytes. A polling
  // payload joins packets with the record separator \x1e; binary travels in it
  // as "b" + base64.

  const ENGINE_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
  const RECORD_SEPARATOR = "\x1e";

  function isBinary(value) {
    return (
      value instanceof ArrayBuffer ||
      ArrayBuffer.isView(value) ||
      (typeof Blob !== "undefined" && value instanceof Blob)
    );
  }

  function encodeText(packet) {
    return ENGINE_TYPES.indexOf(packet.type) + (packet.data ?? "");
  }

  async function toBytes(data) {
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return new Uint8Array(await data.arrayBuffer()); // a Blob
  }

  function bytesToBase64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function base64ToArrayBuffer(base64) {
    const text = atob(base64); // accepts unpadded base64 too
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  // encodePayload joins packets for one polling POST. It is async because a
  // Blob can only be read asynchronously.
  async function encodePayload(packets) {
    const records = [];
    for (const packet of packets) {
      records.push(isBinary(packet.data) ? "b" + bytesToBase64(await toBytes(packet.data)) : encodeText(packet));
    }
    return records.join(RECORD_SEPARATOR);
  }

  function decodePacket(data) {
    if (typeof data !== "string") return { type: "message", data }; // a binary frame
    if (data[0] === "b") return { type: "message", data: base64ToArrayBuffer(data.slice(1)) };
    const type = ENGINE_TYPES[Number(data[0])];
    if (!type) return { type: "error", data: "parser error" };
    return data.length > 1 ? { type, data: data.slice(1) } : { type };
  }

  function decodePayload(payload) {
    return payload.split(RECORD_SEPARATOR).map(decodePacket);
  }

  // ===========================================================================
  // 4. Transports
  // ===========================================================================
  //
  // A transport moves Engine.IO packets. It emits "open", "packet", "drain"
  // (everything written has left), "error" and "close". readyState goes
  // opening -> open -> (pausing -> paused, polling only) -> closed.

  const transportDebug = createDebug("engine.io-client:transport");
  const pollingDebug = createDebug("engine.io-client:polling");
  const websocketDebug = createDebug("engine.io-client:websocket");

  function randomString() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  }

  function encodeQuery(query) {
    return Object.entries(query)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => encodeURIComponent(key) + "=" + encodeURIComponent(value))
      .join("&");
  }

  class Transport extends Emitter {
    // opts: the engine's options plus hostname, port, secure and query.
    constructor(opts) {
      super();
      this.opts = opts;
      this.query = opts.query;
      this.readyState = "";
      this.writable = false;
    }

    open() {
      this.readyState = "opening";
      this.doOpen();
      return this;
    }

    close() {
      if (this.readyState === "opening" || this.readyState === "open") {
        this.doClose();
        this.onClose();
      }
      return this;
    }

    send(packets) {
      if (this.readyState === "open") this.write(packets);
      else transportDebug("transport is not open, discarding packets");
    }

    onOpen() {
      this.readyState = "open";
      this.writable = true;
      this.emitReserved("open");
    }

    onData(data) { this.onPacket(decodePacket(data)); }
    onPacket(packet) { this.emitReserved("packet", packet); }

    onClose(details) {
      this.readyState = "closed";
      this.emitReserved("close", details);
    }

    // onError reports a failure as an Error named by reason ("xhr poll
    // error", "websocket error"), as the official client does.
    onError(reason, description, context) {
      const err = new Error(reason);
      err.type = "TransportError";
      err.description = description;
      err.context = context;
      this.emitReserved("error", err);
      return this;
    }

    uri(scheme, query) {
      const { hostname, port, secure, path } = this.opts;
      const host = hostname.includes(":") ? "[" + hostname + "]" : hostname;
      const defaultPort = secure ? 443 : 80;
      const portPart = port && Number(port) !== defaultPort ? ":" + port : "";
      const search = encodeQuery(query);
      return scheme + "://" + host + portPart + path + (search ? "?" + search : "");
    }
  }

  // Polling is HTTP long-polling: one GET always waits for the server's
  // packets, and a POST carries ours, never more than one of each at a time.
  // Subclasses say how a request is made (XMLHttpRequest or fetch).
  class Polling extends Transport {
    get name() { return "polling"; }
    doOpen() { this._poll(); }

    _poll() {
      pollingDebug("polling");
      this._polling = true;
      const request = this.request("GET");
      this._pollRequest = request;
      request.done.then(
        (payload) => this._pollRequest === request && this.onData(payload),
        (status) => this._pollRequest === request && this.onError(this.errorNames[0], status),
      );
      this.emitReserved("poll");
    }

    onData(payload) {
      pollingDebug("polling got data %s", payload);
      for (const packet of decodePayload(payload)) {
        if (this.readyState === "opening" && packet.type === "open") this.onOpen();
        if (packet.type === "close") {
          this.onClose({ description: "transport closed by the server" });
          return;
        }
        this.onPacket(packet);
      }
      if (this.readyState === "closed") return;
      this._polling = false;
      this.emitReserved("pollComplete");
      if (this.readyState === "open") this._poll();
      else pollingDebug('ignoring poll - transport state "%s"', this.readyState);
    }

    // pause stops polling for an upgrade: it waits for the GET in flight
    // (the server ends it with a noop) and for the POST in flight.
    pause(onPause) {
      this.readyState = "pausing";
      const paused = () => {
        pollingDebug("paused");
        this.readyState = "paused";
        onPause();
      };
      let waiting = 0;
      const done = () => --waiting || paused();
      if (this._polling) {
        pollingDebug("we are currently polling - waiting to pause");
        waiting++;
        this.once("pollComplete", done);
      }
      if (!this.writable) {
        pollingDebug("we are currently writing - waiting to pause");
        waiting++;
        this.once("drain", done);
      }
      if (waiting === 0) paused();
    }

    write(packets) {
      this.writable = false;
      encodePayload(packets).then((payload) => {
        this.request("POST", payload).done.then(
          () => {
            this.writable = true;
            this.emitReserved("drain");
          },
          (status) => this.onError(this.errorNames[1], status),
        );
      });
    }

    doClose() {
      if (this.readyState === "open") {
        pollingDebug("transport open - closing");
        pollingDebug("writing close packet");
        this.write([{ type: "close" }]);
      } else {
        // Still handshaking (a connect timeout, say): drop the request.
        pollingDebug("transport not open - aborting the handshake request");
        this._pollRequest?.abort();
      }
      this._pollRequest = null;
    }

    uri() {
      const query = { ...this.query };
      if (this.opts.timestampRequests !== false) query[this.opts.timestampParam] = randomString();
      return super.uri(this.opts.secure ? "https" : "http", query);
    }
  }

  // XHR polls with XMLHttpRequest, the default.
  class XHR extends Polling {
    get errorNames() { return ["xhr poll error", "xhr post error"]; }

    // request starts an HTTP request. done resolves with the response text,
    // or rejects with the status (0 for a network error); after abort() it
    // never settles.
    request(method, body = null) {
      const xhr = new XMLHttpRequest();
      const url = this.uri();
      pollingDebug("xhr open %s: %s", method, url);
      xhr.open(method, url, true);
      for (const [name, value] of Object.entries(this.opts.extraHeaders || {})) {
        xhr.setRequestHeader(name, value);
      }
      if (method === "POST") xhr.setRequestHeader("Content-Type", "text/plain;charset=UTF-8");
      xhr.setRequestHeader("Accept", "*/*");
      xhr.withCredentials = Boolean(this.opts.withCredentials);
      const done = new Promise((resolve, reject) => {
        xhr.onload = () => (xhr.status === 200 ? resolve(xhr.responseText) : reject(xhr.status));
        xhr.onerror = () => reject(xhr.status);
      });
      pollingDebug("xhr data %s", body);
      xhr.send(body);
      return { done, abort: () => xhr.abort() };
    }
  }

  // Fetch polls with fetch(), for pages that prefer it (or have no XHR).
  class Fetch extends Polling {
    get errorNames() { return ["fetch read error", "fetch write error"]; }

    request(method, body = null) {
      const headers = new Headers(this.opts.extraHeaders);
      if (method === "POST") headers.set("Content-Type", "text/plain;charset=UTF-8");
      const controller = new AbortController();
      const credentials = this.opts.withCredentials ? "include" : "same-origin";
      const done = fetch(this.uri(), { method, body, headers, credentials, signal: controller.signal })
        .catch(() => (controller.signal.aborted ? new Promise(() => {}) : Promise.reject(0)))
        .then((res) => (res.ok ? res.text() : Promise.reject(res.status)));
      return { done, abort: () => controller.abort() };
    }
  }

  // WS is the WebSocket transport: one packet per frame. Browsers cannot set
  // headers on a WebSocket, so extraHeaders does not apply here.
  class WS extends Transport {
    get name() { return "websocket"; }

    doOpen() {
      const uri = this.uri();
      websocketDebug("opening %s", uri);
      try {
        this.ws = new WebSocket(uri, this.opts.protocols);
      } catch (err) {
        this.emitReserved("error", err);
        return;
      }
      this.ws.binaryType = "arraybuffer";
      this.ws.onopen = () => {
        websocketDebug("open");
        this.onOpen();
      };
      this.ws.onclose = (event) => {
        websocketDebug("closed with code %d", event.code);
        this.onClose({ description: "websocket connection closed", context: event });
      };
      this.ws.onmessage = (event) => this.onData(event.data);
      this.ws.onerror = (event) => this.onError("websocket error", event);
    }

    write(packets) {
      this.writable = false;
      for (const packet of packets) {
        try {
          // Binary data goes as it is (ArrayBuffer, typed array or Blob).
          this.ws.send(isBinary(packet.data) ? packet.data : encodeText(packet));
        } catch {
          websocketDebug("websocket closed before onclose event");
        }
      }
      // The browser buffers the frames; call it drained once the engine has
      // updated its write buffer.
      queueMicrotask(() => {
        this.writable = true;
        this.emitReserved("drain");
      });
    }

    doClose() {
      if (!this.ws) return;
      this.ws.onopen = this.ws.onclose = this.ws.onmessage = this.ws.onerror = null;
      this.ws.close();
      this.ws = null;
    }

    uri() {
      const query = { ...this.query };
      if (this.opts.timestampRequests) query[this.opts.timestampParam] = randomString();
      return super.uri(this.opts.secure ? "wss" : "ws", query);
    }
  }

  const TRANSPORTS = { polling: XHR, websocket: WS };

  // ===========================================================================
  // 5. EngineSocket: one Engine.IO session
  // ===========================================================================
  //
  // It opens the first transport (polling unless told otherwise), reads the
  // open packet (sid, upgrades, pingInterval, pingTimeout, maxPayload),
  // answers each ping with a pong, closes with "ping timeout" when no ping
  // comes within pingInterval + pingTimeout, and upgrades to WebSocket with
  // the probe: 2probe -> 3probe, pause polling, then 5.
  //
  // Events: "open", "handshake", "packet", "data" (a message), "ping",
  // "upgrading", "upgrade", "upgradeError", "drain", "flush", "error",
  // "close" (reason, description).

  const engineDebug = createDebug("engine.io-client:socket");
  let priorWebsocketSuccess = false; // for rememberUpgrade

  class EngineSocket extends Emitter {
    constructor(uri, opts = {}) {
      super();
      const target = parseURL(uri);
      this.secure = target.secure;
      this.hostname = target.hostname;
      this.port = target.port;

      // transports may list names ("polling") or classes (io.Fetch).
      this.transports = [];
      this._transportClasses = {};
      for (const t of opts.transports || ["polling", "websocket"]) {
        const Class = typeof t === "function" ? t : TRANSPORTS[t];
        if (!Class) continue; // e.g. "webtransport", which this client lacks
        const name = Class.prototype.name;
        this.transports.push(name);
        this._transportClasses[name] = Class;
      }

      this.opts = {
        path: "/engine.io", upgrade: true, rememberUpgrade: false, withCredentials: false,
        timestampParam: "t", addTrailingSlash: true, transportOptions: {}, ...opts,
      };
      this.opts.path = this.opts.path.replace(/\/$/, "") + (this.opts.addTrailingSlash ? "/" : "");
      const query = typeof opts.query === "string" ? Object.fromEntries(new URLSearchParams(opts.query)) : opts.query;
      this.opts.query = { ...Object.fromEntries(new URLSearchParams(target.query)), ...query };

      this.readyState = "";
      this.writeBuffer = [];
      this._prevBufferLen = 0; // packets handed to the transport, awaiting "drain"
      this._upgrades = []; // from the handshake, like pingInterval, pingTimeout and maxPayload
      this._pingDeadline = Infinity;
      this.upgrading = false;
      this._open();
    }

    createTransport(name) {
      engineDebug('creating transport "%s"', name);
      const query = { ...this.opts.query, EIO: 4, transport: name };
      if (this.id) query.sid = this.id;
      const { hostname, port, secure } = this;
      const opts = { ...this.opts, query, hostname, port, secure, ...this.opts.transportOptions[name] };
      return new this._transportClasses[name](opts);
    }

    _open() {
      if (this.transports.length === 0) {
        setTimeout(() => this.emitReserved("error", new Error("No transports available")), 0);
        return;
      }
      const remembered = this.opts.rememberUpgrade && priorWebsocketSuccess && this.transports.includes("websocket");
      this.readyState = "opening";
      const transport = this.createTransport(remembered ? "websocket" : this.transports[0]);
      this.setTransport(transport);
      transport.open();
    }

    setTransport(transport) {
      engineDebug("setting transport %s", transport.name);
      if (this.transport) {
        engineDebug("clearing existing transport %s", this.transport.name);
        this.transport.off();
      }
      this.transport = transport;
      transport
        .on("drain", () => this._onDrain())
        .on("packet", (packet) => this._onPacket(packet))
        .on("error", (err) => this._onError(err))
        .on("close", (details) => this._onClose("transport close", details));
    }

    // _probe tries to upgrade to the transport called name (websocket): it
    // opens it beside the current one and sends "2probe"; on "3probe" it
    // pauses polling, switches over and sends "5" (upgrade).
    _probe(name) {
      engineDebug('probing transport "%s"', name);
      const probe = this.createTransport(name);
      let settled = false;
      priorWebsocketSuccess = false;
      const onSocketClose = () => fail("socket closed");
      const settle = () => {
        settled = true;
        probe.off();
        this.off("close", onSocketClose);
      };
      const fail = (reason) => {
        if (settled) return;
        settle();
        probe.close();
        engineDebug('probe transport "%s" failed because of error: %s', name, reason);
        const err = new Error("probe error: " + reason);
        err.transport = name;
        this.emitReserved("upgradeError", err);
      };
      this.once("close", onSocketClose);
      probe.once("error", (err) => fail(err.message || err));
      probe.once("close", () => fail("transport closed"));
      probe.once("open", () => {
        engineDebug('probe transport "%s" opened', name);
        probe.send([{ type: "ping", data: "probe" }]);
        probe.once("packet", (packet) => {
          if (settled) return;
          if (packet.type !== "pong" || packet.data !== "probe") return fail("unexpected " + packet.type);
          engineDebug('probe transport "%s" pong', name);
          this.upgrading = true;
          this.emitReserved("upgrading", probe);
          priorWebsocketSuccess = name === "websocket";
          engineDebug('pausing current transport "%s"', this.transport.name);
          this.transport.pause(() => {
            if (settled || this.readyState === "closed") return;
            settle();
            engineDebug("changing transport and sending upgrade packet");
            this.setTransport(probe);
            probe.send([{ type: "upgrade" }]);
            this.emitReserved("upgrade", probe);
            this.upgrading = false;
            this.flush();
          });
        });
      });
      probe.open();
    }

    onOpen() {
      engineDebug("socket open");
      this.readyState = "open";
      priorWebsocketSuccess = this.transport.name === "websocket";
      this.emitReserved("open");
      this.flush();
      if (this.readyState === "open" && this.opts.upgrade) {
        engineDebug("starting upgrade probes");
        for (const name of this._upgrades) this._probe(name);
      }
    }

    _onPacket(packet) {
      if (!["opening", "open", "closing"].includes(this.readyState)) {
        engineDebug('packet received with socket readyState "%s"', this.readyState);
        return;
      }
      engineDebug('socket receive: type "%s", data "%s"', packet.type, packet.data);
      this.emitReserved("packet", packet);
      this.emitReserved("heartbeat");
      switch (packet.type) {
        case "open": {
          let handshake;
          try {
            handshake = JSON.parse(packet.data);
          } catch {
            this._onError(new Error("parser error"));
            return;
          }
          this.onHandshake(handshake);
          break;
        }
        case "ping":
          this._sendPacket("pong");
          this.emitReserved("ping");
          this.emitReserved("pong");
          this._resetPingTimeout();
          break;
        case "error": {
          const err = new Error("server error");
          err.code = packet.data;
          this._onError(err);
          break;
        }
        case "message":
          this.emitReserved("data", packet.data);
          this.emitReserved("message", packet.data);
          break;
      }
    }

    onHandshake(data) {
      this.emitReserved("handshake", data);
      this.id = data.sid;
      this.transport.query.sid = data.sid;
      this._upgrades = (data.upgrades || []).filter((name) => this.transports.includes(name));
      this._pingInterval = data.pingInterval;
      this._pingTimeout = data.pingTimeout;
      this._maxPayload = data.maxPayload;
      this.onOpen();
      if (this.readyState === "closed") return; // an "open" listener closed us
      this._resetPingTimeout();
    }

    // _resetPingTimeout arms the heartbeat deadline: the server pings every
    // pingInterval and we allow it pingTimeout more.
    _resetPingTimeout() {
      clearTimeout(this._pingTimer);
      const delay = this._pingInterval + this._pingTimeout;
      this._pingDeadline = Date.now() + delay;
      this._pingTimer = setTimeout(() => this._onClose("ping timeout"), delay);
    }

    // _hasPingExpired also catches a deadline missed while timers were
    // throttled (a background tab): then it closes on the next tick.
    _hasPingExpired() {
      if (!this._pingDeadline) return true;
      const expired = Date.now() > this._pingDeadline;
      if (expired) {
        engineDebug("throttled timer detected, scheduling connection close");
        this._pingDeadline = 0;
        queueMicrotask(() => this._onClose("ping timeout"));
      }
      return expired;
    }

    _onDrain() {
      this.writeBuffer.splice(0, this._prevBufferLen);
      this._prevBufferLen = 0;
      if (this.writeBuffer.length === 0) this.emitReserved("drain");
      else this.flush();
    }

    flush() {
      if (this.readyState === "closed" || !this.transport.writable || this.upgrading || !this.writeBuffer.length) {
        return;
      }
      const packets = this._writablePackets();
      engineDebug("flushing %d packets in socket", packets.length);
      this.transport.send(packets);
      this._prevBufferLen = packets.length;
      this.emitReserved("flush");
    }

    // _writablePackets keeps a polling POST under the server's maxPayload.
    _writablePackets() {
      if (!(this._maxPayload > 0) || this.transport.name !== "polling" || this.writeBuffer.length < 2) {
        return this.writeBuffer;
      }
      let size = 1; // the first packet's type
      for (let i = 0; i < this.writeBuffer.length; i++) {
        const data = this.writeBuffer[i].data;
        if (data) size += byteLength(data);
        if (i > 0 && size > this._maxPayload) {
          engineDebug("only send %d out of %d packets", i, this.writeBuffer.length);
          return this.writeBuffer.slice(0, i);
        }
        size += 2; // the separator and the next packet's type
      }
      engineDebug("payload size is %d (max: %d)", size, this._maxPayload);
      return this.writeBuffer;
    }

    // write (or send) queues a message; fn runs once it is flushed.
    write(data, options, fn) {
      this._sendPacket("message", data, options, fn);
      return this;
    }

    send(data, options, fn) { return this.write(data, options, fn); }

    _sendPacket(type, data, options, fn) {
      if (this.readyState === "closing" || this.readyState === "closed") return;
      const packet = { type, data, options: { compress: options?.compress !== false } };
      this.emitReserved("packetCreate", packet);
      this.writeBuffer.push(packet);
      if (fn) this.once("flush", fn);
      this.flush();
    }

    // close ends the session once the write buffer has drained and any
    // upgrade in progress has ended (nothing can be sent mid-upgrade).
    close() {
      const close = () => {
        this._onClose("forced close");
        engineDebug("socket closing - telling transport to close");
        this.transport.close();
      };
      const closeAfterUpgrade = () => {
        const done = () => {
          this.off("upgrade", done).off("upgradeError", done);
          close();
        };
        this.once("upgrade", done).once("upgradeError", done);
      };
      if (this.readyState !== "opening" && this.readyState !== "open") return this;
      this.readyState = "closing";
      if (this.writeBuffer.length) this.once("drain", () => (this.upgrading ? closeAfterUpgrade() : close()));
      else if (this.upgrading) closeAfterUpgrade();
      else close();
      return this;
    }

    _onError(err) {
      engineDebug("socket error %j", err);
      priorWebsocketSuccess = false;
      this.emitReserved("error", err);
      this._onClose("transport error", err);
    }

    _onClose(reason, description) {
      if (!["opening", "open", "closing"].includes(this.readyState)) return;
      engineDebug('socket close with reason: "%s"', reason);
      clearTimeout(this._pingTimer);
      this.transport.off("close");
      this.transport.close();
      this.transport.off();
      this.readyState = "closed";
      this.id = null;
      this.emitReserved("close", reason, description);
      this.writeBuffer = [];
      this._prevBufferLen = 0;
    }
  }
  EngineSocket.protocol = 4;

  // byteLength is the UTF-8 size of a string, or the size of binary data.
  function byteLength(data) {
    if (typeof data === "string") return new TextEncoder().encode(data).length;
    return Math.ceil((data.byteLength ?? data.size) * 1.33); // sent as base64
  }

  // ===========================================================================
  // 6. Socket.IO packets
  // ===========================================================================
  //
  // <type>[<attachments>-][<namespace>,][<ack id>][<JSON>], e.g. 2["hi"],
  // 2/admin,7["hi"], 3/admin,7[]. Binary values become placeholders
  // {"_placeholder":true,"num":i}, and the type becomes BINARY_EVENT or
  // BINARY_ACK; the attachments follow as separate Engine.IO messages.

  const parserDebug = createDebug("socket.io-parser");

  const PacketType = Object.freeze({
    CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6,
  });

  const RESERVED_EVENTS = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

  function isPlainValue(value) {
    return value === null || typeof value !== "object" || value instanceof Date;
  }

  function hasBinary(value, viaToJSON = false) {
    if (isBinary(value)) return true;
    if (Array.isArray(value)) return value.some((v) => hasBinary(v));
    if (isPlainValue(value)) return false;
    if (typeof value.toJSON === "function" && !viaToJSON) return hasBinary(value.toJSON(), true);
    return Object.values(value).some((v) => hasBinary(v));
  }

  // deconstruct replaces each binary value with a placeholder, depth first,
  // and collects the values into buffers.
  function deconstruct(value, buffers, viaToJSON = false) {
    if (isBinary(value)) {
      buffers.push(value);
      return { _placeholder: true, num: buffers.length - 1 };
    }
    if (Array.isArray(value)) return value.map((v) => deconstruct(v, buffers));
    if (isPlainValue(value)) return value;
    if (typeof value.toJSON === "function" && !viaToJSON) return deconstruct(value.toJSON(), buffers, true);
    const out = {};
    for (const [key, v] of Object.entries(value)) out[key] = deconstruct(v, buffers);
    return out;
  }

  function reconstruct(value, buffers) {
    if (isPlainValue(value)) return value;
    if (value._placeholder === true) {
      const ok = Number.isInteger(value.num) && value.num >= 0 && value.num < buffers.length;
      if (!ok) throw new Error("illegal attachments");
      return buffers[value.num];
    }
    for (const key of Object.keys(value)) value[key] = reconstruct(value[key], buffers);
    return value;
  }

  // encodePacket returns the text of packet followed by its attachments.
  function encodePacket(packet) {
    parserDebug("encoding packet %j", packet);
    let { type, data } = packet;
    const buffers = [];
    if ((type === PacketType.EVENT || type === PacketType.ACK) && hasBinary(data)) {
      type = type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
      data = deconstruct(data, buffers);
    }
    let text = String(type);
    if (buffers.length) text += buffers.length + "-";
    if (packet.nsp && packet.nsp !== "/") text += packet.nsp + ",";
    if (packet.id != null) text += packet.id;
    if (data !== undefined) text += JSON.stringify(data);
    parserDebug("encoded %j as %s", packet, text);
    return [text, ...buffers];
  }

  // isValidPayload checks a decoded payload's shape against its packet type.
  function isValidPayload(type, data) {
    const isObject = data !== null && typeof data === "object" && !Array.isArray(data);
    switch (type) {
      case PacketType.CONNECT:
        return isObject;
      case PacketType.DISCONNECT:
        return data === undefined;
      case PacketType.CONNECT_ERROR:
        return typeof data === "string" || isObject;
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        return (
          Array.isArray(data) &&
          (typeof data[0] === "number" || (typeof data[0] === "string" && !RESERVED_EVENTS.has(data[0])))
        );
      default: // ACK, BINARY_ACK
        return Array.isArray(data);
    }
  }

  // decodeText parses the text of a packet; it throws if it is malformed.
  function decodeText(text) {
    const packet = { type: Number(text[0]) };
    if (!Object.values(PacketType).includes(packet.type)) throw new Error("unknown packet type " + text[0]);
    let i = 1;
    if (packet.type === PacketType.BINARY_EVENT || packet.type === PacketType.BINARY_ACK) {
      const dash = text.indexOf("-");
      const count = dash < 0 ? "" : text.slice(1, dash);
      if (!/^\d+$/.test(count) || Number(count) < 1) throw new Error("Illegal attachments");
      if (Number(count) > Decoder.maxAttachments) throw new Error("too many attachments");
      packet.attachments = Number(count);
      i = dash + 1;
    }
    packet.nsp = "/";
    if (text[i] === "/") {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      packet.nsp = text.slice(i, end);
      i = end + 1;
    }
    const id = /^\d+/.exec(text.slice(i));
    if (id) {
      packet.id = Number(id[0]);
      i += id[0].length;
    }
    if (i < text.length) {
      let data;
      try {
        data = JSON.parse(text.slice(i));
      } catch {
        throw new Error("invalid payload");
      }
      if (!isValidPayload(packet.type, data)) throw new Error("invalid payload");
      packet.data = data;
    }
    parserDebug("decoded %s as %j", text, packet);
    return packet;
  }

  // Decoder turns Engine.IO messages back into Socket.IO packets, waiting for
  // the attachments of binary ones. It emits "decoded"; add throws on any
  // malformed input.
  class Decoder extends Emitter {
    static maxAttachments = 10;

    add(chunk) {
      if (typeof chunk === "string") {
        if (this._pending) throw new Error("got plaintext data when reconstructing a packet");
        const packet = decodeText(chunk);
        if (packet.type === PacketType.BINARY_EVENT || packet.type === PacketType.BINARY_ACK) {
          packet.type = packet.type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK;
          this._pending = { packet, buffers: [] };
        } else {
          this.emitReserved("decoded", packet);
        }
        return;
      }
      if (!isBinary(chunk)) throw new Error("Unknown type: " + chunk);
      if (!this._pending) throw new Error("got binary data when not reconstructing a packet");
      const { packet, buffers } = this._pending;
      buffers.push(chunk);
      if (buffers.length < packet.attachments) return;
      this._pending = null;
      packet.data = reconstruct(packet.data, buffers);
      delete packet.attachments;
      this.emitReserved("decoded", packet);
    }

    destroy() { this._pending = null; }
  }

  // ===========================================================================
  // 7. Socket: one namespace over a Manager's connection
  // ===========================================================================
  //
  // Local events: "connect", "connect_error" (err, with err.data from the
  // server's middleware), "disconnect" (reason, description). Reasons: "io
  // server disconnect" and "io client disconnect" (no reconnection), "ping
  // timeout", "transport close", "transport error", "parse error", "forced
  // close" (the Manager reconnects).

  const socketDebug = createDebug("socket.io-client:socket");

  class Socket extends Emitter {
    constructor(io, nsp, opts = {}) {
      super();
      this.io = io; // the Manager
      this.nsp = nsp;
      this.connected = false;
      this.recovered = false;
      this.receiveBuffer = []; // events that came before "connect"
      this.sendBuffer = []; // packets emitted while disconnected
      this.ids = 0; // next ack id
      this.acks = {}; // ack id -> callback
      this.flags = {}; // volatile, timeout, compress: for the next emit only
      if (opts.auth) this.auth = opts.auth;
      this._opts = { ...opts };
      if (this.io._autoConnect) this.open();
    }

    get disconnected() { return !this.connected; }

    // active is true while the socket wants a connection (it reconnects).
    get active() { return Boolean(this.subs); }

    // subEvents listens to the Manager; destroy stops listening.
    subEvents() {
      if (this.subs) return;
      this.subs = [
        subscribe(this.io, "open", () => this.onopen()),
        subscribe(this.io, "packet", (packet) => this.onpacket(packet)),
        subscribe(this.io, "error", (err) => this.onerror(err)),
        subscribe(this.io, "close", (reason, description) => this.onclose(reason, description)),
      ];
    }

    connect() {
      if (this.connected) return this;
      this.subEvents();
      if (!this.io._reconnecting) this.io.open();
      if (this.io._readyState === "open") this.onopen();
      return this;
    }

    open() { return this.connect(); }
    send(...args) { return this.emit("message", ...args); }

    // emit sends an event; a function as the last argument is called with
    // the server's acknowledgement.
    emit(event, ...args) {
      if (RESERVED_EVENTS.has(event)) throw new Error('"' + String(event) + '" is a reserved event name');
      args.unshift(event);
      const packet = { type: PacketType.EVENT, data: args, options: { compress: this.flags.compress !== false } };
      if (typeof args[args.length - 1] === "function") {
        const id = this.ids++;
        socketDebug("emitting packet with ack id %d", id);
        this._registerAckCallback(id, args.pop());
        packet.id = id;
      }
      const writable = this.io.engine?.transport?.writable;
      const connected = this.connected && !this.io.engine?._hasPingExpired();
      if (this.flags.volatile && !writable) {
        socketDebug("discard packet as the transport is not currently writable");
      } else if (connected) {
        this.notifyOutgoingListeners(packet);
        this.packet(packet);
      } else {
        this.sendBuffer.push(packet);
      }
      this.flags = {};
      return this;
    }

    _registerAckCallback(id, ack) {
      const timeout = this.flags.timeout ?? this._opts.ackTimeout;
      if (timeout === undefined) {
        this.acks[id] = ack;
        return;
      }
      const timer = setTimeout(() => {
        delete this.acks[id];
        const i = this.sendBuffer.findIndex((packet) => packet.id === id);
        if (i >= 0) {
          socketDebug("removing packet with ack id %d from the buffer", id);
          this.sendBuffer.splice(i, 1);
        }
        socketDebug("event with ack id %d has timed out after %d ms", id, timeout);
        ack.call(this, new Error("operation has timed out"));
      }, timeout);
      const fn = (...args) => {
        clearTimeout(timer);
        ack.apply(this, args);
      };
      fn.withError = true; // called as (err, ...args)
      this.acks[id] = fn;
    }

    // emitWithAck returns a Promise of the server's first ack argument; it
    // rejects on timeout (see timeout() and ackTimeout) or disconnection.
    emitWithAck(event, ...args) {
      return new Promise((resolve, reject) => {
        const fn = (err, response) => (err ? reject(err) : resolve(response));
        fn.withError = true;
        this.emit(event, ...args, fn);
      });
    }

    packet(packet) {
      packet.nsp = this.nsp;
      this.io._packet(packet);
    }

    onopen() {
      socketDebug("transport is open - connecting");
      if (typeof this.auth === "function") this.auth((data) => this._sendConnectPacket(data));
      else this._sendConnectPacket(this.auth);
    }

    _sendConnectPacket(data) {
      // With connection state recovery the server gave us a pid; send it back
      // with the offset of the last event so it can replay what we missed.
      if (this._pid) data = { pid: this._pid, offset: this._lastOffset, ...data };
      this.packet({ type: PacketType.CONNECT, data });
    }

    onerror(err) { if (!this.connected) this.emitReserved("connect_error", err); }

    onclose(reason, description) {
      socketDebug("close (%s)", reason);
      this.connected = false;
      delete this.id;
      this.emitReserved("disconnect", reason, description);
      this._clearAcks();
    }

    // _clearAcks fails the acks that can no longer come (those whose packet
    // is not waiting in sendBuffer) when they take an error argument.
    _clearAcks() {
      for (const id of Object.keys(this.acks)) {
        if (this.sendBuffer.some((packet) => String(packet.id) === id)) continue;
        const ack = this.acks[id];
        delete this.acks[id];
        if (ack.withError) ack.call(this, new Error("socket has been disconnected"));
      }
    }

    onpacket(packet) {
      if (packet.nsp !== this.nsp) return;
      switch (packet.type) {
        case PacketType.CONNECT:
          if (packet.data?.sid) {
            this.onconnect(packet.data.sid, packet.data.pid);
          } else {
            const hint = "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are " +
              "not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)";
            this.emitReserved("connect_error", new Error(hint));
          }
          break;
        case PacketType.EVENT:
        case PacketType.BINARY_EVENT:
          this.onevent(packet);
          break;
        case PacketType.ACK:
        case PacketType.BINARY_ACK:
          this.onack(packet);
          break;
        case PacketType.DISCONNECT:
          this.ondisconnect();
          break;
        case PacketType.CONNECT_ERROR: {
          // Refused by a middleware or an unknown namespace: no automatic
          // retry; the page may change auth and call connect().
          this.destroy();
          const data = packet.data;
          const err = new Error(typeof data === "string" ? data : data?.message);
          err.data = data?.data;
          this.emitReserved("connect_error", err);
          break;
        }
      }
    }

    onevent(packet) {
      const args = packet.data || [];
      socketDebug("emitting event %j", args);
      if (packet.id != null) {
        socketDebug("attaching ack callback to event");
        args.push(this.ack(packet.id));
      }
      if (this.connected) this.emitEvent(args);
      else this.receiveBuffer.push(Object.freeze(args));
    }

    emitEvent(args) {
      for (const listener of [...(this._anyListeners || [])]) listener.apply(this, args);
      this.emitReserved(...args);
      if (this._pid && args.length && typeof args[args.length - 1] === "string") {
        this._lastOffset = args[args.length - 1];
      }
    }

    // ack returns the callback that answers the server's event id (once).
    ack(id) {
      let sent = false;
      return (...args) => {
        if (sent) return;
        sent = true;
        socketDebug("sending ack %j", args);
        this.packet({ type: PacketType.ACK, id, data: args });
      };
    }

    onack(packet) {
      const ack = this.acks[packet.id];
      if (typeof ack !== "function") {
        socketDebug("bad ack %s", packet.id);
        return;
      }
      delete this.acks[packet.id];
      socketDebug("calling ack %s with %j", packet.id, packet.data);
      if (ack.withError) packet.data.unshift(null);
      ack.apply(this, packet.data);
    }

    onconnect(id, pid) {
      socketDebug("socket connected with id %s", id);
      this.id = id;
      this.recovered = Boolean(pid) && this._pid === pid;
      this._pid = pid;
      this.connected = true;
      this.emitBuffered();
      this.emitReserved("connect");
    }

    emitBuffered() {
      for (const args of this.receiveBuffer) this.emitEvent(args);
      this.receiveBuffer = [];
      for (const packet of this.sendBuffer) {
        this.notifyOutgoingListeners(packet);
        this.packet(packet);
      }
      this.sendBuffer = [];
    }

    ondisconnect() {
      socketDebug("server disconnect (%s)", this.nsp);
      this.destroy();
      this.onclose("io server disconnect");
    }

    destroy() {
      if (this.subs) {
        for (const unsubscribe of this.subs) unsubscribe();
        this.subs = undefined;
      }
      this.io._destroy(this);
    }

    disconnect() {
      if (this.connected) {
        socketDebug("performing disconnect (%s)", this.nsp);
        this.packet({ type: PacketType.DISCONNECT });
      }
      this.destroy();
      if (this.connected) this.onclose("io client disconnect");
      return this;
    }

    close() { return this.disconnect(); }

    // Modifiers for the next emit: socket.volatile.emit(...),
    // socket.timeout(500).emit(...), socket.compress(false).emit(...).
    get volatile() { return this._flag("volatile", true); }
    timeout(ms) { return this._flag("timeout", ms); }
    compress(compress) { return this._flag("compress", compress); }

    _flag(name, value) {
      this.flags[name] = value;
      return this;
    }

    // Catch-all listeners, called with the event name and its arguments for
    // every event received (onAny) or sent (onAnyOutgoing).
    onAny(fn) { return this._any("_anyListeners", (list) => [...list, fn]); }
    prependAny(fn) { return this._any("_anyListeners", (list) => [fn, ...list]); }
    offAny(fn) { return this._any("_anyListeners", (list) => (fn ? list.filter((l) => l !== fn) : [])); }
    listenersAny() { return this._anyListeners || []; }
    onAnyOutgoing(fn) { return this._any("_anyOutgoingListeners", (list) => [...list, fn]); }
    prependAnyOutgoing(fn) { return this._any("_anyOutgoingListeners", (list) => [fn, ...list]); }
    offAnyOutgoing(fn) { return this._any("_anyOutgoingListeners", (list) => (fn ? list.filter((l) => l !== fn) : [])); }
    listenersAnyOutgoing() { return this._anyOutgoingListeners || []; }

    _any(key, change) {
      this[key] = change(this[key] || []);
      return this;
    }

    notifyOutgoingListeners(packet) {
      for (const listener of [...(this._anyOutgoingListeners || [])]) listener.apply(this, packet.data);
    }
  }

  // ===========================================================================
  // 8. Manager: one Engine.IO connection shared by namespaces
  // ===========================================================================
  //
  // Events: "open", "close" (reason, description), "packet", "ping", "error"
  // (the connection could not open), "reconnect_attempt" (attempt, from 1),
  // "reconnect" (attempts used), "reconnect_error" (err), "reconnect_failed".

  const managerDebug = createDebug("socket.io-client:manager");

  // backoffDelay is the wait before reconnection attempt n (from 0): min * 2^n,
  // moved up or down at random by up to `jitter` of itself, capped at max.
  function backoffDelay(n, min, max, jitter) {
    let ms = min * 2 ** n;
    if (jitter > 0 && jitter <= 1) {
      const deviation = Math.floor(Math.random() * jitter * ms);
      ms += Math.random() < 0.5 ? -deviation : deviation;
    }
    return Math.min(ms, max) | 0;
  }

  class Manager extends Emitter {
    constructor(uri, opts) {
      super();
      if (uri && typeof uri === "object") {
        opts = uri;
        uri = undefined;
      }
      opts = { ...opts };
      opts.path ||= defaultPath(parseURL(uri));
      this.uri = uri;
      this.opts = opts;
      this.nsps = {}; // namespace -> Socket
      this.subs = [];
      this._attempts = 0; // reconnection attempts so far
      this.reconnection(opts.reconnection !== false);
      this.reconnectionAttempts(opts.reconnectionAttempts || Infinity);
      this.reconnectionDelay(opts.reconnectionDelay || 1000);
      this.reconnectionDelayMax(opts.reconnectionDelayMax || 5000);
      this.randomizationFactor(opts.randomizationFactor ?? 0.5);
      this.timeout(opts.timeout ?? 20000);
      this._readyState = "closed";
      this.encoder = { encode: encodePacket };
      this.decoder = new Decoder();
      this._autoConnect = opts.autoConnect !== false;
      if (this._autoConnect) this.open();
    }

    // Options that can be read and changed later: reconnection() returns the
    // value, reconnection(false) sets it and returns the Manager. timeout is
    // how long opening a connection may take (false: no limit).
    _option(name, value) {
      if (value === undefined) return this["_" + name];
      this["_" + name] = value;
      return this;
    }

    reconnection(v) {
      if (v === false) this.skipReconnect = true;
      return this._option("reconnection", v === undefined ? v : Boolean(v));
    }

    reconnectionAttempts(v) { return this._option("reconnectionAttempts", v); }
    reconnectionDelay(v) { return this._option("reconnectionDelay", v); }
    reconnectionDelayMax(v) { return this._option("reconnectionDelayMax", v); }
    randomizationFactor(v) { return this._option("randomizationFactor", v); }
    timeout(v) { return this._option("timeout", v); }

    maybeReconnectOnOpen() {
      if (!this._reconnecting && this._reconnection && this._attempts === 0) this.reconnect();
    }

    // open (or connect) opens the Engine.IO connection. fn, if given, is
    // called with nothing on success or with the error.
    open(fn) {
      managerDebug("readyState %s", this._readyState);
      if (this._readyState.includes("open")) return this;
      managerDebug("opening %s", this.uri);
      const engine = (this.engine = new EngineSocket(this.uri, this.opts));
      this._readyState = "opening";
      this.skipReconnect = false;

      const onOpen = () => {
        this.onopen();
        fn?.();
      };
      const onError = (err) => {
        managerDebug("error");
        this.cleanup();
        this._readyState = "closed";
        this.emitReserved("error", err);
        if (fn) fn(err);
        else this.maybeReconnectOnOpen();
      };
      const stopOpen = subscribe(engine, "open", onOpen);
      this.subs.push(stopOpen, subscribe(engine, "error", onError));

      if (this._timeout !== false) {
        const timeout = this._timeout;
        managerDebug("connect attempt will timeout after %d", timeout);
        const timer = setTimeout(() => {
          managerDebug("connect attempt timed out after %d", timeout);
          stopOpen();
          onError(new Error("timeout"));
          engine.close();
        }, timeout);
        this.subs.push(() => clearTimeout(timer));
      }
      return this;
    }

    connect(fn) { return this.open(fn); }

    onopen() {
      managerDebug("open");
      this.cleanup();
      this._readyState = "open";
      this.emitReserved("open");
      const engine = this.engine;
      this.subs.push(
        subscribe(engine, "ping", () => this.emitReserved("ping")),
        subscribe(engine, "data", (data) => this.ondata(data)),
        subscribe(engine, "error", (err) => this.onerror(err)),
        subscribe(engine, "close", (reason, description) => this.onclose(reason, description)),
        // Deliver packets on a microtask, so that an exception thrown by a
        // user's listener is not mistaken for a "parse error".
        subscribe(this.decoder, "decoded", (packet) => queueMicrotask(() => this.emitReserved("packet", packet))),
      );
    }

    ondata(data) {
      try {
        this.decoder.add(data);
      } catch (err) {
        this.onclose("parse error", err);
      }
    }

    onerror(err) {
      managerDebug("error", err);
      this.emitReserved("error", err);
    }

    // socket returns the Socket of namespace nsp ("/" or "/admin"), making it
    // on first use.
    socket(nsp, opts) {
      let socket = this.nsps[nsp];
      if (!socket) {
        socket = this.nsps[nsp] = new Socket(this, nsp, opts);
      } else if (this._autoConnect && !socket.active) {
        socket.connect();
      }
      return socket;
    }

    // _destroy closes the connection once no namespace socket needs it.
    _destroy(socket) {
      for (const [nsp, s] of Object.entries(this.nsps)) {
        if (s.active) {
          managerDebug("socket %s is still active, skipping close", nsp);
          return;
        }
      }
      this._close();
    }

    _packet(packet) {
      managerDebug("writing packet %j", packet);
      for (const chunk of this.encoder.encode(packet)) this.engine.write(chunk, packet.options);
    }

    cleanup() {
      managerDebug("cleanup");
      for (const unsubscribe of this.subs) unsubscribe();
      this.subs.length = 0;
      this.decoder.destroy();
    }

    _close() {
      managerDebug("disconnect");
      this.skipReconnect = true;
      this._reconnecting = false;
      this.onclose("forced close");
    }

    disconnect() { return this._close(); }

    onclose(reason, description) {
      managerDebug("closed due to %s", reason);
      this.cleanup();
      this.engine?.close();
      this._attempts = 0;
      this._readyState = "closed";
      this.emitReserved("close", reason, description);
      if (this._reconnection && !this.skipReconnect) this.reconnect();
    }

    reconnect() {
      if (this._reconnecting || this.skipReconnect) return this;
      if (this._attempts >= this._reconnectionAttempts) {
        managerDebug("reconnect failed");
        this._attempts = 0;
        this.emitReserved("reconnect_failed");
        this._reconnecting = false;
        return this;
      }
      const delay = backoffDelay(this._attempts++, this._reconnectionDelay, this._reconnectionDelayMax, this._randomizationFactor);
      managerDebug("will wait %dms before reconnect attempt", delay);
      this._reconnecting = true;
      const timer = setTimeout(() => {
        if (this.skipReconnect) return;
        managerDebug("attempting reconnect");
        this.emitReserved("reconnect_attempt", this._attempts);
        if (this.skipReconnect) return; // a listener gave up
        this.open((err) => {
          if (err) {
            managerDebug("reconnect attempt error");
            this._reconnecting = false;
            this.reconnect();
            this.emitReserved("reconnect_error", err);
          } else {
            managerDebug("reconnect success");
            this.onreconnect();
          }
        });
      }, delay);
      this.subs.push(() => clearTimeout(timer));
      return this;
    }

    onreconnect() {
      const attempts = this._attempts;
      this._reconnecting = false;
      this._attempts = 0;
      this.emitReserved("reconnect", attempts);
    }
  }

  // ===========================================================================
  // 9. io(): URLs, the Manager cache, exports
  // ===========================================================================

  const clientDebug = createDebug("socket.io-client");
  const urlDebug = createDebug("socket.io-client:url");

  // parseURL reads a Socket.IO URL: "http://host:3000/admin?x=1" gives the
  // server and the namespace "/admin". A missing URL means this page's
  // origin; "/admin" and "//host/admin" are relative to it.
  function parseURL(uri) {
    const loc = typeof location !== "undefined" ? location : undefined;
    if (uri == null) uri = loc.protocol + "//" + loc.host;
    if (uri.startsWith("//")) uri = loc.protocol + uri;
    else if (uri.startsWith("/")) uri = loc.host + uri;
    if (!/^(https?|wss?):\/\//.test(uri)) uri = (loc ? loc.protocol + "//" : "https://") + uri;
    const url = new URL(uri);
    const protocol = url.protocol.slice(0, -1); // "http", "https", "ws" or "wss"
    const secure = protocol === "https" || protocol === "wss";
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 without brackets
    const port = url.port || (secure ? "443" : "80");
    const host = hostname.includes(":") ? "[" + hostname + "]" : hostname;
    const origin = (secure ? "https" : "http") + "://" + host + ":" + port; // ws: is http: here
    const id = protocol + "://" + host + ":" + port;
    return { source: uri, secure, hostname, port, namespace: url.pathname || "/", query: url.search.slice(1), origin, id };
  }

  // This script's own URL, while it runs: loaded from "<prefix>/socket.io.js"
  // (or .min.js, .esm.min.js), the default path of its origin is <prefix>.
  const scriptHome = (() => {
    const src = typeof document !== "undefined" && document.currentScript?.src;
    const match = src && /^(.*)\/socket\.io(\.esm)?(\.min)?\.js$/.exec(new URL(src).pathname);
    return match ? { origin: parseURL(src).origin, path: match[1] || "/" } : null;
  })();

  // A page may also name the path of its own origin in its head:
  //   <meta name="socket.io-path" content="/lessons/hello/connect/socket.io">
  // It wins over the script's URL, so that a page written for a server at
  // "/socket.io/" (the usual <script src="/socket.io/socket.io.js">) runs
  // unchanged against one mounted elsewhere. It is read when io() is called.
  function metaPath(target) {
    if (typeof document === "undefined" || typeof location === "undefined") return null;
    const content = document.querySelector?.('meta[name="socket.io-path"]')?.content?.trim();
    return content && parseURL(location.href).origin === target.origin ? content : null;
  }

  function defaultPath(target) {
    const meta = metaPath(target);
    if (meta) return meta;
    return scriptHome && scriptHome.origin === target.origin ? scriptHome.path : "/socket.io";
  }

  const managers = {}; // "protocol://host:port/path" -> Manager

  // io returns the Socket of the namespace in uri. Sockets of one server and
  // path share a Manager, hence one connection, unless opts.forceNew or
  // opts.multiplex === false asks for a new one (a second socket of the same
  // namespace gets one too).
  function io(uri, opts) {
    if (uri && typeof uri === "object") {
      opts = uri;
      uri = undefined;
    }
    opts = opts || {};
    const target = parseURL(uri);
    urlDebug("parse %s", target.source);
    const key = target.id + (opts.path || defaultPath(target));
    const sameNamespace = managers[key] && target.namespace in managers[key].nsps;
    let manager;
    if (opts.forceNew || opts["force new connection"] || opts.multiplex === false || sameNamespace) {
      clientDebug("ignoring socket cache for %s", target.source);
      manager = new Manager(target.source, opts);
    } else {
      if (!managers[key]) {
        clientDebug("new io instance for %s", target.source);
        managers[key] = new Manager(target.source, opts);
      }
      manager = managers[key];
    }
    if (target.query && !opts.query) opts.query = Object.fromEntries(new URLSearchParams(target.query));
    return manager.socket(target.namespace, opts);
  }

  // window.io, with the names of the official bundle; io.Fetch and io.WebSocket
  // can be given as transports ({ transports: [io.Fetch] }).
  Object.assign(io, { io, connect: io, Manager, Socket, protocol: 5, XHR, Fetch, WebSocket: WS });
  globalThis.io = io;
})();
