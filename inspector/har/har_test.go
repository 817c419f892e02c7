package har_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/har"
)

func openDB(t *testing.T) *inspector.DB {
	t.Helper()
	db, err := inspector.Open(filepath.Join(t.TempDir(), "har.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func importFile(t *testing.T, db *inspector.DB, name string) har.Stats {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := har.Import(context.Background(), db, f, nil)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return st
}

// packetLines describes the packets of session sid, one line each:
// "dir transport raw [sio-type event] [attachment]".
func packetLines(t *testing.T, db *inspector.DB, sid string) []string {
	t.Helper()
	var out []string
	for _, p := range packets(t, db, sid) {
		raw := string(p.Raw)
		if p.Binary {
			raw = fmt.Sprintf("bin%v", p.Raw)
		}
		l := fmt.Sprintf("%s %s %s", p.Dir, p.Transport, raw)
		if p.SIOType != "" {
			l += " " + p.SIOType + ":" + p.Event
		}
		if p.AttachmentOf != 0 {
			l += " attached"
		}
		out = append(out, l)
	}
	return out
}

// packets returns every packet of session sid.
func packets(t *testing.T, db *inspector.DB, sid string) []inspector.Packet {
	t.Helper()
	ps, err := db.Packets(context.Background(), inspector.PacketFilter{SID: sid, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot\n  %s\nwant\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestImportChrome reads a HAR in the shape Chromium's DevTools writes:
// polling bodies (one base64-encoded because of an emoji, one sniffed as
// octet-stream), an upgrade with WebSocket messages timed in seconds, a
// binary frame, a 400 on the closed sid, a page that is not Engine.IO.
func TestImportChrome(t *testing.T) {
	db := openDB(t)
	st := importFile(t, db, "chrome.har")
	if st.Entries != 8 || st.Skipped != 2 || st.Sessions != 1 || st.Packets != 15 || st.Stored != 15 {
		t.Errorf("stats = %+v, want 8 entries, 2 skipped, 1 session, 15 packets stored", st)
	}
	sameLines(t, "session AAA", packetLines(t, db, "AAA"), []string{
		`out polling 0{"sid":"AAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		`in polling 40 CONNECT:`,
		`out polling 40{"sid":"s1"} CONNECT:`,
		`in polling 451-["up",{"_placeholder":true,"num":0}] BINARY_EVENT:up`,
		`in polling bin[1 2 3] attached`,
		`out polling 42["hi","😀"] EVENT:hi`,
		`out polling 430["ok"] ACK:`,
		`in websocket 2probe`,
		`out websocket 3probe`,
		`in websocket 5`,
		`in websocket 42["ws","x"] EVENT:ws`,
		`in websocket 451-["bin",{"_placeholder":true,"num":0}] BINARY_EVENT:bin`,
		`in websocket bin[0 1 2] attached`,
		`in websocket 41 DISCONNECT:`,
		`in websocket 1`,
	})
	s, err := db.Session(context.Background(), "AAA")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1765000000, 0)
	if s.Path != "/socket.io/" || s.Client != "b_1234567890abcdef" || s.UserAgent != "Mozilla/5.0 HeadlessChrome/148" ||
		s.Transport != "polling" || s.Upgraded != "websocket" || !s.UpgradedAt.Equal(t0.Add(43*time.Millisecond)) ||
		!s.StartedAt.Equal(t0) || s.CloseReason != "transport close" ||
		!s.EndedAt.Equal(t0.Add(48*time.Millisecond)) {
		t.Errorf("session = %+v", s)
	}

	// Twice adds nothing.
	if st := importFile(t, db, "chrome.har"); st.Stored != 0 {
		t.Errorf("second import stored %d packets, want 0", st.Stored)
	}
	stats, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sessions != 1 || stats.Packets != 15 {
		t.Errorf("after two imports: %d sessions, %d packets, want 1 and 15", stats.Sessions, stats.Packets)
	}
}

// TestImportPlaywright reads Playwright's shape: WebSocket message times in
// milliseconds since the epoch, no _resourceType; a session opened on the
// WebSocket itself.
func TestImportPlaywright(t *testing.T) {
	db := openDB(t)
	st := importFile(t, db, "playwright.har")
	if st.Sessions != 1 || st.Stored != 5 || st.Skipped != 0 {
		t.Errorf("stats = %+v", st)
	}
	sameLines(t, "session BBB", packetLines(t, db, "BBB"), []string{
		`out websocket 0{"sid":"BBB","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		`in websocket 40 CONNECT:`,
		`out websocket 40{"sid":"s2"} CONNECT:`,
		`out websocket 2`,
		`in websocket 3`,
	})
	s, err := db.Session(context.Background(), "BBB")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1765000010, 0); s.Transport != "websocket" || !s.StartedAt.Equal(want) || !s.EndedAt.IsZero() {
		t.Errorf("session = %+v, want websocket from %v, open", s, want)
	}
}

// TestExportRoundTrip writes what was imported as a HAR and imports that
// into another database: the same packets, in the same order, with the
// same sessions.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	importFile(t, db, "chrome.har")
	importFile(t, db, "playwright.har")
	var buf bytes.Buffer
	n, err := har.Export(ctx, db, &buf, inspector.PacketFilter{}, har.ExportOptions{Base: "http://127.0.0.1:3000"})
	if err != nil || n != 20 {
		t.Fatalf("export: %d packets, %v; want 20", n, err)
	}
	if !har.Sniff(buf.Bytes()) {
		t.Fatalf("the export does not sniff as a HAR:\n%.200s", buf.String())
	}
	db2 := openDB(t)
	st, err := har.Import(ctx, db2, bytes.NewReader(buf.Bytes()), nil)
	if err != nil || st.Stored != 20 || st.Skipped != 0 {
		t.Fatalf("import of the export: %+v, %v", st, err)
	}
	for _, sid := range []string{"AAA", "BBB"} {
		sameLines(t, sid, packetLines(t, db2, sid), packetLines(t, db, sid))
		a, _ := db.Session(ctx, sid)
		b, _ := db2.Session(ctx, sid)
		a.ID, b.ID = 0, 0
		if *a != *b {
			t.Errorf("session %s:\n got %+v\nwant %+v", sid, *b, *a)
		}
	}
}

// TestImportErrors: what is not a HAR gets a clear error and stores
// nothing.
func TestImportErrors(t *testing.T) {
	db := openDB(t)
	for _, in := range []string{``, `{`, `[]`, `{"entries": []}`, `{"log": 3}`} {
		_, err := har.Import(context.Background(), db, strings.NewReader(in), nil)
		if err == nil || !strings.HasPrefix(err.Error(), "har: ") {
			t.Errorf("import %q: err = %v, want a har: error", in, err)
		}
	}
	st, err := har.Import(context.Background(), db, strings.NewReader(`{"log": {"entries": [{"request": {"url": "::"}}]}}`), nil)
	if err != nil || st.Skipped != 1 || st.Stored != 0 {
		t.Errorf("an entry with a bad URL: %+v, %v; want it skipped", st, err)
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{
		`{"log": {"version": "1.2"`:                 true,
		"\ufeff{\n  \"log\": {":                     true,
		`{"time":"2026-01-01T00:00:00.000000Z","se`: false,
		``:             false,
		`[{"log": 1}]`: false,
	} {
		if got := har.Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", in, got, want)
		}
	}
}
