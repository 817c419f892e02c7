// The step page's code editor, on CodeMirror 6: window.WorkbookEditor.
// step.js asks it for an editor in place of each textarea (client.html,
// server.js), and for a side-by-side view to compare the learner's code
// with the finished version. build.mjs bundles this file, and the packages
// pinned in package-lock.json, into editor.bundle.js.
import { basicSetup } from "codemirror";
import { EditorState, Compartment, StateEffect, StateField, RangeSet, Prec } from "@codemirror/state";
import { EditorView, keymap, Decoration } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit } from "@codemirror/language";
import { javascript } from "@codemirror/lang-javascript";
import { html } from "@codemirror/lang-html";
import { oneDark } from "@codemirror/theme-one-dark";
import { MergeView } from "@codemirror/merge";

const dark = window.matchMedia("(prefers-color-scheme: dark)");
const language = (name) => (name === "javascript" ? javascript() : html());

// The colours follow the page's scheme, and change with it.
function scheme() {
  const themes = new Compartment();
  const views = new Set();
  const current = () => (dark.matches ? oneDark : []);
  dark.addEventListener("change", () => {
    for (const view of views) view.dispatch({ effects: themes.reconfigure(current()) });
  });
  return {
    extension: () => themes.of(current()),
    watch(view) {
      views.add(view);
    },
    forget(view) {
      views.delete(view);
    },
  };
}
const colours = scheme();

// A marked line: where a syntax error or an uncaught error is.
const setMark = StateEffect.define();
const errorLine = Decoration.line({ class: "cm-workbook-error" });
const marks = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const e of tr.effects) if (e.is(setMark)) value = e.value;
    // An edit of the marked line clears the mark: the learner is on it.
    if (tr.docChanged && value.size) value = Decoration.none;
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function setup(lang, extra = []) {
  return [
    basicSetup,
    language(lang),
    indentUnit.of("  "),
    EditorState.tabSize.of(2),
    keymap.of([indentWithTab]),
    colours.extension(),
    EditorView.contentAttributes.of({ spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
    ...extra,
  ];
}

/**
 * create replaces textarea with an editor of language ("html" or
 * "javascript") and returns { value, markLine(line), focus() }: value
 * reads and sets the code; onChange is called on each edit, onRun on
 * Ctrl+Enter (or Cmd+Enter). Escape then Tab leaves the editor.
 */
function create(textarea, { language: lang = "html", onRun = () => {}, onChange = () => {} } = {}) {
  const view = new EditorView({
    doc: textarea.value,
    extensions: setup(lang, [
      // Above basicSetup's own Mod-Enter (a blank line below).
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }])),
      EditorView.updateListener.of((u) => u.docChanged && onChange()),
      EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || lang }),
      marks,
    ]),
  });
  colours.watch(view);
  textarea.hidden = true;
  textarea.after(view.dom);
  view.dom.classList.add("cm-workbook");
  return {
    view,
    get value() {
      return view.state.doc.toString();
    },
    set value(code) {
      if (code === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
    },
    // markLine marks line (from 1) as wrong and scrolls to it; 0 clears.
    markLine(line) {
      if (!line || line > view.state.doc.lines) {
        view.dispatch({ effects: setMark.of(Decoration.none) });
        return;
      }
      const at = view.state.doc.line(line).from;
      view.dispatch({ effects: [setMark.of(RangeSet.of([errorLine.range(at)])), EditorView.scrollIntoView(at, { y: "center" })] });
    },
    focus() {
      view.focus();
    },
  };
}

/**
 * compare shows mine (editable: the learner's code) beside theirs (the
 * finished version, read-only) in parent, with the changes marked, and
 * returns { mine(): the code on the left, destroy() }.
 */
function compare(parent, { language: lang = "html", mine, theirs }) {
  const view = new MergeView({
    a: { doc: mine, extensions: setup(lang) },
    b: { doc: theirs, extensions: setup(lang, [EditorState.readOnly.of(true), EditorView.editable.of(false)]) },
    parent,
    gutter: true,
    highlightChanges: true,
  });
  colours.watch(view.a);
  colours.watch(view.b);
  return {
    view,
    mine: () => view.a.state.doc.toString(),
    destroy() {
      colours.forget(view.a);
      colours.forget(view.b);
      view.destroy();
    },
  };
}

window.WorkbookEditor = { create, compare };
