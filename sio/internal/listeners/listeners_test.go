package listeners_test

import (
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/internal/listeners"
)

func run(s *listeners.Set[func() string], event string) string {
	var out []string
	for _, fn := range s.Take(event) {
		out = append(out, fn())
	}
	return strings.Join(out, ",")
}

func TestSet(t *testing.T) {
	var s listeners.Set[func() string]
	s.OnAny(func() string { return "any" })
	s.On("a", func() string { return "a1" }, false)
	s.On("a", func() string { return "once" }, true)
	remove := s.On("a", func() string { return "removed" }, false)
	remove()
	s.On("b", func() string { return "b" }, false)
	if got := run(&s, "a"); got != "any,a1,once" {
		t.Fatalf("first a: %q", got)
	}
	if got := run(&s, "a"); got != "any,a1" {
		t.Fatalf("second a: %q", got)
	}
	s.Off("b")
	if got := run(&s, "b"); got != "any" {
		t.Fatalf("b after Off: %q", got)
	}
	s.Off()
	if got := run(&s, "a"); got != "any" {
		t.Fatalf("a after Off(): %q", got)
	}
}

// TestAppendTakeAllocs: handlers taken into an array of the caller's stack
// cost no allocation, and come in Take's order.
func TestAppendTakeAllocs(t *testing.T) {
	var s listeners.Set[func() string]
	s.OnAny(func() string { return "any" })
	s.On("e", func() string { return "e" }, false)
	var got []string
	n := testing.AllocsPerRun(100, func() {
		var buf [4]func() string
		got = got[:0]
		for _, fn := range s.AppendTake(buf[:0], "e") {
			got = append(got, fn())
		}
	})
	if strings.Join(got, ",") != "any,e" {
		t.Errorf("handlers %v, want any,e", got)
	}
	if n > 0 && !raceEnabled {
		t.Errorf("%.0f allocations per AppendTake, want 0", n)
	}
}
