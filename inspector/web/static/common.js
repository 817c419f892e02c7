/*
 * common.js: what every inspector page and the embeddable panel share.
 *
 *   WBInspector.live({ watch, onBacklog, onBatch, onStatus })
 *       connects to the inspector's own Socket.IO server (<base>socket.io/,
 *       a Manager of its own, so a lesson's client on the same page is left
 *       alone), asks to watch a room on every (re)connection, and hands over
 *       what comes back: the backlog the server answers with, then batches.
 *   WBInspector.selector("engine:*,-engine:polling")
 *       the DEBUG pattern of the `debug` package: names separated by commas or
 *       spaces, "*" matching anything (":" included), "-name" excluding.
 *   WBInspector.packetRow, traceLine, sessionRow
 *       build the same rows the server renders, from the JSON the live feed
 *       sends. Text goes in as text nodes, never as HTML.
 *
 * Plain script, no build step, no framework.
 */
(() => {
  "use strict";
  if (window.WBInspector) return;

  // The inspector's base URL ("/inspector/"), from this script's own URL.
  const BASE = (() => {
    const src = document.currentScript && document.currentScript.src;
    const m = src && /^(.*\/)static\/common\.js(\?.*)?$/.exec(new URL(src, location.href).pathname);
    return m ? m[1] : "/inspector/";
  })();

  // --- DEBUG patterns and colours, as the debug package has them ---------

  const COLORS = [
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

  // colorOf is debug's selectColor over the browser palette (the server
  // sends the same colour with each line; this is for anything it did not).
  function colorOf(ns) {
    let hash = 0;
    for (let i = 0; i < ns.length; i++) {
      hash = ((hash << 5) - hash) + ns.charCodeAt(i);
      hash |= 0;
    }
    return COLORS[Math.abs(hash) % COLORS.length];
  }

  // matches is debug's matchesTemplate: a glob whose "*" backtracks.
  function matches(search, template) {
    let si = 0, ti = 0, star = -1, mark = 0;
    while (si < search.length) {
      if (ti < template.length && (template[ti] === search[si] || template[ti] === "*")) {
        if (template[ti] === "*") {
          star = ti;
          mark = si;
          ti++;
        } else {
          si++;
          ti++;
        }
      } else if (star !== -1) {
        ti = star + 1;
        mark++;
        si = mark;
      } else {
        return false;
      }
    }
    while (ti < template.length && template[ti] === "*") ti++;
    return ti === template.length;
  }

  function selector(pattern) {
    const names = [], skips = [];
    for (const part of String(pattern || "").trim().split(/[\s,]+/)) {
      if (!part) continue;
      if (part[0] === "-") skips.push(part.slice(1));
      else names.push(part);
    }
    return {
      names, skips,
      enabled(ns) {
        if (skips.some((t) => matches(ns, t))) return false;
        return names.some((t) => matches(ns, t));
      },
    };
  }

  // humanize is the ms package's short form, as debug prints its "+N".
  function humanize(ms) {
    const a = Math.abs(ms), s = 1000, m = 60 * s, h = 60 * m, d = 24 * h;
    if (a >= d) return Math.round(ms / d) + "d";
    if (a >= h) return Math.round(ms / h) + "h";
    if (a >= m) return Math.round(ms / m) + "m";
    if (a >= s) return Math.round(ms / s) + "s";
    return ms + "ms";
  }

  // --- DOM helpers ------------------------------------------------------

  // el makes an element; strings among kids become text nodes.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "color") e.style.color = v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids) if (kid != null && kid !== "") e.append(kid);
    return e;
  }

  const pad = (n, w) => String(n).padStart(w, "0");

  // clock shows a time in microseconds as local HH:MM:SS.mmm.
  function clock(us) {
    const d = new Date(Math.floor(us / 1000));
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2) + "." + pad(d.getMilliseconds(), 3);
  }

  // offset shows the time since a start, both in microseconds, as "+12ms".
  function offset(us, startUs) {
    return "+" + humanize(Math.floor(us / 1000) - Math.floor(startUs / 1000));
  }

  // localizeTimes rewrites server-rendered <time data-at> to the browser's
  // time zone (the server rendered its own).
  function localizeTimes(root) {
    for (const t of (root || document).querySelectorAll("time[data-clock]")) {
      t.textContent = clock(Number(t.dataset.clock));
    }
  }

  function sessionURL(sid) {
    return BASE + "sessions/" + encodeURIComponent(sid);
  }

  const ARROW = { in: "\u2192", out: "\u2190" }; // client->server, server->client
  const DIR_TITLE = { in: "from the client", out: "to the client" };

  // summary describes a Socket.IO packet in words: "EVENT chat message /".
  function summary(p) {
    if (!p.sio) return p.bin ? "binary attachment" : "";
    let s = p.sio;
    if (p.ev) s += " " + p.ev;
    if (p.nsp && p.nsp !== "/") s += " " + p.nsp;
    if (p.ack != null) s += " ack " + p.ack;
    return s;
  }

  // rawText is what a packet looked like on the wire (hex for binary).
  function rawText(p) {
    return p.bin ? "<binary " + p.size + " bytes> " + p.raw : p.raw;
  }

  // isProbe: an upgrade's 2probe or 3probe, shown as such and never hidden
  // with the heartbeats.
  const isProbe = (p) => (p.eio === "ping" || p.eio === "pong") && p.raw === (p.eio === "ping" ? "2" : "3") + "probe";
  const isHeartbeat = (p) => (p.eio === "ping" || p.eio === "pong" || p.eio === "noop") && !isProbe(p);

  function packetRow(p, startUs) {
    const cls = "wbi-pkt" + (isHeartbeat(p) ? " wbi-hb" : "") + (isProbe(p) ? " wbi-probe" : "");
    const tr = el("tr", { id: "p" + p.id, "data-id": p.id, "data-sid": p.sid, class: cls },
      el("td", { class: "wbi-nowrap wbi-hide-narrow" }, el("time", { "data-clock": p.at }, clock(p.at))),
      el("td", { class: "wbi-num wbi-nowrap" }, offset(p.at, startUs)),
      el("td", { class: "wbi-dir-" + p.dir, title: DIR_TITLE[p.dir] }, ARROW[p.dir] || p.dir),
      el("td", { class: "wbi-hide-narrow" }, p.tr),
      el("td", {}, isProbe(p) ? p.eio + " probe" : p.eio),
      el("td", {}, p.sio),
      el("td", {}, p.nsp),
      el("td", { class: "wbi-event" }, p.ev),
      el("td", { class: "wbi-num" }, p.ack == null ? "" : String(p.ack)),
      el("td", { class: "wbi-args" }, p.bin ? el("code", { class: "wbi-hex" }, p.raw) : (p.args ? el("code", {}, p.args) : "")),
      el("td", { class: "wbi-raw" }, el("code", { class: p.bin ? "wbi-hex" : null }, p.raw)),
      el("td", { class: "wbi-num" }, String(p.size)),
    );
    return tr;
  }

  // traceLine builds one <li> of a trace: a packet or a debug line. opts.start
  // (µs) shows times as offsets from it, otherwise as clock times;
  // opts.showSid adds the session id; opts.prev is a map of the previous time
  // (ms) of each namespace, for debug's "+Nms".
  function traceLine(item, opts) {
    const t = opts.start != null
      ? el("span", { class: "wbi-t" }, offset(item.at, opts.start))
      : el("span", { class: "wbi-t" }, el("time", { "data-clock": item.at }, clock(item.at)));
    const sid = opts.showSid
      ? el("a", { class: "wbi-sid", href: sessionURL(item.sid), title: item.sid }, (item.sid || "-").slice(0, 6))
      : null;
    if (item.k === "d") {
      const ms = Math.floor(item.at / 1000);
      const prev = opts.prev.has(item.ns) ? opts.prev.get(item.ns) : ms;
      opts.prev.set(item.ns, ms);
      const color = item.color || colorOf(item.ns);
      return el("li", { class: "wbi-line-debug", "data-ns": item.ns, "data-at": item.at, "data-id": item.id },
        t, sid,
        el("span", { class: "wbi-ns", color }, item.ns), " ",
        el("span", { class: "wbi-msg" }, item.msg), " ",
        el("span", { class: "wbi-diff", color }, "+" + humanize(ms - prev)));
    }
    if (item.k === "s") {
      const s = item;
      let text = "session " + (s.endedAt ? "closed: " + (s.reason || "?") : s.upgraded ? "upgraded to " + s.upgraded : "opened " + s.transport + " " + s.path);
      return el("li", { class: "wbi-line-session", "data-at": item.at }, t, sid, el("span", { class: "wbi-pkt-desc" }, text));
    }
    const p = item;
    const raw = rawText(p);
    return el("li", { class: "wbi-line-pkt", "data-at": p.at, "data-id": p.id },
      t, sid,
      el("span", { class: "wbi-dir-" + p.dir, title: DIR_TITLE[p.dir] }, ARROW[p.dir] || p.dir), " ",
      el("span", { class: p.bin ? "wbi-hex" : null }, raw.length > 600 ? raw.slice(0, 600) + "\u2026" : raw),
      " ",
      el("span", { class: "wbi-pkt-desc" }, (p.tr === "websocket" ? "ws" : p.tr) + " " + (summary(p) || p.eio)));
  }

  function lessonOf(path) {
    const m = /^\/lessons\/(.+?)\/?socket\.io\/?$/.exec(path || "");
    return m ? m[1].replace(/\/$/, "") : "";
  }

  function sessionRow(s) {
    const open = !s.endedAt;
    return el("tr", { "data-sid": s.sid, class: "wbi-session" },
      el("td", { class: "wbi-mono" }, el("a", { href: sessionURL(s.sid) }, s.sid)),
      el("td", {}, s.lesson || lessonOf(s.path) || "\u2014"),
      el("td", { class: "wbi-mono wbi-hide-narrow" }, s.path),
      el("td", { class: "wbi-mono" }, s.addr),
      el("td", { class: "wbi-transport" }, s.upgraded ? s.transport + " \u2192 " + s.upgraded : s.transport),
      el("td", { class: "wbi-state " + (open ? "wbi-state-open" : "wbi-state-closed") }, open ? t("open") : t("closed: ") + (s.reason || "?")),
      el("td", { class: "wbi-nowrap wbi-hide-narrow" }, el("time", { "data-clock": s.startedAt }, clock(s.startedAt))),
      el("td", { class: "wbi-num wbi-count" }, String(s.packets || 0)),
    );
  }

  // --- stats line -------------------------------------------------------

  const stats = {
    add(name, n) {
      const b = document.querySelector('[data-stat="' + name + '"] b');
      if (b && n) b.textContent = String(Number(b.textContent) + n);
    },
    dropped(n) {
      const span = document.querySelector('[data-stat="dropped"]');
      if (!span || n == null) return;
      span.querySelector("b").textContent = String(n);
      span.classList.toggle("wbi-dropped-some", n > 0);
    },
  };

  // --- the live connection ----------------------------------------------

  let ioPromise;
  // loadIO resolves to the Socket.IO client: the page's own if it has one
  // (the same client either way), else ours from <base>socket.io/.
  function loadIO() {
    if (window.io) return Promise.resolve(window.io);
    ioPromise ||= new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = BASE + "socket.io/socket.io.js";
      s.onload = () => resolve(window.io);
      s.onerror = () => reject(new Error("cannot load " + s.src));
      document.head.append(s);
    });
    return ioPromise;
  }

  function live({ watch, onBacklog, onBatch, onStatus, on }) {
    const status = onStatus || (() => {});
    let socket = null, stopped = false;
    loadIO().then((io) => {
      if (stopped) return;
      // forceNew: a Manager of our own, whatever the page's own client does.
      socket = io(location.origin + "/", { path: BASE + "socket.io/", forceNew: true });
      socket.on("connect", () => {
        socket.emit("watch", watch(), (res) => {
          if (!res || res.error) {
            status("down", (res && res.error) || "no answer");
            return;
          }
          status(res.recording === false ? "off" : "live");
          if (res.dropped != null) stats.dropped(res.dropped);
          onBacklog && onBacklog(res);
        });
      });
      for (const [name, fn] of Object.entries(on || {})) socket.on(name, fn);
      socket.on("batch", (b) => {
        if (b.dropped != null) stats.dropped(b.dropped);
        onBatch(b);
      });
      socket.on("disconnect", () => stopped || status("down"));
      socket.on("connect_error", (err) => status("down", err && err.message));
    }, (err) => status("down", err.message));
    // stop leaves the feed for good (a session page, once its session ends).
    return { stop() { stopped = true; if (socket) socket.disconnect(); } };
  }

  // t is a word of the scripts in the page's language (the layout's
  // "wbi-words"), English where the page has none (the lesson panel).
  let words = null;
  function t(en) {
    if (words === null) {
      const s = document.getElementById("wbi-words");
      try { words = s ? JSON.parse(s.textContent) : {}; } catch (e) { words = {}; }
    }
    return words[en] || en;
  }

  // setStatus shows the live state in an element with class wbi-live.
  function setStatus(elem, state, detail) {
    if (!elem) return;
    elem.dataset.state = state;
    elem.textContent = state === "live" ? t("live")
      : state === "paused" ? t("paused")
      : state === "off" ? t("not recording")
      : state === "closed" ? t("closed")
      : t("offline") + (detail ? ": " + detail : "");
  }

  // Seen remembers which items a view already shows, so that a backlog
  // that overlaps what the server rendered (or a reconnection) adds nothing
  // twice.
  class Seen {
    constructor() {
      this.set = new Set();
      this.maxPacket = 0;
      this.maxDebug = 0;
      this.floor = { p: 0, d: 0 }; // ids at or below were seen, or are too old to matter
    }
    key(item) { return item.k + (item.id || item.sid + "@" + item.at + ":" + (item.msg || item.raw || "")); }
    add(item) {
      if (item.id && item.id <= (this.floor[item.k] || 0)) return false;
      const k = this.key(item);
      if (this.set.has(k)) return false;
      this.set.add(k);
      if (item.k === "p" && item.id > this.maxPacket) this.maxPacket = item.id;
      if (item.k === "d" && item.id > this.maxDebug) this.maxDebug = item.id;
      // A page left open for hours must not remember every id: past a
      // bound, everything up to the newest ids counts as seen.
      if (this.set.size > 20000) {
        this.set.clear();
        this.floor = { p: this.maxPacket, d: this.maxDebug };
      }
      return true;
    }
  }

  // skippedNote is the line a view shows when the server left items out of
  // a batch (too many at once): the database still has them.
  function skippedNote(n) {
    return el("li", { class: "wbi-line-session wbi-warn" }, "\u2026 " + n + " items not shown (too many at once; the database has them all)");
  }

  // debugBox wires a DEBUG pattern input to a trace list: lines whose
  // namespace the pattern does not enable are hidden. The pattern is kept in
  // localStorage so it survives reloads.
  function debugBox(input, list) {
    const KEY = "wbi.debug";
    // A pattern in the URL (?debug=) wins over the one last typed.
    if (!new URLSearchParams(location.search).has("debug")) {
      try {
        const saved = localStorage.getItem(KEY);
        if (saved != null) input.value = saved;
      } catch { /* storage blocked */ }
    }
    let sel = selector(input.value);
    const apply = (li) => {
      if (li.classList.contains("wbi-line-debug")) li.hidden = !sel.enabled(li.dataset.ns);
    };
    const applyAll = () => list.querySelectorAll("li.wbi-line-debug").forEach(apply);
    input.addEventListener("input", () => {
      sel = selector(input.value);
      try { localStorage.setItem(KEY, input.value); } catch { /* storage blocked */ }
      applyAll();
    });
    applyAll();
    return apply;
  }

  // classSwitch keeps class cls on target while the checkbox box is checked
  // (or, with whenChecked false, while it is not).
  function classSwitch(box, target, cls, whenChecked = true) {
    const sync = () => target.classList.toggle(cls, box.checked === whenChecked);
    box.addEventListener("change", sync);
    sync();
  }

  // follow keeps a scrolled list at its bottom while it grows, unless the
  // reader scrolled up.
  function follow(list) {
    const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    let stick = true;
    list.addEventListener("scroll", () => { stick = atBottom(); });
    return () => { if (stick) list.scrollTop = list.scrollHeight; };
  }

  // prevTimes reads, from server-rendered debug lines, each namespace's last
  // time in ms, so live lines continue their "+Nms".
  function prevTimes(list) {
    const prev = new Map();
    for (const li of list.querySelectorAll("li.wbi-line-debug")) prev.set(li.dataset.ns, Math.floor(Number(li.dataset.at) / 1000));
    return prev;
  }

  // config reads the JSON a page passes with templ.JSONScript.
  function config(id) {
    const s = document.getElementById(id);
    return s ? JSON.parse(s.textContent) : {};
  }

  window.WBInspector = {
    BASE, colorOf, selector, matches, humanize, el, clock, offset, localizeTimes, sessionURL,
    packetRow, traceLine, sessionRow, isProbe, isHeartbeat, t, lessonOf, stats, live, setStatus, Seen, skippedNote, debugBox, follow,
    prevTimes, config, classSwitch,
  };
})();
