/*
 * panel.js: the live packet/trace panel that lesson pages embed
 * (web.Panel): the packets and debug lines of this browser's own
 * connections to the servers under the panel's path prefix. Several panels
 * may share a page; each has its own connection to the inspector.
 */
(() => {
  "use strict";
  const W = window.WBInspector;

  function start(panel) {
    if (panel.dataset.started) return;
    panel.dataset.started = "1";
    const trace = panel.querySelector(".wbi-trace");
    const status = panel.querySelector(".wbi-live");
    const pktBox = panel.querySelector(".wbi-trace-packets");
    const clear = panel.querySelector(".wbi-clear");
    const prefix = panel.dataset.pathPrefix || "";
    const MAX = 1000;
    W.classSwitch(pktBox, panel, "wbi-hide-packets", false);
    const applyDebug = W.debugBox(panel.querySelector(".wbi-debug"), trace);
    const keepDown = W.follow(trace);
    const prev = new Map();
    const seen = new W.Seen();
    const paths = new Map(); // sid -> path of its server

    clear.addEventListener("click", () => { trace.textContent = ""; });

    function take(items) {
      for (const item of items || []) {
        if (item.k === "s") {
          paths.set(item.sid, item.path);
          continue;
        }
        const path = paths.get(item.sid);
        if (path == null || !path.startsWith(prefix) || !seen.add(item)) continue;
        const li = W.traceLine(item, { showSid: true, prev });
        applyDebug(li);
        trace.append(li);
      }
      while (trace.childElementCount > MAX) trace.firstElementChild.remove();
      keepDown();
    }

    W.live({
      watch: () => ({
        room: "client", client: panel.dataset.client, pathPrefix: prefix,
        afterPacket: seen.maxPacket, afterDebug: seen.maxDebug,
      }),
      onStatus: (state, detail) => W.setStatus(status, state, detail),
      onBacklog: (res) => {
        if (res.skipped) trace.append(W.skippedNote(res.skipped)); // older than the items
        take(res.items);
      },
      onBatch: (b) => {
        if (b.skipped) trace.append(W.skippedNote(b.skipped)); // older than the items
        take(b.items);
      },
    });
  }

  const all = () => document.querySelectorAll(".wbi-panel[data-client]").forEach(start);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
