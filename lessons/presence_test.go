package lessons

import (
	"fmt"
	"testing"
	"time"
)

// TestPresenceBounded: made-up browser ids cannot grow the Site's memory
// of who was active: past maxPresence, the one seen longest ago goes.
func TestPresenceBounded(t *testing.T) {
	p := newPresence(nil)
	now := time.Unix(1000, 0)
	p.now = func() time.Time { now = now.Add(time.Millisecond); return now }
	for i := range maxPresence + 50 {
		p.seen(fmt.Sprintf("b%d", i), "hello/connect")
	}
	got := p.snapshot()
	if len(got) != maxPresence {
		t.Fatalf("%d browsers remembered, want %d", len(got), maxPresence)
	}
	if _, ok := got["b0"]; ok {
		t.Error("the oldest browser is still remembered")
	}
	if _, ok := got[fmt.Sprintf("b%d", maxPresence+49)]; !ok {
		t.Error("the newest browser is forgotten")
	}
}
