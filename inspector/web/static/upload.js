/*
 * upload.js: a file dropped anywhere on the sessions page is imported, as
 * 'workbook import' would (JSON Lines of a download or of 'workbook
 * export', or a HAR, told from the content), through POST
 * /inspector/import. The page says what came of it in #wbi-drop-status,
 * in the page's language: its words come with the page (common.js's t),
 * with {name} where a value goes.
 */
(() => {
  "use strict";
  const status = document.getElementById("wbi-drop-status");
  if (!status) return;
  const root = document.documentElement;
  // tf is the word en in the page's language, its {name}s filled from vals.
  const tr = (window.WBInspector && window.WBInspector.t) || ((en) => en);
  const tf = (en, vals) => tr(en).replace(/\{(\w+)\}/g, (m, k) => (k in vals ? String(vals[k]) : m));
  let depth = 0; // dragenter/dragleave pairs: children fire them too

  const withFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes("Files");
  function dropping(on) {
    root.classList.toggle("wbi-dropping", on);
    // An outline in the page's own text colour: right in both schemes.
    root.style.outline = on ? "4px dashed currentColor" : "";
    root.style.outlineOffset = on ? "-8px" : "";
  }

  document.addEventListener("dragenter", (ev) => {
    if (!withFiles(ev)) return;
    depth++;
    dropping(true);
  });
  document.addEventListener("dragleave", (ev) => {
    if (!withFiles(ev)) return;
    if (--depth <= 0) {
      depth = 0;
      dropping(false);
    }
  });
  document.addEventListener("dragover", (ev) => {
    if (!withFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", async (ev) => {
    if (!withFiles(ev)) return;
    ev.preventDefault();
    depth = 0;
    dropping(false);
    for (const file of Array.from(ev.dataTransfer.files)) {
      await upload(file);
    }
  });

  async function upload(file) {
    status.dataset.state = "busy";
    status.textContent = tf("Importing {file}…", { file: file.name });
    try {
      const res = await fetch("/inspector/import", {
        method: "POST",
        body: file,
        credentials: "same-origin",
        headers: { "X-Workbook-Import": "1" },
      });
      const out = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(out.error || res.status + " " + res.statusText);
      let text = tf("{file}: {packets} packets imported", { file: file.name, packets: out.packets });
      if (out.format === "har") {
        text += tf(" from {sessions} sessions of a HAR ({skipped} entries that are not Engine.IO skipped)", out);
      }
      if (out.packets === 0) text += tr("; its sessions were here already");
      status.textContent = text + ". ";
      const again = document.createElement("a");
      again.href = location.href;
      again.textContent = tr("Show them");
      status.append(again);
      status.dataset.state = "done";
    } catch (e) {
      status.textContent = tf("Could not import {file}: {error}", { file: file.name, error: e.message });
      status.dataset.state = "error";
    }
  }
})();
