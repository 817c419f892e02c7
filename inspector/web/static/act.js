/*
 * act.js: the session page's action forms (emit, join, leave, disconnect)
 * are sent with fetch, so the page stays; #wbi-act-result says what came
 * of each, in the page's language (its data-* attributes hold the words).
 * Without this script the forms post as they are and the answer comes as a
 * page of its own.
 */
(() => {
  "use strict";
  const out = document.getElementById("wbi-act-result");
  if (!out) return;
  for (const form of document.querySelectorAll("form[data-act]")) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = new URLSearchParams(new FormData(form, ev.submitter));
      out.dataset.state = "busy";
      out.textContent = out.dataset.busy;
      try {
        // form.action would be the input named "action": read the attribute.
        const res = await fetch(form.getAttribute("action"), {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-Workbook-Act": "1" },
        });
        const r = await res.json().catch(() => ({ error: res.status + " " + res.statusText }));
        if (!res.ok || !r.ok) throw new Error(r.error || res.status + " " + res.statusText);
        let text = out.dataset.ok;
        if (r.answer) {
          text += " " + (r.answer.timedOut ? out.dataset.timeout : out.dataset.answer) + " " + JSON.stringify(r.answer.replies || []);
        }
        out.dataset.state = "ok";
        out.textContent = text;
      } catch (err) {
        out.dataset.state = "error";
        out.textContent = err.message;
      }
    });
  }
})();
