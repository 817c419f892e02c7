package inspector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// TestExportDebugLines exports two sessions with their debug lines, merged
// with the packets by time, imports them into another database (twice: the
// second adds nothing) and exports them again the same.
func TestExportDebugLines(t *testing.T) {
	src := MustOpenDB(t)
	rec := MustRecorder(t, src, inspector.RecorderOptions{})
	rec.DebugAt(t0, "socket.io:server", "", "initializing namespace /") // of no session: not exported
	recordSession(rec, "A", t0)
	rec.DebugAt(t0.Add(20*time.Millisecond), "engine:ws", "A", `write error: <img src=x onerror=alert(1)>`)
	recordSession(rec, "B", t0.Add(time.Minute))
	ctx := context.Background()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	opts := inspector.ExportOptions{DebugLines: true}
	var buf bytes.Buffer
	n, err := src.ExportWith(ctx, &buf, inspector.PacketFilter{}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// 17 packets a session, 5 lines stored, and 23 lines a session derived
	// from its packets.
	if n != 2*17+5+2*23 || len(lines) != int(n) {
		t.Fatalf("%d lines written, %d in the output", n, len(lines))
	}
	var debug []string
	last := ""
	for i, l := range lines {
		var m struct {
			Time    string `json:"time"`
			Session string `json:"session"`
			Debug   *struct{ Namespace, Message string }
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		if m.Time < last {
			t.Fatalf("line %d goes back in time: %s", i, l)
		}
		last = m.Time
		if m.Debug != nil && !inspector.DerivableText(m.Debug.Namespace, m.Debug.Message) {
			debug = append(debug, m.Session+" "+m.Debug.Namespace+" "+m.Debug.Message)
		}
	}
	want := []string{`A engine handshaking client "A"`, "A socket.io:socket closing socket - reason client namespace disconnect",
		`A engine:ws write error: <img src=x onerror=alert(1)>`,
		`B engine handshaking client "B"`, "B socket.io:socket closing socket - reason client namespace disconnect"}
	if strings.Join(debug, "\n") != strings.Join(want, "\n") {
		t.Fatalf("debug lines:\n%s\nwant:\n%s", strings.Join(debug, "\n"), strings.Join(want, "\n"))
	}
	// On a tie, the packet comes first: the open packet, then the line.
	if !strings.Contains(lines[0], `"eio_type":"open"`) || !strings.Contains(lines[1], "handshaking") {
		t.Errorf("first lines:\n%s\n%s", lines[0], lines[1])
	}

	dst := MustOpenDB(t)
	for range 2 {
		if _, err := dst.Import(ctx, strings.NewReader(buf.String()), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := dst.DebugLines(ctx, inspector.PacketFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5+2*23 {
		t.Fatalf("%d lines after two imports, want 5 stored and 46 derived", len(got))
	}
	var again bytes.Buffer
	if _, err := dst.ExportWith(ctx, &again, inspector.PacketFilter{}, opts, nil); err != nil {
		t.Fatal(err)
	}
	if stripIDs(t, again.String()) != stripIDs(t, buf.String()) {
		t.Errorf("export of the import differs:\n%s\n%s", again.String(), buf.String())
	}

	// One session, by its filter.
	var one bytes.Buffer
	if n, err := src.ExportWith(ctx, &one, inspector.PacketFilter{SID: "B"}, opts, nil); err != nil || n != 17+2+23 {
		t.Errorf("session B: %d lines, %v", n, err)
	}
	// Filters that select packets only do not go with debug lines.
	if _, err := src.ExportWith(ctx, &one, inspector.PacketFilter{Event: "chat"}, opts, nil); err == nil {
		t.Error("an event filter with debug lines was accepted")
	}
}
