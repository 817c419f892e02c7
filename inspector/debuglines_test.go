package inspector_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// TestDebugLinesChunked records lines of three sessions interleaved over
// several batches (so that the chunks of a batch interleave their ids) and
// checks every filter against what a plain sort of all lines gives.
func TestDebugLinesChunked(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	texts := []string{`plain`, `"quoted" \ back`, "new\nline\ttab", "bad \xff utf-8", "sep \u2028 \u2029", `<img src=x onerror=alert(1)>`, ""}
	sids := []string{"A", "B", "", "C"}
	type line struct {
		sid, msg string
		at       time.Time
	}
	var all []line
	for batch := range 4 {
		for i := range 25 {
			l := line{sid: sids[(i*7+batch)%len(sids)], msg: fmt.Sprintf("%d.%d %s", batch, i, texts[i%len(texts)]),
				at: t0.Add(time.Duration(batch*100+i) * time.Millisecond)}
			rec.DebugAt(l.at, "engine:socket", l.sid, l.msg)
			all = append(all, l)
		}
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		// The lines of a session in one batch take consecutive ids, the
		// sessions in the order they first wrote.
		batchLines := all[batch*25:]
		var order []string
		for _, l := range batchLines {
			if !slices.Contains(order, l.sid) {
				order = append(order, l.sid)
			}
		}
		slices.SortStableFunc(batchLines, func(a, b line) int {
			return slices.Index(order, a.sid) - slices.Index(order, b.sid)
		})
	}
	got, err := db.DebugLines(ctx, inspector.PacketFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) {
		t.Fatalf("%d lines, want %d", len(got), len(all))
	}
	for i, l := range got {
		if want := all[i]; l.SID != want.sid || l.Message != strings.ToValidUTF8(want.msg, "\ufffd") ||
			!l.At.Equal(want.at) || l.Namespace != "engine:socket" {
			t.Fatalf("line %d: %+v, want %+v", i, l, want)
		}
		if i > 0 && l.ID <= got[i-1].ID {
			t.Fatalf("ids out of order at %d", i)
		}
	}
	// Every filter, against the lines it should select from got.
	pick := func(keep func(inspector.DebugLine) bool, limit int, last bool) []int64 {
		var ids []int64
		for _, l := range got {
			if keep(l) {
				ids = append(ids, l.ID)
			}
		}
		if limit >= 0 && len(ids) > limit {
			if last {
				ids = ids[len(ids)-limit:]
			} else {
				ids = ids[:limit]
			}
		}
		return ids
	}
	mid := got[len(got)/2]
	for _, sid := range []string{"", "A", "B", "C"} {
		for _, limit := range []int{1, 2, 7, 30, -1} {
			for _, last := range []bool{false, true} {
				for _, after := range []int64{0, got[3].ID, mid.ID} {
					for _, since := range []time.Time{{}, mid.At} {
						f := inspector.PacketFilter{SID: sid, Limit: limit, Last: last, AfterID: after, Since: since}
						want := pick(func(l inspector.DebugLine) bool {
							return (sid == "" || l.SID == sid) && l.ID > after && (since.IsZero() || !l.At.Before(since))
						}, limit, last)
						ls, err := db.DebugLines(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						var ids []int64
						for _, l := range ls {
							ids = append(ids, l.ID)
						}
						if !slices.Equal(ids, want) {
							t.Errorf("%+v: ids %v, want %v", f, ids, want)
						}
					}
				}
			}
		}
	}
	// The view gives sqlite3 users one row per line, with the same ids.
	raw := mustRawDB(t, db.Path())
	rows, err := raw.Query(`SELECT id, at, sid, namespace, message FROM debug_lines ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id, at int64
		var sid, ns, msg string
		if err := rows.Scan(&id, &at, &sid, &ns, &msg); err != nil {
			t.Fatal(err)
		}
		if l := got[i]; id != l.ID || at != l.At.UnixMicro() || sid != l.SID || ns != l.Namespace || msg != l.Message {
			t.Errorf("view row %d: %d %d %q %q %q, want %+v", i, id, at, sid, ns, msg, l)
		}
		i++
	}
	if i != len(got) {
		t.Errorf("view: %d rows, want %d", i, len(got))
	}
	if st, _ := db.Stats(ctx); st.DebugLines != int64(len(all)) {
		t.Errorf("stats count %d lines", st.DebugLines)
	}
}

// TestMigrateDebugLines opens a file of schema version 1, holding debug
// lines one per row, and finds them again after the migration to chunks.
func TestMigrateDebugLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw := mustRawDB(t, path)
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(init),
		`CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO migrations VALUES (1, '0001_init.sql', 0)`, `PRAGMA user_version = 1`,
		`INSERT INTO debug_lines (id, at, sid, namespace, message) VALUES
			(1, 1000, '', 'socket.io:server', 'initializing namespace /'),
			(2, 2000, 'S1', 'engine', 'handshaking client "S1"'),
			(3, 3000, 'S1', 'engine:socket', 'sending packet "open" ({"sid":"S1"})')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	if db.Version() < 2 {
		t.Fatalf("version %d", db.Version())
	}
	ls, err := db.DebugLines(context.Background(), inspector.PacketFilter{SID: "S1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].ID != 2 || ls[1].Message != `sending packet "open" ({"sid":"S1"})` || ls[1].At.UnixMicro() != 3000 {
		t.Fatalf("%+v", ls)
	}
	// New lines continue the ids.
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	rec.DebugAt(time.UnixMicro(4000), "engine", "S1", "closing session - reason: transport close")
	rec.Flush(context.Background())
	ls, _ = db.DebugLines(context.Background(), inspector.PacketFilter{SID: "S1", Last: true, Limit: 1})
	if len(ls) != 1 || ls[0].ID != 4 {
		t.Fatalf("%+v", ls)
	}
}
