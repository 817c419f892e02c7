package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chromeHAR is a HAR in the shape Chromium's DevTools writes (see
// inspector/har's tests).
const chromeHAR = "../../inspector/har/testdata/chrome.har"

// TestImportHAR: 'workbook import' tells a HAR from its content, with the
// flags before the file; importing it twice adds nothing; --format forces
// the reader; export --format har writes a HAR that imports back to the
// same packets.
func TestImportHAR(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	out := run(t, "import", "--db", db, "--progress", "never", chromeHAR)
	if !strings.Contains(out, "imported 15 packets into "+db) ||
		!strings.Contains(out, "HAR: 8 entries, 2 not Engine.IO (skipped); 1 sessions, 15 packets") {
		t.Errorf("first import said:\n%s", out)
	}
	if out := run(t, "import", "--db", db, chromeHAR); !strings.Contains(out, "imported 0 packets") {
		t.Errorf("second import said:\n%s", out)
	}

	// A HAR under another name, forced; and the wrong reader forced.
	renamed := filepath.Join(dir, "capture.txt")
	b, err := os.ReadFile(chromeHAR)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(renamed, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "import", "--format", "har", "--db", filepath.Join(dir, "b.db"), renamed); !strings.Contains(out, "imported 15 packets") {
		t.Errorf("forced har import said:\n%s", out)
	}
	if _, _, err := runErr("import", "--format", "jsonl", "--db", filepath.Join(dir, "c.db"), renamed); err == nil ||
		!strings.Contains(err.Error(), "import: ") {
		t.Errorf("a HAR read as JSON Lines: err = %v, want an import error", err)
	}

	// Export as HAR, import that elsewhere: the same packets.
	harOut := filepath.Join(dir, "out.har")
	run(t, "export", "--format", "har", "--db", db, "-o", harOut)
	db2 := filepath.Join(dir, "d.db")
	if out := run(t, "import", "--db", db2, harOut); !strings.Contains(out, "imported 15 packets") {
		t.Errorf("import of the exported HAR said:\n%s", out)
	}
	ids := regexp.MustCompile(`"(id|attachment_of)":\d+,?`)
	a := ids.ReplaceAllString(run(t, "export", "--db", db), "")
	c := ids.ReplaceAllString(run(t, "export", "--db", db2), "")
	if a != c {
		t.Errorf("JSON Lines of the HAR's round trip differ:\n%s\nwant\n%s", c, a)
	}
	if _, _, err := runErr("export", "--format", "har", "--debug-lines", "--db", db); err == nil {
		t.Error("export --format har --debug-lines: no error")
	}
}
