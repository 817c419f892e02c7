/*
 * tail.js: everything happening now, across every session, as one trace.
 * The list keeps the newest lines only; Pause holds new lines back (and
 * counts them) until Resume.
 */
(() => {
  "use strict";
  const W = window.WBInspector;
  const trace = document.getElementById("wbi-trace");
  const status = document.querySelector(".wbi-live");
  const pauseBtn = document.getElementById("wbi-pause");
  const held = document.getElementById("wbi-held");
  const page = document.getElementById("wbi-tail");
  const pktBox = document.getElementById("wbi-trace-packets");
  const MAX = Number(trace.dataset.max) || 1000;
  W.localizeTimes();

  W.classSwitch(pktBox, page, "wbi-hide-packets", false);

  const applyDebug = W.debugBox(document.getElementById("wbi-debug"), trace);
  const keepDown = W.follow(trace);
  const prev = W.prevTimes(trace);
  const seen = new W.Seen();
  for (const li of trace.querySelectorAll("li[data-id]")) {
    seen.add({ k: li.classList.contains("wbi-line-debug") ? "d" : "p", id: Number(li.dataset.id) });
  }

  let paused = false;
  let queue = [];
  pauseBtn.addEventListener("click", () => {
    paused = !paused;
    pauseBtn.setAttribute("aria-pressed", String(paused));
    pauseBtn.textContent = paused ? W.t("Resume") : W.t("Pause");
    W.setStatus(status, paused ? "paused" : "live");
    if (!paused) {
      const q = queue;
      queue = [];
      show(q);
    }
    held.textContent = "";
  });

  function show(items) {
    for (const item of items) {
      if (item.k === "p") W.stats.add("packets", 1);
      if (item.k === "s" && !item.endedAt && !item.upgraded) W.stats.add("sessions", 1);
      const li = W.traceLine(item, { showSid: true, prev });
      applyDebug(li);
      trace.append(li);
    }
    while (trace.childElementCount > MAX) trace.firstElementChild.remove();
    keepDown();
  }

  function take(items) {
    const fresh = (items || []).filter((it) => it.k === "s" || seen.add(it));
    if (paused) {
      queue.push(...fresh);
      if (queue.length > MAX) queue.splice(0, queue.length - MAX);
      held.textContent = queue.length + " new";
      return;
    }
    show(fresh);
  }

  W.live({
    // The filter (session, client, lesson, event) is the server's to apply.
    watch: () => ({ room: "tail", ...W.config("wbi-config"), afterPacket: seen.maxPacket, afterDebug: seen.maxDebug }),
    onStatus: (state, detail) => W.setStatus(status, paused && state === "live" ? "paused" : state, detail),
    onBacklog: (res) => {
      if (res.skipped) trace.append(W.skippedNote(res.skipped)); // older than the items
      take(res.items);
    },
    onBatch: (b) => {
      if (b.skipped && !paused) trace.append(W.skippedNote(b.skipped)); // older than the items
      take(b.items);
    },
  });
  keepDown();
})();
