// build.mjs bundles src/editor.js and the packages package-lock.json pins
// into editor.bundle.js, which the workbook embeds and serves at
// /assets/editor/editor.bundle.js: `npm ci && node build.mjs`. The output
// depends only on the lock file and src/, so a test can build it again and
// compare (lessons.TestEditorBundleMatchesLock).
//
// node build.mjs [OUTFILE]   (default: editor.bundle.js beside this file)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2] ?? path.join(here, "editor.bundle.js");

await build({
  entryPoints: [path.join(here, "src", "editor.js")],
  absWorkingDir: here,
  bundle: true,
  format: "iife",
  minify: true,
  target: ["es2020"],
  legalComments: "eof",
  banner: {
    js: "/* The workbook's code editor (lessons/assets/editor): CodeMirror 6 and the packages it uses, MIT licence, " +
      "copyright Marijn Haverbeke and others; the versions are pinned in package-lock.json. */",
  },
  charset: "utf8",
  outfile,
  logLevel: "warning",
});
