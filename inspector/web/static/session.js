/*
 * session.js: one session. While the session is open, its packets join the
 * table and its packets and debug lines join the trace as they happen. The
 * DEBUG box filters the trace's debug lines with the `debug` package's
 * pattern syntax; the switches show raw packets and hide packets from the
 * trace.
 */
(() => {
  "use strict";
  const W = window.WBInspector;
  const cfg = W.config("wbi-config");
  const table = document.getElementById("wbi-packets");
  const trace = document.getElementById("wbi-trace");
  const status = document.querySelector(".wbi-live");
  const page = document.getElementById("wbi-session");
  W.localizeTimes();

  // Switches: raw column, packets in the trace.
  W.classSwitch(document.getElementById("wbi-raw"), page, "wbi-show-raw");
  W.classSwitch(document.getElementById("wbi-trace-packets"), page, "wbi-hide-packets", false);

  const applyDebug = W.debugBox(document.getElementById("wbi-debug"), trace);
  const keepDown = W.follow(trace);
  const prev = W.prevTimes(trace);

  const seen = new W.Seen();
  for (const tr of table.querySelectorAll("tr[data-id]")) seen.add({ k: "p", id: Number(tr.dataset.id) });
  for (const li of trace.querySelectorAll("li.wbi-line-debug[data-id]")) seen.add({ k: "d", id: Number(li.dataset.id) });

  const empty = document.getElementById("wbi-packets-empty");
  let count = document.querySelector("[data-fact=packets]");

  // wanted applies the table's filter to packets that arrive live.
  const f = cfg.filter || {};
  const wanted = (p) =>
    (!f.dir || p.dir === f.dir) &&
    (!f.type || p.eio === f.type || p.sio === f.type) &&
    (!f.nsp || p.nsp === f.nsp) &&
    (!f.event || p.ev === f.event) &&
    (!f.q || (!p.bin && ((p.args || "").includes(f.q) || (p.raw || "").includes(f.q)))) &&
    (f.hb || f.type || !W.isHeartbeat(p));

  function add(item) {
    if (item.k === "s") {
      if (item.sid === cfg.sid) updateFacts(item);
      return;
    }
    if (item.sid !== cfg.sid || !seen.add(item)) return;
    if (item.k === "p" && cfg.lastPage && wanted(item)) {
      const row = W.packetRow(item, cfg.start);
      row.classList.add("wbi-new");
      table.append(row);
      if (empty) empty.hidden = true;
      if (count) count.textContent = String(Number(count.textContent) + 1);
    }
    const li = W.traceLine(item, { start: cfg.start, prev });
    applyDebug(li);
    trace.append(li);
  }

  function updateFacts(s) {
    const set = (name, text) => {
      const dd = document.querySelector('[data-fact="' + name + '"]');
      if (dd && text != null) dd.textContent = text;
    };
    if (s.upgraded) set("transport", s.transport + " \u2192 " + s.upgraded + (s.upgradedAt ? " at " + W.offset(s.upgradedAt, cfg.start) : ""));
    if (s.endedAt) {
      set("state", W.t("closed"));
      set("ended", W.clock(s.endedAt) + " (" + W.offset(s.endedAt, cfg.start) + ")");
      set("reason", s.reason || "");
      const state = document.querySelector('[data-fact="state"]');
      if (state) state.className = "wbi-state-closed";
      // Nothing more will come: "closed", not "live".
      closed = true;
      if (feed) feed.stop();
      W.setStatus(status, "closed");
    }
  }

  function addAll(items) {
    for (const item of items || []) add(item);
    keepDown();
  }

  let closed = !!cfg.closed;
  const feed = closed ? null : W.live({
    watch: () => ({ room: "session", sid: cfg.sid, afterPacket: seen.maxPacket, afterDebug: seen.maxDebug }),
    onStatus: (state, detail) => closed || W.setStatus(status, state, detail),
    onBacklog: (res) => {
      if (res.skipped) trace.append(W.skippedNote(res.skipped)); // older than the items
      addAll(res.items);
    },
    onBatch: (b) => {
      if (b.skipped) trace.append(W.skippedNote(b.skipped)); // older than the items
      addAll(b.items);
    },
  });
  keepDown();
})();
