package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLimiter: a burst at once, then one per interval, and never more
// than the burst saved up.
func TestLimiter(t *testing.T) {
	l := limiter{burst: 3, every: time.Second}
	t0 := time.Unix(1000, 0)
	for i := range 3 {
		if !l.allow(t0) {
			t.Fatalf("event %d of the burst refused", i)
		}
	}
	if l.allow(t0) || l.allow(t0.Add(999*time.Millisecond)) {
		t.Fatal("an event past the burst went through")
	}
	if !l.allow(t0.Add(1000*time.Millisecond)) || l.allow(t0.Add(1001*time.Millisecond)) {
		t.Fatal("not one event per interval")
	}
	// An hour idle saves up the burst, not 3,600 events.
	later := t0.Add(time.Hour)
	n := 0
	for l.allow(later) {
		n++
	}
	if n != 3 {
		t.Errorf("%d events after an hour idle, want 3", n)
	}
}

// TestJSONSize: jsonSize is never below what encoding/json writes.
func TestJSONSize(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted"`, `back\slash`, "<b>&amp;</b>", "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"\b\f", "ünïcödé €", "\u2028\u2029", "\xff\xfe", "a\xc3", strings.Repeat(`<"x">`, 100), "😀",
	} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonSize(s); got < len(b) {
			t.Errorf("jsonSize(%q) = %d, encoding/json writes %d", s, got, len(b))
		}
	}
}

// FuzzJSONSize checks the same on any string.
func FuzzJSONSize(f *testing.F) {
	f.Add("<\"x\">\x00\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		b, _ := json.Marshal(s)
		if got := jsonSize(s); got < len(b) {
			t.Errorf("jsonSize(%q) = %d, encoding/json writes %d", s, got, len(b))
		}
	})
}
