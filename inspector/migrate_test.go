package inspector_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
)

// TestMigrateV2: testdata/v2.db was written by the workbook of schema 2
// (one row per packet), with testdata/v2.jsonl and v2-A-debug.jsonl its
// exports then. Opened now, it is migrated in place to packet chunks, and
// its exports are the same, byte for byte; the packets view gives the rows
// as the old table did; and a recording goes on after the old rows.
func TestMigrateV2(t *testing.T) {
	path, db := openOld(t, "v2.db")
	defer MustCloseDB(t, db)
	if db.Version() < 3 {
		t.Fatalf("version %d after Open", db.Version())
	}
	for _, c := range []struct {
		golden string
		f      inspector.PacketFilter
		opts   inspector.ExportOptions
	}{
		{"testdata/v2.jsonl", inspector.PacketFilter{}, inspector.ExportOptions{}},
		{"testdata/v2-A-debug.jsonl", inspector.PacketFilter{SID: "A"}, inspector.ExportOptions{DebugLines: true}},
	} {
		want, err := os.ReadFile(c.golden)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := db.ExportWith(t.Context(), &got, c.f, c.opts, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: export after migration differs:\n%s", c.golden, firstDiff(got.Bytes(), want))
		}
	}
	// Through the view, as sqlite3 users query it.
	raw := mustRawDB(t, path)
	var n, att int
	var rawText string
	if err := raw.QueryRow(`SELECT count(*), sum(attachment_of IS NOT NULL) FROM packets`).Scan(&n, &att); err != nil || n != 26 || att != 1 {
		t.Errorf("packets view: %d rows, %d attachments, %v", n, att, err)
	}
	if err := raw.QueryRow(`SELECT raw FROM packets WHERE event = 'echo'`).Scan(&rawText); err != nil || rawText != `421["echo","héllo"]` {
		t.Errorf("echo raw %q, %v", rawText, err)
	}
	// New packets get ids after the old ones.
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	rec.PacketAt(t0, "B", 1, "websocket", msg(`2["later"]`))
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	ps, err := db.Packets(t.Context(), inspector.PacketFilter{SID: "B", Last: true, Limit: 2})
	if err != nil || len(ps) != 2 || ps[1].Event != "later" || ps[1].ID != 27 || ps[0].ID != 26 {
		t.Errorf("after migration: %+v, %v", ps, err)
	}
}

// openOld opens a copy of testdata/name, a file an older workbook wrote,
// as the workbook does now (migrating it), and returns the copy's path.
func openOld(t *testing.T, name string) (string, *inspector.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(src))
	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, db
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range max(len(g), len(w)) {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, a, b)
		}
	}
	return ""
}
