package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// TestReplayNoWait: replay --no-wait prints what trace prints for the
// session, at once.
func TestReplayNoWait(t *testing.T) {
	db := fixtureDB(t)
	t.Setenv("DEBUG_COLORS", "")
	t.Setenv("DEBUG_HIDE_DATE", "")
	t.Setenv("DEBUG", "")
	for _, sid := range []string{pollingSID, upgradedSID} {
		out, errOut, err := runErr("replay", "--db", db, "--session", sid, "--no-wait")
		if err != nil {
			t.Fatalf("replay %s: %v\n%s", sid, err, errOut)
		}
		if want := run(t, "trace", "--db", db, "--session", sid); out != want {
			t.Errorf("replay --no-wait %s differs from trace:\n%s\nwant:\n%s", sid, out, want)
		}
		if errOut != "" {
			t.Errorf("replay --no-wait wrote to stderr: %q", errOut)
		}
	}
	golden(t, "trace.golden", run(t, "replay", "--db", db, "--session", pollingSID, "--no-wait"))
	if out := run(t, "replay", "--db", db, "--session", upgradedSID, "--no-wait", "--debug", "workbook:socket.io"); strings.Contains(out, "workbook:engine") || !strings.Contains(out, "workbook:socket.io") {
		t.Errorf("--debug workbook:socket.io:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", db}, "--session SID is required"},
		{[]string{"--db", db, "--session", "nope"}, "no session nope"},
		{[]string{"--db", db, "--session", pollingSID, "--speed", "0"}, "want a speed"},
		{[]string{"--db", db, "--session", pollingSID, "--speed", "fast"}, "want a speed"},
	} {
		_, errOut, err := runErr(append([]string{"replay"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error()+errOut, tc.want) {
			t.Errorf("replay %v: %v %q, want %q", tc.args, err, errOut, tc.want)
		}
	}
}

// expectedDelays are the waits replay asks for before the lines of session
// sid: the time from one item of its timeline to the next later one,
// divided by speed and cut to maxGap.
func expectedDelays(t *testing.T, dbPath, sid string, speed float64, maxGap time.Duration) []time.Duration {
	t.Helper()
	db, err := inspector.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tl, err := db.Timeline(context.Background(), sid, inspector.TimelineCursor{}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Next != nil {
		t.Fatal("the fixture's timeline has more than one page")
	}
	var out []time.Duration
	prev := tl.Items[0].At
	for _, it := range tl.Items[1:] {
		if d := it.At.Sub(prev); d > 0 {
			w := time.Duration(float64(d) / speed)
			if maxGap > 0 && w > maxGap {
				w = maxGap
			}
			out = append(out, w)
			prev = it.At
		}
	}
	return out
}

// TestReplayDelays: the waits follow the recorded times, divided by
// --speed and cut to --max-gap; nothing sleeps for real.
func TestReplayDelays(t *testing.T) {
	db := fixtureDB(t)
	t.Setenv("DEBUG", "")
	for _, tc := range []struct {
		speed  string
		f      float64
		maxGap time.Duration
		notes  bool
	}{
		{"1", 1, 2 * time.Second, false},
		{"4x", 4, 2 * time.Second, false},
		{"0.5", 0.5, 2 * time.Second, false},
		{"0.001", 0.001, 2 * time.Second, true}, // a thousand times slower: gaps of seconds, cut to 2s
	} {
		var got []time.Duration
		c := &ReplayCommand{sleep: func(ctx context.Context, d time.Duration) error {
			got = append(got, d)
			return nil
		}}
		var out, errOut bytes.Buffer
		if err := c.Run(context.Background(), []string{"--db", db, "--session", upgradedSID, "--speed", tc.speed, "--color", "never"}, &out, &errOut); err != nil {
			t.Fatalf("speed %s: %v", tc.speed, err)
		}
		want := expectedDelays(t, db, upgradedSID, tc.f, tc.maxGap)
		if len(want) == 0 {
			t.Fatal("no delays in the fixture")
		}
		if len(got) != len(want) {
			t.Fatalf("speed %s: %d waits %v, want %d %v", tc.speed, len(got), got, len(want), want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("speed %s: wait %d is %v, want %v", tc.speed, i, got[i], want[i])
			}
		}
		if notes := strings.Contains(errOut.String(), "shortened to 2s"); notes != tc.notes {
			t.Errorf("speed %s: notes of shortened gaps %v, want %v:\n%s", tc.speed, notes, tc.notes, errOut.String())
		}
		if !strings.HasPrefix(errOut.String(), "replay: session "+upgradedSID) {
			t.Errorf("speed %s: stderr %q", tc.speed, errOut.String())
		}
		if out.String() != run(t, "trace", "--db", db, "--session", upgradedSID, "--color", "never") {
			t.Errorf("speed %s: the lines differ from trace's", tc.speed)
		}
	}
}

// TestReplayInterrupted: a cancelled context (Ctrl-C) stops the replay
// between lines, cleanly.
func TestReplayInterrupted(t *testing.T) {
	db := fixtureDB(t)
	t.Setenv("DEBUG", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := 0
	c := &ReplayCommand{sleep: func(ctx context.Context, d time.Duration) error {
		waits++
		if waits == 3 {
			cancel()
			return ctx.Err()
		}
		return nil
	}}
	var out, errOut bytes.Buffer
	if err := c.Run(ctx, []string{"--db", db, "--session", pollingSID, "--color", "never"}, &out, &errOut); err != nil {
		t.Fatalf("interrupted replay: %v", err)
	}
	full := run(t, "trace", "--db", db, "--session", pollingSID, "--color", "never")
	if out.Len() == 0 || out.Len() >= len(full) || !strings.HasPrefix(full, out.String()) {
		t.Errorf("interrupted replay printed:\n%s\nof:\n%s", out.String(), full)
	}
	if waits != 3 || !strings.HasSuffix(errOut.String(), "replay: stopped\n") {
		t.Errorf("%d waits, stderr %q", waits, errOut.String())
	}
}
