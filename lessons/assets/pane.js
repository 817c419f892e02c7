// pane.js runs first in every client pane of a step page, before the
// learner's code (see paneDoc in lessons/step.templ). It:
//
//   - wraps window.io as soon as socket.io.js defines it, so that every
//     socket the page makes with io() reports its state to the step page
//     ("connecting", "connected" with its id, "disconnected" with the
//     reason, "error" with the message);
//   - reports uncaught errors of the page, and its console.log, info,
//     debug, warn and error, each with the line of client.html it comes
//     from, for the pane's console strip;
//   - keeps the page scrolled to its newest line while the learner has not
//     scrolled up;
//   - gives the pane its code: what the step page last ran, or the step's
//     client.html (in #workbook-client) when the pane is opened alone.
//
// Reports are postMessage()s to the parent: { workbookPane: true, state, ... }.
(() => {
  "use strict";

  const parentPage = window.parent !== window ? window.parent : null;

  function post(message) {
    if (!parentPage) return;
    try {
      parentPage.postMessage({ workbookPane: true, ...message }, location.origin);
    } catch {
      // the parent is gone or not ours: nobody to tell
    }
  }

  let sockets = 0;

  function watch(socket) {
    const n = ++sockets;
    const report = (state, detail = "") =>
      post({ socket: n, nsp: socket.nsp || "/", state, id: socket.id || "", detail: String(detail) });
    report(socket.connected ? "connected" : "connecting");
    socket.on("connect", () => report("connected"));
    socket.on("disconnect", (reason) => report("disconnected", reason));
    socket.on("connect_error", (err) => report("error", err && err.message));
  }

  function wrap(io) {
    const wrapped = function (...args) {
      const socket = io(...args);
      try {
        watch(socket);
      } catch {
        // never let the workbook's watch break the learner's page
      }
      return socket;
    };
    Object.assign(wrapped, io);
    wrapped.io = wrapped.connect = wrapped;
    return wrapped;
  }

  let io;
  Object.defineProperty(window, "io", {
    configurable: true,
    enumerable: true,
    get: () => io,
    set: (value) => {
      io = typeof value === "function" ? wrap(value) : value;
    },
  });

  // ---- lines of client.html ------------------------------------------------

  // Each inline script of the code is named after the line of client.html
  // where it starts (a sourceURL comment at its end, so no line moves): the
  // browser then reports a position in that script, which where() turns
  // into a line of client.html, as the learner's editor numbers them.
  const scriptName = /client\.html-line-(\d+)\.js:(\d+)(?::\d+)?/;

  const scripts = []; // the inline scripts written: { line, body, module }
  let writerLine = 0; // the line of the pane document that writes them

  function label(code) {
    return code.replace(/(<script\b(?![^>]*\bsrc\s*=)[^>]*>)([\s\S]*?)(<\/script\s*>)/gi, (all, open, body, close, at) => {
      const line = code.slice(0, at + open.length).split("\n").length;
      scripts.push({ line, body, module: /type\s*=\s*["']?module/i.test(open) });
      return `${open}${body}\n//# sourceURL=client.html-line-${line}.js\n${close}`;
    });
  }

  // syntaxLine finds the line of client.html of a syntax error, which the
  // browser reports in the pane document (a script that does not compile
  // has no name yet): its line there, from the line that wrote it, in the
  // one script that does not compile.
  function syntaxLine(lineno) {
    if (!writerLine || !lineno) return 0;
    const broken = scripts.filter((s) => {
      if (s.module) return false;
      try {
        new Function(s.body);
        return false;
      } catch (err) {
        return err instanceof SyntaxError;
      }
    });
    return broken.length === 1 ? broken[0].line + lineno - writerLine : 0;
  }

  // where returns the line of client.html of a position ("file:line:col"
  // of a named script), or 0.
  function where(position) {
    const m = scriptName.exec(position || "");
    return m ? Number(m[1]) + Number(m[2]) - 1 : 0;
  }

  // callerLine returns the line of client.html that called a console
  // method: the first frame of the stack in a named script.
  function callerLine() {
    for (const frame of String(new Error().stack || "").split("\n").slice(1)) {
      const line = where(frame);
      if (line) return line;
    }
    return 0;
  }

  // ---- the console ------------------------------------------------------------

  // show prints a value as a console does, roughly.
  function show(v) {
    if (typeof v === "string") return v;
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (typeof v === "function") return `ƒ ${v.name || "anonymous"}()`;
    try {
      const json = JSON.stringify(v);
      if (json !== undefined) return json;
    } catch {
      // a cycle, a BigInt: String does
    }
    return String(v);
  }

  // text joins console arguments, filling a first string's %s, %d, %i,
  // %f, %o and %O, and dropping %c and its style (the debug module's
  // colours).
  function text(args) {
    if (typeof args[0] === "string" && /%[sdifoOc]/.test(args[0])) {
      const rest = args.slice(1);
      const head = args[0].replace(/%([sdifoOc%])/g, (all, f) => {
        if (f === "%") return "%";
        if (rest.length === 0) return all;
        const v = rest.shift();
        if (f === "c") return "";
        if (f === "d" || f === "i") return String(parseInt(v, 10));
        if (f === "f") return String(Number(v));
        return show(v);
      });
      args = [head, ...rest];
    }
    return args.map(show).join(" ").slice(0, 2000);
  }

  // At most maxLines console lines a second go to the step page; the rest
  // are counted, so that a loop that logs cannot flood it.
  const maxLines = 100;
  let second = 0, sent = 0, cut = 0;

  function report(level, message, line) {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      if (cut > 0) post({ state: "console", level: "info", text: `… ${cut} more line(s) left out`, line: 0 });
      second = now;
      sent = cut = 0;
    }
    if (++sent > maxLines) {
      cut++;
      return;
    }
    post({ state: "console", level, text: message, line });
  }

  for (const level of ["log", "info", "debug", "warn", "error"]) {
    const original = console[level];
    console[level] = function (...args) {
      try {
        report(level, text(args), callerLine());
      } catch {
        // never let the workbook's console break the learner's page
      }
      return original.apply(this, args);
    };
  }

  window.addEventListener("error", (event) => {
    let line = where(`${event.filename}:${event.lineno}`);
    if (!line && event.error instanceof SyntaxError) line = syntaxLine(event.lineno);
    post({ state: "page-error", detail: event.message, line });
    report("error", event.message, line);
  });
  window.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    const message = `Uncaught (in promise) ${reason instanceof Error ? `${reason.name}: ${reason.message}` : show(reason)}`;
    post({ state: "page-error", detail: message, line: reason && reason.stack ? where(reason.stack) : 0 });
    report("error", message, reason && reason.stack ? where(reason.stack) : 0);
  });

  // ---- the newest line in view --------------------------------------------------

  // While the page is scrolled to its end, content added keeps it there;
  // once the learner scrolls up, it stays where they put it.
  let atEnd = true;
  let pending = false;
  const end = () => document.scrollingElement || document.documentElement;
  window.addEventListener("scroll", () => {
    if (pending) return; // our own scroll, or content still coming
    const e = end();
    atEnd = e.scrollTop + window.innerHeight >= e.scrollHeight - 8; // innerHeight: the viewport, whatever the root's box
  }, { passive: true });
  // Once a frame, after the layout of everything added meanwhile; and when
  // the pane itself changes height (its header grows a line, the learner
  // resizes it), which moves the end with no change to the page.
  let again = false; // content came while a scroll was pending
  function stick() {
    if (!atEnd) return;
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    requestAnimationFrame(toEnd);
  }
  function toEnd() {
    end().scrollTop = end().scrollHeight;
    // The scroll event of this scroll comes before the next frame's
    // callbacks: pending until then, so that it does not count as the
    // learner's.
    requestAnimationFrame(() => {
      if (again) {
        again = false;
        toEnd();
      } else {
        pending = false;
      }
    });
  }
  new MutationObserver(stick).observe(document, { childList: true, subtree: true, characterData: true });
  window.addEventListener("resize", stick);

  window.WorkbookPane = {
    // code returns the HTML this pane runs, its scripts named (see label).
    code() {
      let code = null;
      try {
        code = parentPage && parentPage.workbookStep && parentPage.workbookStep.paneCode();
      } catch {
        // a parent of another origin: run the step's own client
      }
      if (typeof code !== "string") code = JSON.parse(document.getElementById("workbook-client").textContent);
      const caller = String(new Error().stack || "").split("\n")[2] || ""; // the script that writes the code
      writerLine = Number((/:(\d+):\d+\)?$/.exec(caller) || [])[1]) || 0;
      return label(code);
    },
  };

  post({ state: "loaded" });
})();
