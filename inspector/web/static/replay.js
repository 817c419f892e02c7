/*
 * replay.js: a recorded session played again. The page holds every item of
 * the timeline twice at most (a row of the sequence diagram, a line of the
 * trace), each with data-i (its order) and data-t (µs since the session's
 * start, never going back). The player shows the items whose time has come:
 * play and pause, step (the next item), speed, seek (the range input, or a
 * click on a row). Pauses longer than cfg.maxGap are shortened to it, with a
 * note.
 *
 * A deep link opens the player at a moment (cfg.seekT, from ?t=<ms>) or a
 * packet (cfg.seekPacket, from ?packet=<id>). On the last page of a session
 * that is still open, the player follows it: it fetches what comes
 * (cfg.moreURL) every second and shows it at once when the reader is at
 * the end. A page that fills up, or that ends while playing, goes on to the
 * next page by itself.
 */
(() => {
  "use strict";
  const W = window.WBInspector;
  const cfg = W.config("wbi-config");
  const page = document.getElementById("wbi-replay");
  const seq = document.getElementById("wbi-seq");
  const seqScroll = document.getElementById("wbi-seq-scroll");
  const trace = document.getElementById("wbi-trace");
  const playBtn = document.getElementById("wbi-play");
  const stepBtn = document.getElementById("wbi-step");
  const speedSel = document.getElementById("wbi-speed");
  const seek = document.getElementById("wbi-seek");
  const clockEl = document.getElementById("wbi-clock");
  const atEl = document.getElementById("wbi-at");
  const gapEl = document.getElementById("wbi-gap");

  // The DEBUG box and the packets switch of the trace, as on the session page.
  W.debugBox(document.getElementById("wbi-debug"), trace);
  W.classSwitch(document.getElementById("wbi-trace-packets"), page, "wbi-hide-packets", false);

  // items[i] = { t, els: [diagram row?, trace line?] }
  const items = [];
  for (const e of page.querySelectorAll("[data-i]")) {
    const i = Number(e.dataset.i);
    items[i] ||= { t: Number(e.dataset.t), els: [] };
    items[i].els.push(e);
  }
  for (let i = 0; i < items.length; i++) items[i] ||= { t: i ? items[i - 1].t : 0, els: [] };
  let N = items.length;
  let duration = Math.max(cfg.duration || 0, N ? items[N - 1].t : 0);
  const maxGap = cfg.maxGap || 2e6;

  // The player's state: the first n items are shown; cur is the clock (µs).
  let n = N;
  let cur = duration;
  let playing = false;
  let timer = 0;
  let last = 0; // performance.now() of the previous tick
  let moved = false; // the reader played, stepped or sought: mark the current item

  const pad2 = (v) => String(v).padStart(2, "0");
  // clockText is the Go clockText: "0:04.2", "1:02:03.5".
  function clockText(us) {
    const tenths = Math.floor(Math.max(us, 0) / 1e5);
    const s = Math.floor(tenths / 10);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    const t = pad2(s % 60) + "." + (tenths % 10);
    return h > 0 ? h + ":" + pad2(m) + ":" + t : m + ":" + t;
  }

  // render shows items [0, n) and hides the rest, marking the last shown.
  let shownN = N;
  let currentEls = [];
  function render(scroll) {
    const lo = Math.min(n, shownN), hi = Math.max(n, shownN);
    for (let i = lo; i < hi; i++) {
      for (const e of items[i].els) e.classList.toggle("wbi-future", i >= n);
    }
    shownN = n;
    for (const e of currentEls) e.classList.remove("wbi-current");
    currentEls = n > 0 && moved ? items[n - 1].els : [];
    for (const e of currentEls) e.classList.add("wbi-current");
    seek.value = String(Math.round(cur / 1000));
    clockEl.textContent = clockText(cur) + " / " + clockText(duration);
    atEl.textContent = n > 0 ? "item " + n + " of " + N + " at " + W.offset(items[n - 1].t, 0) : "start";
    page.dataset.shown = String(n);
    if (scroll && currentEls.length) {
      for (const e of currentEls) keepInView(e);
    }
  }

  // keepInView scrolls e's list (not the page) so that e is visible.
  function keepInView(e) {
    const box = e.closest(".wbi-seq-scroll, .wbi-trace");
    if (!box) return;
    const top = e.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + e.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    }
  }

  function setPlaying(on) {
    playing = on;
    playBtn.textContent = on ? "Pause" : "Play";
    playBtn.setAttribute("aria-pressed", String(on));
    page.dataset.state = on ? "playing" : (n >= N ? "ended" : "paused");
    clearTimeout(timer);
    if (on) {
      last = performance.now();
      timer = setTimeout(tick, 0);
    }
  }

  function restartIfEnded() {
    if (n >= N && cur >= duration) {
      n = 0;
      cur = 0;
    }
  }

  function tick() {
    const now = performance.now();
    const speed = Number(speedSel.value) || 1;
    cur += (now - last) * 1000 * speed;
    last = now;
    // A long pause: wait maxGap of it, then jump to its end.
    if (n < N) {
      const prevT = n > 0 ? items[n - 1].t : 0;
      if (items[n].t - prevT > maxGap && cur >= prevT + maxGap && cur < items[n].t) {
        gapEl.textContent = "Skipped " + W.humanize(Math.round((items[n].t - prevT - maxGap) / 1000)) + " of silence at " + W.offset(prevT, 0) + ".";
        cur = items[n].t;
      }
    }
    while (n < N && items[n].t <= cur) n++;
    if (n >= N && cur >= duration) {
      cur = duration;
      render(true);
      setPlaying(false);
      if (nextPage()) location.assign(nextPage() + "&play=1");
      return;
    }
    render(true);
    // Wake for the next item, or in 200 ms to move the clock.
    let wait = 200;
    if (n < N) {
      const prevT = n > 0 ? items[n - 1].t : 0;
      let next = items[n].t;
      if (next - prevT > maxGap) next = Math.min(next, prevT + maxGap);
      wait = Math.min(wait, Math.max(0, (next - cur) / 1000 / speed));
    }
    timer = setTimeout(tick, wait);
  }

  function play() {
    moved = true;
    restartIfEnded();
    gapEl.textContent = "";
    render(true);
    setPlaying(true);
  }

  function pause() {
    setPlaying(false);
    render(false);
  }

  // step shows the next item and pauses there.
  function step() {
    moved = true;
    if (playing) setPlaying(false);
    if (n >= N) {
      n = 0;
    }
    if (N === 0) return;
    n++;
    cur = items[n - 1].t;
    render(true);
    setPlaying(false);
  }

  // seekTo shows the items at or before t (µs).
  function seekTo(t) {
    moved = true;
    cur = Math.max(0, Math.min(t, duration));
    n = 0;
    while (n < N && items[n].t <= cur) n++;
    gapEl.textContent = "";
    if (playing) last = performance.now();
    render(true);
    if (!playing) page.dataset.state = n >= N ? "ended" : "paused";
  }

  // seekItem shows items up to and including i.
  function seekItem(i) {
    moved = true;
    n = Math.max(0, Math.min(i + 1, N));
    cur = n > 0 ? items[n - 1].t : 0;
    gapEl.textContent = "";
    if (playing) last = performance.now();
    render(true);
    if (!playing) page.dataset.state = n >= N ? "ended" : "paused";
  }

  playBtn.addEventListener("click", () => (playing ? pause() : play()));
  stepBtn.addEventListener("click", step);
  speedSel.addEventListener("change", () => { if (playing) last = performance.now(); });
  seek.addEventListener("input", () => seekTo(Number(seek.value) * 1000));
  // On the range, arrow keys move from item to item rather than by a ms.
  seek.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight" || ev.key === "ArrowUp") {
      ev.preventDefault();
      seekItem(Math.min(n, N - 1));
    } else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") {
      ev.preventDefault();
      seekItem(n - 2);
    }
  });
  // A click on a row of the diagram or a line of the trace seeks to it
  // (not on a link, nor while selecting text).
  for (const list of [seq, trace]) {
    list.addEventListener("click", (ev) => {
      const row = ev.target.closest("[data-i]");
      if (!row || ev.target.closest("a") || String(window.getSelection() || "") !== "") return;
      seekItem(Number(row.dataset.i));
    });
  }

  // An EVENT and its ACK: hovering one marks the other.
  seq.addEventListener("mouseover", (ev) => peerMark(ev.target, true));
  seq.addEventListener("mouseout", (ev) => peerMark(ev.target, false));
  function peerMark(target, on) {
    const row = target.closest && target.closest("[data-ack-peer]");
    const peer = row && document.getElementById("wbi-seq-p" + row.dataset.ackPeer);
    if (peer) peer.classList.toggle("wbi-seq-peer", on);
  }

  // linkAcks mends the ack links of rows the follow endpoint sent: an ACK
  // that came answers an EVENT the page shows as waiting, which now links
  // to it; a peer the page does not hold opens the replay at it.
  function linkAcks(root) {
    for (const a of root.querySelectorAll("a.wbi-seq-ack")) {
      const row = a.closest("[data-ack-peer]");
      if (!row) continue;
      const peer = document.getElementById("wbi-seq-p" + row.dataset.ackPeer);
      if (!peer) {
        a.href = cfg.pageURL + "?packet=" + row.dataset.ackPeer + "#wbi-seq-p" + row.dataset.ackPeer;
        continue;
      }
      const waiting = peer.querySelector(".wbi-seq-ack-waiting");
      if (!waiting || !a.dataset.peerTitle) continue;
      const link = document.createElement("a");
      link.className = "wbi-seq-ack";
      link.href = "#" + row.id;
      link.dataset.rtt = a.dataset.rtt;
      link.title = a.dataset.peerTitle;
      link.textContent = a.textContent;
      waiting.replaceWith(link);
      peer.dataset.ackPeer = row.dataset.packet;
    }
  }

  // nextPage is the URL of the page after this one, "" on the last.
  let next = cfg.next || "";
  function nextPage() {
    return next ? cfg.pageURL + "?after=" + encodeURIComponent(next) : "";
  }

  // follow asks for what the session did since the page's last item, and
  // adds it; a reader at the end sees it at once.
  let after = cfg.after || "";
  let following = !!cfg.open && !next;
  let asking = false;
  async function follow() {
    if (!following || asking) return;
    asking = true;
    try {
      const res = await fetch(cfg.moreURL + "?after=" + encodeURIComponent(after) + "&from=" + N, { credentials: "same-origin" });
      if (!res.ok) throw new Error(res.status + " " + res.statusText);
      const more = await res.json();
      const atEnd = n >= N && !playing;
      if (more.count > 0) add(more);
      after = more.after || after;
      if (more.endedAt) {
        following = false;
        duration = Math.max(duration, more.duration || 0);
        page.dataset.live = "ended";
      }
      if (N >= cfg.pageSize) {
        // The page is full: the rest is on the next one.
        following = false;
        next = after;
        page.dataset.live = "paged";
      }
      if (atEnd) {
        n = N;
        cur = duration;
        render(false);
        if (next && N >= cfg.pageSize) location.assign(nextPage() + "&follow=1");
      } else {
        render(false);
      }
    } catch (e) {
      page.dataset.live = "error";
      atEl.textContent = "following the session failed: " + e.message;
    } finally {
      asking = false;
      if (following) setTimeout(follow, 1000);
    }
  }

  // add appends the rows and lines of an answer of the follow endpoint.
  function add(more) {
    const tpl = document.createElement("template");
    for (const [list, html] of [[seq, more.seq], [trace, more.trace]]) {
      tpl.innerHTML = html;
      for (const e of tpl.content.querySelectorAll("[data-i]")) {
        const i = Number(e.dataset.i);
        // Never back in time: the player counts forward.
        const t = Math.max(Number(e.dataset.t), N ? items[N - 1].t : 0);
        items[i] ||= { t, els: [] };
        items[i].els.push(e);
        if (n < i + 1) e.classList.add("wbi-future");
      }
      const rows = Array.from(tpl.content.children);
      list.append(tpl.content);
      if (list === seq) for (const r of rows) linkAcks(r);
    }
    N = items.length;
    for (let i = 0; i < N; i++) items[i] ||= { t: i ? items[i - 1].t : 0, els: [] };
    duration = Math.max(duration, items[N - 1].t);
    seek.max = String(Math.round(duration / 1000));
    const count = document.getElementById("wbi-count");
    if (count && !next) count.textContent = "Showing all " + N + " items, following the session.";
    shownN = Math.min(shownN, N);
    page.dataset.items = String(N);
  }

  page.dataset.state = "ended";
  render(false);
  if (cfg.seekPacket > 0) {
    const e = page.querySelector('[data-packet="' + cfg.seekPacket + '"]');
    if (e) seekItem(Number(e.dataset.i));
  } else if (cfg.seekT >= 0) {
    seekTo(cfg.seekT);
  }
  if (cfg.play) play();
  page.dataset.items = String(N);
  if (following) {
    page.dataset.live = "following";
    setTimeout(follow, 1000);
  }
  page.dataset.ready = "1";
})();
