// pane.js runs first in every client pane of a step page, before the
// learner's code (see paneDoc in lessons/step.templ). It:
//
//   - wraps window.io as soon as socket.io.js defines it, so that every
//     socket the page makes with io() reports its state to the step page
//     ("connecting", "connected" with its id, "disconnected" with the
//     reason, "error" with the message);
//   - reports uncaught errors of the page;
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

  window.addEventListener("error", (event) => post({ state: "page-error", detail: event.message }));
  window.addEventListener("unhandledrejection", (event) =>
    post({ state: "page-error", detail: String(event.reason && event.reason.message || event.reason) }));

  window.WorkbookPane = {
    // code returns the HTML this pane runs.
    code() {
      try {
        const code = parentPage && parentPage.workbookStep && parentPage.workbookStep.paneCode();
        if (typeof code === "string") return code;
      } catch {
        // a parent of another origin: run the step's own client
      }
      return JSON.parse(document.getElementById("workbook-client").textContent);
    },
  };

  post({ state: "loaded" });
})();
