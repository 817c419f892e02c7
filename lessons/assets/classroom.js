// The classroom page: reloads its table (#classroom) each time the
// classroom's feed (Server-Sent Events at data-live) says a row may have
// changed, so that learners who connect, disconnect, tick tasks or name
// themselves show up without a reload. The feed carries no data; the table
// comes from our own server, already escaped, parsed with DOMParser and
// swapped in.
(() => {
  "use strict";
  const first = document.getElementById("classroom");
  if (!first) return;
  // This page's table (?page=N), in the page's language.
  const url = new URL(first.dataset.table, location.href);
  url.searchParams.set("lang", document.documentElement.lang || "en");

  let running = false; // a fetch is under way
  let again = false; // a change came meanwhile: fetch once more after it

  async function refresh() {
    if (running) {
      again = true;
      return;
    }
    running = true;
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
      // The workbook is restarting or the network is down: the feed
      // reconnects and says "change" when it opens again.
    } finally {
      running = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }
  // EventSource reconnects by itself; the feed opens with a "change".
  const feed = new EventSource(new URL(first.dataset.live, location.href));
  feed.addEventListener("change", refresh);
})();
