// The classroom page: reloads its table (#classroom) every few seconds,
// as the server renders it, so that learners who connect, disconnect and
// tick tasks show up without a reload. The table comes from our own
// server, already escaped; it is parsed with DOMParser and swapped in.
(() => {
  "use strict";
  const first = document.getElementById("classroom");
  if (!first) return;
  const poll = Number(first.dataset.poll) || 2000;
  // This page's table (?page=N), in the page's language.
  const url = new URL(first.dataset.table, location.href);
  url.searchParams.set("lang", document.documentElement.lang || "en");

  async function refresh() {
    try {
      const res = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      if (!res.ok) return;
      const html = await res.text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      const next = doc.getElementById("classroom");
      const current = document.getElementById("classroom");
      if (next && current && next.innerHTML !== current.innerHTML) {
        current.replaceWith(document.adoptNode(next));
      }
    } catch {
      // The workbook is restarting or the network is down: try again later.
    } finally {
      setTimeout(refresh, poll);
    }
  }
  setTimeout(refresh, poll);
})();
