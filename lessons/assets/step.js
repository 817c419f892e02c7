// step.js: the live parts of a step page (see lessons/step.templ).
//
//   - the server: a switch between the step's Go server (read-only) and
//     the learner's own in JavaScript (server.js: Run, Reset, the finished
//     version), which runs for this browser alone;
//   - the client panes: each an iframe running the step's client code
//     (GET <step>/pane, which asks this page for the code through
//     window.workbookStep.paneCode()); "add a client", reload, remove;
//   - the editors (CodeMirror, from assets/editor/editor.bundle.js, or plain
//     textareas without it): Run reloads every pane with the edited code, Reset goes
//     back to client.html; edits are kept in localStorage per step;
//   - the live feed (Server-Sent Events from <step>/live): the server log,
//     the tasks as the server ticks them, the progress in the top bar.
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("step-data").textContent);
  const T = data.text;
  const $ = (id) => document.getElementById(id);
  // format fills each %d or %s of text with the next argument.
  const format = (text, ...args) => text.replace(/%[ds]/g, () => args.shift());

  // Edits are kept in localStorage per step, and dropped when they are the
  // original again.
  function loadSaved(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function save(key, code, original) {
    try {
      if (code === original) localStorage.removeItem(key);
      else localStorage.setItem(key, code);
    } catch {
      // storage blocked: the edit lasts as long as the page
    }
  }

  // makeEditor turns a textarea into the page's editor: the bundled code
  // editor (assets/editor) when it loaded, the textarea itself otherwise.
  // Either way it offers value (get, set), onChange and onRun (Ctrl+Enter).
  function makeEditor(textarea, language, onRun, onChange) {
    if (window.WorkbookEditor) return window.WorkbookEditor.create(textarea, { language, onRun, onChange });
    textarea.addEventListener("input", onChange);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onRun();
      } else if (event.key === "Tab" && !event.shiftKey && !event.altKey) {
        event.preventDefault(); // indent; Escape, then Tab, leaves the editor
        textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
        onChange();
      } else if (event.key === "Escape") {
        textarea.blur();
      }
    });
    return {
      get value() {
        return textarea.value;
      },
      set value(code) {
        textarea.value = code;
      },
      markLine() {},
    };
  }

  // ---- the learner's code, kept aside -------------------------------------------

  // keeper guards the learner's code of an editor (name: "client" or
  // "server") from the buttons that load another version (Reset, the
  // finished version): show(code, label) keeps the code the learner wrote
  // aside (in localStorage too) before loading code and running it, and
  // the bar under the editor offers to compare the two or to restore
  // theirs.
  function keeper(name, ed, language, runIt) {
    const bar = $(`kept-${name}`);
    const text = bar.querySelector(".kept-text");
    const box = bar.querySelector(".compare");
    const key = `workbook:mine:${name}:${data.lesson}/${data.step}`;
    let mine = loadSaved(key);
    let shown = null; // the version last loaded by show
    let comparing = null;

    function keep(code) {
      mine = code;
      try {
        if (code === null) localStorage.removeItem(key);
        else localStorage.setItem(key, code);
      } catch {
        // storage blocked: kept as long as the page
      }
    }

    function closeCompare() {
      comparing?.destroy();
      comparing = null;
      box.querySelector(".merge")?.remove();
      box.hidden = true;
    }

    function render(label) {
      bar.hidden = mine === null;
      text.textContent = `${label ?? ""} ${T.kept}`.trim();
    }

    bar.querySelector(".compare-mine").addEventListener("click", () => {
      if (comparing || mine === null) return;
      const parent = document.createElement("div");
      parent.className = "merge";
      box.append(parent);
      box.hidden = false;
      if (window.WorkbookEditor) {
        comparing = window.WorkbookEditor.compare(parent, { language, mine, theirs: ed.value });
      } else {
        const pre = document.createElement("pre");
        pre.textContent = mine;
        parent.append(pre);
        comparing = { mine: () => mine, destroy() {} };
      }
    });
    bar.querySelector(".close-compare").addEventListener("click", closeCompare);
    bar.querySelector(".restore-mine").addEventListener("click", () => {
      const code = comparing ? comparing.mine() : mine;
      closeCompare();
      keep(null);
      shown = null;
      render();
      ed.value = code;
      runIt();
    });
    render();

    return {
      show(code, label) {
        const current = ed.value;
        // The editor holds the learner's code unless it is a version
        // loaded by a button and left as it was.
        if (current !== code && current !== shown && current !== data.client && current !== data.serverJS) keep(current);
        shown = code;
        closeCompare();
        render(label);
        ed.value = code;
        runIt();
      },
    };
  }

  // ---- hint ladders -----------------------------------------------------------

  // Each task with hints offers one, then another, then the solution; the
  // solution opens once the learner took a hint or pressed Run (an attempt,
  // on this step, kept in localStorage). What is shown stays shown.
  const triedKey = `workbook:tried:${data.lesson}/${data.step}`;
  let tried = loadSaved(triedKey) === "1";
  const ladders = [];

  function markTried() {
    if (tried) return;
    tried = true;
    try {
      localStorage.setItem(triedKey, "1");
    } catch {
      // storage blocked: for this page
    }
    for (const update of ladders) update();
  }

  for (const el of document.querySelectorAll(".ladder")) {
    const key = `workbook:ladder:${data.lesson}/${data.step}:${el.dataset.ladder}`;
    const hints = [...el.querySelectorAll(".rung.hint")];
    const solution = el.querySelector(".rung.solution");
    const next = el.querySelector(".next-hint");
    const show = el.querySelector(".show-solution");
    const note = el.querySelector(".solution-note");
    let rungs = Math.min(Number(loadSaved(key)) || 0, hints.length + 1); // hints shown, then the solution
    const update = () => {
      hints.forEach((h, i) => (h.hidden = i >= rungs));
      solution.hidden = rungs <= hints.length;
      next.hidden = rungs >= hints.length;
      next.textContent = rungs === 0 ? next.dataset.first : next.dataset.next;
      const open = rungs > 0 || tried;
      show.disabled = !open;
      show.hidden = rungs > hints.length;
      note.hidden = open || rungs > hints.length;
    };
    const climb = (to) => {
      rungs = to;
      try {
        localStorage.setItem(key, String(rungs));
      } catch {
        // storage blocked: for this page
      }
      update();
    };
    next.addEventListener("click", () => climb(Math.min(rungs + 1, hints.length)));
    show.addEventListener("click", () => (rungs > 0 || tried) && climb(hints.length + 1));
    ladders.push(update);
    update();
  }

  // ---- the code the panes run ---------------------------------------------

  const edited = $("edited");
  const clientKey = `workbook:client:${data.lesson}/${data.step}`;
  let runCode = loadSaved(clientKey) ?? data.client; // what the panes run
  const showEdited = () => (edited.hidden = editor.value === data.client);
  const editor = makeEditor($("editor"), "html", run, showEdited);
  editor.value = runCode;
  showEdited();

  function run() {
    runCode = editor.value;
    save(clientKey, runCode, data.client);
    showEdited();
    markTried();
    reloadAll();
  }

  function reloadAll() {
    if (panes.size === 0) addPane();
    else for (const pane of panes) reloadPane(pane);
  }

  const clientKept = keeper("client", editor, "html", run);
  $("run").addEventListener("click", run);
  $("reset").addEventListener("click", () => clientKept.show(data.client, T.showingStart));
  $("show-done")?.addEventListener("click", () => clientKept.show(data.clientDone, T.showingDone));

  // ---- the server: the step's in Go, or the learner's own in JavaScript ----

  // The switch says which one this browser's clients reach. "JavaScript"
  // runs the code of the server editor as this browser's own server (PUT
  // server.js); "Go" stops it (DELETE), back to the step's server. Either
  // way the panes reload, to connect to the server now running.
  const serverBox = document.querySelector(".server-code");
  const serverStatus = $("server-status");
  const serverKey = `workbook:server:${data.lesson}/${data.step}`;
  const serverEditor = makeEditor($("server-editor"), "javascript", () => runServer(), () => {});
  serverEditor.value = loadSaved(serverKey) ?? data.serverJS;

  function showServer(kind) {
    const go = kind === "go";
    serverBox.dataset.server = kind;
    $("server-go").hidden = !go;
    $("server-js").hidden = go;
    $("server-js-on").setAttribute("aria-pressed", String(!go));
    $("server-go-on").setAttribute("aria-pressed", String(go));
    $("server-file").textContent = go ? "server.go" : "server.js";
  }

  function serverSays(text, error = false) {
    serverStatus.textContent = text;
    serverStatus.toggleAttribute("data-error", error);
  }

  let serverBusy = false;
  async function serverRequest(method, body) {
    if (serverBusy) return null;
    serverBusy = true;
    serverBox.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(data.source, { method, body, credentials: "same-origin", headers: { "Content-Type": "text/javascript; charset=utf-8" } });
      return { res, reply: await res.json().catch(() => ({})) };
    } catch (err) {
      serverSays(`${T.serverFailed}: ${err.message}`, true);
      return null;
    } finally {
      serverBusy = false;
      serverBox.removeAttribute("aria-busy");
    }
  }

  // quietPanes empties the panes' frames before the server changes: a
  // pane's page goes with its connection, rather than sending its old
  // session's requests to the server that comes next (which answers them
  // 400). reloadAll brings them back.
  function quietPanes() {
    for (const pane of panes) pane.frame.src = "about:blank";
  }

  // parses reports whether the browser can parse source (without running
  // it). Code it cannot parse goes to the server as it is, which says where
  // the error is, and the panes stay with the server in use.
  function parses(source) {
    try {
      new Function(source);
      return true;
    } catch {
      return false;
    }
  }

  async function runServer() {
    markTried();
    const source = serverEditor.value;
    save(serverKey, source, data.serverJS);
    showServer("javascript");
    if (serverBusy) return;
    const quiet = parses(source);
    if (quiet) quietPanes();
    const answer = await serverRequest("PUT", source);
    if (!answer) return quiet && reloadAll();
    const { res, reply } = answer;
    if (res.ok) {
      serverEditor.markLine(0);
      serverSays(T.serverOwn);
      serverBox.dataset.running = "javascript";
      reloadAll();
      return;
    }
    if (quiet) reloadAll(); // the server in use has not changed
    serverEditor.markLine(reply.line || 0, reply.error);
    serverSays(reply.line ? format(T.serverLine, reply.line, reply.error) : `${T.serverFailed}: ${reply.error ?? res.status}`, true);
  }

  async function stopServer() {
    showServer("go");
    if (serverBusy) return;
    quietPanes();
    const answer = await serverRequest("DELETE");
    if (!answer) return reloadAll();
    serverSays(T.serverDef);
    serverBox.dataset.running = "go";
    reloadAll();
  }

  const serverKept = keeper("server", serverEditor, "javascript", () => runServer());

  $("server-js-on").addEventListener("click", () => serverBox.dataset.server !== "javascript" && runServer());
  $("server-go-on").addEventListener("click", () => serverBox.dataset.server !== "go" && stopServer());
  $("run-server").addEventListener("click", () => runServer());
  // The step's server.js is both where the learner starts and the
  // finished version.
  $("reset-server").addEventListener("click", () => serverKept.show(data.serverJS, T.showingStart));
  $("show-done-server").addEventListener("click", () => serverKept.show(data.serverJS, T.showingDone));

  // Which server runs for this browser now (it outlives the page).
  fetch(data.source, { credentials: "same-origin" }).then(async (res) => {
    if (res.ok && res.headers.get("X-Workbook-Server") === "javascript") {
      serverEditor.value = await res.text();
      showServer("javascript");
      serverBox.dataset.running = "javascript";
      serverSays(T.serverOwn);
    } else {
      serverBox.dataset.running = "go";
    }
  }).catch(() => {});

  // Panes ask for their code here (assets/pane.js); tests and the editor
  // reach the editors here too.
  window.workbookStep = { paneCode: () => runCode, editor, serverEditor };

  // ---- panes ----------------------------------------------------------------

  const panesBox = $("panes");
  const panes = new Set();
  let panesMade = 0;

  function button(text, title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  // A pane: a header (its name, one line per socket, buttons), the
  // client's page, and a console strip under it.
  function addPane() {
    const n = ++panesMade;
    const pane = { n, sockets: new Map(), loaded: false, error: "" };
    pane.el = document.createElement("div");
    pane.el.className = "pane";
    const head = document.createElement("header");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = format(T.clientN, n);
    pane.state = document.createElement("span");
    pane.state.className = "state";
    pane.state.setAttribute("role", "status");
    const maximise = button("⤢", T.maximise, () => maximisePane(pane));
    maximise.className = "maximise";
    maximise.setAttribute("aria-pressed", "false");
    head.append(
      name,
      maximise,
      button("⟳", T.reload, () => reloadPane(pane)),
      button("✕", T.remove, () => removePane(pane)),
      pane.state,
    );
    pane.frame = document.createElement("iframe");
    pane.frame.title = name.textContent;
    pane.frame.src = `${data.pane}?n=${n}`;
    pane.console = document.createElement("ol");
    pane.console.className = "console";
    pane.console.setAttribute("aria-label", `${T.console} · ${name.textContent}`);
    clearConsole(pane);
    pane.el.append(head, pane.frame, pane.console);
    panes.add(pane);
    panesBox.append(pane.el);
    render(pane);
    return pane;
  }

  // reloadPane runs the pane's page again, in a new frame: the old one
  // goes with its connection. (A reload of the frame's own page left it
  // blank after an uncaught error of the learner's code.)
  function reloadPane(pane) {
    pane.sockets.clear();
    pane.loaded = false;
    pane.error = "";
    clearConsole(pane);
    render(pane);
    const frame = document.createElement("iframe");
    frame.title = pane.frame.title;
    frame.src = `${data.pane}?n=${pane.n}`;
    pane.frame.replaceWith(frame);
    pane.frame = frame;
  }

  function removePane(pane) {
    panes.delete(pane);
    pane.el.remove(); // its page goes, and with it its connection
  }

  // maximisePane lets a pane take the window, or gives it back its place.
  function maximisePane(pane, on = !pane.el.classList.contains("maximised")) {
    for (const other of panes) {
      if (other !== pane || !on) {
        other.el.classList.remove("maximised");
        other.el.querySelector(".maximise").setAttribute("aria-pressed", "false");
      }
    }
    pane.el.classList.toggle("maximised", on);
    pane.el.querySelector(".maximise").setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("pane-maximised", on);
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const big = [...panes].find((p) => p.el.classList.contains("maximised"));
    if (big) maximisePane(big, false);
  });

  // ---- a pane's console strip ---------------------------------------------------

  const maxConsole = 200;

  function clearConsole(pane) {
    pane.console.replaceChildren();
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = T.consoleEmpty;
    pane.console.append(empty);
  }

  // consoleLine adds a line to the pane's strip: level (log, info, debug,
  // warn, error), its text and the line of client.html it comes from.
  function consoleLine(pane, level, text, line) {
    const box = pane.console;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.querySelector(".empty")?.remove();
    const li = document.createElement("li");
    li.dataset.level = level;
    if (line) {
      const at = document.createElement("span");
      at.className = "at";
      at.textContent = format(T.lineN, line);
      li.dataset.line = line;
      li.append(at, " ");
    }
    li.append(text);
    box.append(li);
    while (box.children.length > maxConsole) box.firstElementChild.remove();
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  // render shows a pane's state: one line per socket, or the page's error.
  function render(pane) {
    let state = pane.loaded ? "no-socket" : "loading";
    const lines = [];
    if (pane.sockets.size > 0) {
      for (const s of pane.sockets.values()) {
        const label = { connecting: T.connecting, connected: T.connected, disconnected: T.disconnected, error: T.error }[s.state];
        const nsp = s.nsp !== "/" ? s.nsp + " " : "";
        const detail = s.state === "connected" ? s.id : s.detail;
        lines.push({ state: s.state, text: nsp + label + (detail ? ` (${detail})` : "") });
      }
      state = pane.sockets.values().next().value.state;
    } else {
      lines.push({ state, text: pane.loaded ? T.noSocket : T.loading });
    }
    if (pane.error) {
      state = "page-error";
      lines.splice(0, lines.length, { state, text: `${T.pageError}: ${pane.error}` });
    }
    pane.el.dataset.state = state;
    const parts = [];
    lines.forEach((l, i) => {
      const span = document.createElement("span");
      span.className = "socket";
      span.dataset.state = l.state;
      span.textContent = l.text;
      if (i > 0) parts.push(", ");
      parts.push(span);
    });
    pane.state.replaceChildren(...parts);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin || !event.data || event.data.workbookPane !== true) return;
    const pane = [...panes].find((p) => p.frame.contentWindow === event.source);
    if (!pane) return;
    const m = event.data;
    if (m.state === "console") {
      consoleLine(pane, String(m.level), String(m.text), Number(m.line) || 0);
      return;
    }
    if (m.state === "loaded") {
      pane.sockets.clear();
      pane.loaded = true;
      pane.error = "";
    } else if (m.state === "page-error") {
      pane.error = m.line ? `${m.detail} (${format(T.lineN, m.line)})` : m.detail;
    } else {
      pane.sockets.set(m.socket, m);
    }
    render(pane);
  });

  $("add-client").addEventListener("click", () => addPane());

  const wanted = Number(new URLSearchParams(location.search).get("clients")) || 1;
  for (let i = 0; i < Math.min(Math.max(wanted, 1), 8); i++) addPane();

  // ---- copy server.go ---------------------------------------------------------

  const copy = $("copy-server");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(serverBox.dataset.server === "go" ? data.server : serverEditor.value);
      copy.textContent = T.copied;
      setTimeout(() => (copy.textContent = T.copy), 1500);
    } catch {
      // no clipboard (an insecure origin): the code can still be selected
    }
  });

  // ---- faults: buttons that break the connection on purpose ---------------------

  // Each button POSTs to the step's fault URL; the server does the damage
  // (to this browser's clients only) and the
  // panes show what their clients make of it.
  const faultStatus = $("fault-status");

  // countDown says how long the restarted server stays down, second by
  // second, then that it is up again: the status never claims an outage
  // that is over.
  let countTimer = 0;
  function countDown(ms) {
    clearInterval(countTimer);
    const until = Date.now() + ms;
    const show = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        faultStatus.textContent = format(T.faultDown, left);
        return;
      }
      clearInterval(countTimer);
      faultStatus.textContent = T.faultUp;
      faultStatus.dataset.up = "";
    };
    delete faultStatus.dataset.up;
    show();
    countTimer = setInterval(show, 250);
  }
  for (const b of document.querySelectorAll("button.fault")) {
    b.addEventListener("click", async () => {
      b.disabled = true;
      faultStatus.removeAttribute("data-error");
      try {
        const res = await fetch(data.faults + encodeURIComponent(b.dataset.fault), { method: "POST", credentials: "same-origin" });
        const reply = await res.json().catch(() => ({}));
        if (res.ok) {
          if (reply.outage) countDown(reply.outage);
          else faultStatus.textContent = format(T.faultDone, reply.clients);
        } else {
          faultStatus.dataset.error = "";
          faultStatus.textContent = res.status === 409 && b.dataset.fault === "restart" ? T.faultBusy
            : res.status === 409 ? T.faultNone : `${T.faultFailed}: ${reply.error ?? res.status}`;
        }
        faultStatus.dataset.fault = b.dataset.fault;
        faultStatus.dataset.status = res.status;
      } catch (err) {
        faultStatus.dataset.error = "";
        faultStatus.textContent = `${T.faultFailed}: ${err.message}`;
      } finally {
        b.disabled = false;
      }
    });
  }

  // ---- live feed: server log, tasks, progress -----------------------------------

  const log = $("log");
  const maxLines = 500;

  function clearLog() {
    log.replaceChildren();
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = T.logEmpty;
    log.append(empty);
  }

  function addLine(line) {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.querySelector(".empty")?.remove();
    const li = document.createElement("li");
    const time = document.createElement("time");
    const at = new Date(line.at);
    time.dateTime = line.at;
    time.textContent = at.toLocaleTimeString([], { hour12: false });
    const text = document.createElement("span");
    text.textContent = line.text;
    li.append(time, " ", text);
    if (line.mine) li.classList.add("mine");
    log.append(li);
    while (log.children.length > maxLines) log.firstElementChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function tick(task) {
    const li = document.querySelector(`.tasks li[data-task="${CSS.escape(task)}"]`);
    if (li && !li.classList.contains("done")) {
      li.classList.add("done", "just-done");
      setTimeout(() => li.classList.remove("just-done"), 1200);
    }
  }

  function progress({ done, total }) {
    const bar = $("progress");
    if (bar) {
      bar.value = done;
      bar.max = total;
    }
    const said = format(T.progress, done, total);
    if (bar) {
      bar.setAttribute("aria-label", said); // what a screen reader reads, as the text beside it
      bar.parentElement.title = said;
    }
    const text = $("progress-text");
    if (text) text.textContent = said;
  }

  // The log shows the lines about this browser's clients, or everyone's
  // (?log=all): switching opens the feed again, which starts with the
  // backlog of what it now shows.
  let feed = null;
  function openFeed(scope) {
    feed?.close();
    const url = new URL(data.live, location.href);
    if (scope === "all") url.searchParams.set("log", "all");
    log.dataset.scope = scope;
    feed = new EventSource(url);
    feed.addEventListener("open", clearLog); // the feed starts again with the backlog
    feed.addEventListener("log", (e) => addLine(JSON.parse(e.data)));
    feed.addEventListener("task", (e) => tick(JSON.parse(e.data).task));
    feed.addEventListener("progress", (e) => progress(JSON.parse(e.data)));
  }
  for (const radio of document.querySelectorAll('input[name="log-scope"]')) {
    radio.addEventListener("change", () => {
      if (radio.checked) openFeed(radio.value);
    });
  }
  openFeed(document.querySelector('input[name="log-scope"]:checked')?.value || "mine");
})();
