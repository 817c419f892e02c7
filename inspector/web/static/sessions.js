/*
 * sessions.js: the sessions list. Rows the server rendered stay; new
 * sessions appear at the top, states and packet counts follow the live feed.
 */
(() => {
  "use strict";
  const W = window.WBInspector;
  const cfg = W.config("wbi-config");
  const body = document.getElementById("wbi-sessions");
  const status = document.querySelector(".wbi-live");
  const MAX_ROWS = 500;
  W.localizeTimes();

  const rows = new Map(); // sid -> <tr>
  for (const tr of body.querySelectorAll("tr[data-sid]")) rows.set(tr.dataset.sid, tr);
  const empty = document.getElementById("wbi-sessions-empty");

  // The path filter takes a lesson ("rooms/join") or a path ("/socket.io/").
  const prefix = !cfg.path || cfg.path.startsWith("/") ? cfg.path : "/lessons/" + cfg.path.replace(/\/$/, "") + "/";
  // wanted applies the page's filter to new sessions that arrive live; the
  // filters a session cannot match as it opens (an event, an error, a
  // reason, a deep page) leave cfg.prepend false, and only the rows shown
  // follow the feed.
  const wanted = (s) =>
    (!prefix || (s.path || "").startsWith(prefix)) &&
    (!cfg.client || s.client === cfg.client) &&
    (!cfg.addr || s.addr === cfg.addr);

  // upsert adds a session's row, or updates it; a row that is new or whose
  // state changed flashes.
  function upsert(s) {
    const old = rows.get(s.sid);
    if (!old && !(cfg.prepend && wanted(s))) return;
    if (old) {
      // Keep the larger packet count: the live one may be ahead of the row.
      const count = Number(old.querySelector(".wbi-count").textContent);
      if (count > (s.packets || 0)) s = { ...s, packets: count };
    }
    const tr = W.sessionRow(s);
    if (old) {
      const changed = old.querySelector(".wbi-state").textContent !== tr.querySelector(".wbi-state").textContent ||
        old.querySelector(".wbi-transport").textContent !== tr.querySelector(".wbi-transport").textContent;
      old.replaceWith(tr);
      if (changed) tr.classList.add("wbi-new");
    } else {
      body.prepend(tr);
      if (empty) empty.hidden = true;
      tr.classList.add("wbi-new");
    }
    rows.set(s.sid, tr);
    while (rows.size > MAX_ROWS) {
      const last = body.lastElementChild;
      rows.delete(last.dataset.sid);
      last.remove();
    }
  }

  // addCounts adds new packets to the rows' counts.
  function addCounts(counts) {
    for (const [sid, n] of Object.entries(counts || {})) {
      const tr = rows.get(sid);
      if (tr) {
        const c = tr.querySelector(".wbi-count");
        c.textContent = String(Number(c.textContent) + n);
      }
    }
  }

  W.live({
    // The rows shown, for their packet counts; the newest sessions' come
    // in every batch.
    watch: () => ({ room: "sessions", sids: [...rows.keys()] }),
    on: { counts: (counts) => addCounts(counts) },
    onStatus: (state, detail) => W.setStatus(status, state, detail),
    onBacklog: (res) => {
      // Oldest first, so that the newest ends up on top.
      for (const s of (res.items || []).slice().reverse()) if (s.k === "s") upsert(s);
    },
    onBatch: (b) => {
      // Counts first: a session in the same batch carries its total, which
      // then wins over the row's count plus these.
      addCounts(b.counts);
      W.stats.add("packets", b.packets || 0);
      W.stats.add("sessions", b.opened || 0);
      for (const item of b.items || []) if (item.k === "s") upsert(item);
    },
  });
})();
