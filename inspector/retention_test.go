package inspector_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

func TestPrune_Keep(t *testing.T) {
	db := MustOpenDB(t)
	now := t0.Add(10 * 24 * time.Hour)
	db.Now = func() time.Time { return now }
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	// Old and closed; old, never closed (the process died); old but still
	// active; recent.
	recordSession(rec, "old", t0)
	rec.OpenAt(t0, "dead", "/socket.io/", "", "", "", "polling")
	rec.PacketAt(t0, "dead", engine.Out, "polling", msg(`0`))
	rec.OpenAt(t0, "active", "/socket.io/", "", "", "", "websocket")
	rec.PacketAt(now.Add(-time.Minute), "active", engine.Out, "websocket", engine.Packet{Type: engine.PacketPing})
	rec.DebugAt(t0, "socket.io:server", "", "an old line of no session")
	rec.DebugAt(t0, "engine", "unknown", `unknown sid "unknown"`)
	// Lines are pruned by chunk (a session's lines of one batch), as a
	// whole once the last is old: the recorder commits every 100 ms.
	rec.Flush(ctx)
	recordSession(rec, "recent", now.Add(-time.Hour))
	rec.DebugAt(now, "socket.io:server", "", "a new line of no session")
	rec.Flush(ctx)

	n, err := db.Prune(ctx, 7*24*time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("deleted %d sessions, want 2", n)
	}
	ss, _ := db.Sessions(ctx, inspector.SessionFilter{})
	var left []string
	for _, s := range ss {
		left = append(left, s.SID)
	}
	if got := strings.Join(left, " "); got != "recent active" {
		t.Errorf("left: %s", got)
	}
	st, _ := db.Stats(ctx)
	// The lines left: those of "recent" (2 stored, 23 derived from its
	// packets) and of "active" (2 derived from its pong).
	if st.Packets != 17+1 || st.DebugLines != 2+23+2 {
		t.Errorf("stats %+v", st)
	}
	raw := mustRawDB(t, db.Path())
	var orphans int
	raw.QueryRow(`SELECT count(*) FROM packets WHERE session_id NOT IN (SELECT id FROM sessions)`).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d packets of deleted sessions", orphans)
	}
	// The recorder goes on with the sessions left.
	rec.PacketAt(now, "active", engine.In, "websocket", engine.Packet{Type: engine.PacketPong})
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.Dropped() != 0 {
		t.Errorf("dropped %d", rec.Dropped())
	}
}

func TestPrune_MaxBytes(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	payload := strings.Repeat("x", 1000)
	for i := range 20 {
		sid := fmt.Sprintf("S%02d", i)
		start := t0.Add(time.Duration(i) * time.Minute)
		rec.OpenAt(start, sid, "/socket.io/", "", "", "", "websocket")
		for j := range 200 {
			// Each packet its own: a payload sent twice in a batch is stored once.
			rec.PacketAt(start.Add(time.Duration(j)*time.Millisecond), sid, engine.Out, "websocket",
				msg(fmt.Sprintf(`2["big","%s","%s",%d]`, payload, sid, j)))
		}
		rec.CloseAt(start.Add(time.Second), sid, "transport close")
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Stats(ctx)
	limit := before.FileBytes / 3
	n, err := db.Prune(ctx, 0, limit)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := db.Stats(ctx)
	t.Logf("file %d -> %d bytes (limit %d), %d sessions deleted", before.FileBytes, after.FileBytes, limit, n)
	if after.FileBytes > limit || n == 0 {
		t.Errorf("file %d bytes, limit %d", after.FileBytes, limit)
	}
	if n > 16 {
		t.Errorf("deleted %d sessions of 20 to get to a third", n)
	}
	// The oldest went first.
	ss, _ := db.Sessions(ctx, inspector.SessionFilter{Limit: -1})
	if len(ss) == 0 || ss[0].SID != "S19" || ss[len(ss)-1].SID != fmt.Sprintf("S%02d", n) {
		t.Errorf("left %d sessions, oldest %s", len(ss), ss[len(ss)-1].SID)
	}
	// Under the limit: nothing to do.
	if n, err := db.Prune(ctx, 0, limit); err != nil || n != 0 {
		t.Errorf("second prune: %d, %v", n, err)
	}
}

func TestStartRetention(t *testing.T) {
	db := MustOpenDB(t)
	db.Logger = slog.New(slog.DiscardHandler)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	recordSession(rec, "old", t0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec.Flush(ctx)
	db.StartRetention(ctx, 10*time.Millisecond, time.Hour, 0)
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := db.Stats(ctx)
		if st.Sessions == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("retention did not prune")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestParseKeep(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour,
		"90m": 90 * time.Minute, "1d12h": 36 * time.Hour, "1.5d": 36 * time.Hour, " 30s ": 30 * time.Second,
	} {
		got, err := inspector.ParseKeep(in)
		if err != nil || got != want {
			t.Errorf("ParseKeep(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"7", "d", "7days", "-1d", "1y", "x7d"} {
		if _, err := inspector.ParseKeep(in); err == nil {
			t.Errorf("ParseKeep(%q): no error", in)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "0": 0, "1GB": 1e9, "1gb": 1e9, "500MB": 500e6, "1.5GiB": 3 << 29, "800M": 800 << 20,
		"1024": 1024, "10 KB": 10e3, "2T": 2 << 40, "7B": 7,
	} {
		got, err := inspector.ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"GB", "1XB", "-1GB", "1e3GB", "lots"} {
		if _, err := inspector.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

// TestPrune_SharedPayload: a broadcast is stored once for the sessions it
// went to; pruning one of them leaves the others' packets whole, and the
// payload goes once the last of them does.
func TestPrune_SharedPayload(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	old, recent := t0, t0.Add(time.Hour)
	for _, s := range []struct {
		sid string
		end time.Time
	}{{"gone", old}, {"kept", recent}} {
		rec.OpenAt(old, s.sid, "/socket.io/", "", "", "", "websocket")
		rec.PacketAt(old, s.sid, engine.Out, "websocket", msg(`2["bcast","shared"]`))
		rec.CloseAt(s.end, s.sid, "transport close")
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return recent.Add(time.Minute) }
	if n, err := db.Prune(ctx, 30*time.Minute, 0); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	ps, err := db.Packets(ctx, inspector.PacketFilter{SID: "kept"})
	if err != nil || len(ps) != 1 || string(ps[0].Raw) != `42["bcast","shared"]` {
		t.Fatalf("kept: %+v, %v", ps, err)
	}
	db.Now = func() time.Time { return recent.Add(2 * time.Hour) }
	if n, err := db.Prune(ctx, 30*time.Minute, 0); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	var payloads int
	if err := mustRawDB(t, db.Path()).QueryRow(`SELECT count(*) FROM payloads`).Scan(&payloads); err != nil || payloads != 0 {
		t.Errorf("%d payloads left, %v", payloads, err)
	}
}
