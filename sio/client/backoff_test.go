package client_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
)

// The reconnection delays follow the official client's backo2:
// min(base·2^attempt ± r·factor·that, max), where r also picks the sign.
func TestBackoff(t *testing.T) {
	const s = time.Second
	for _, c := range []struct {
		attempt  int
		factor   float64
		r        float64
		want     time.Duration
		whatWant string
	}{
		{0, 0, 0.9, 1 * s, "no jitter"},
		{1, 0, 0.9, 2 * s, "doubles"},
		{2, 0, 0.9, 4 * s, "doubles again"},
		{3, 0, 0.9, 5 * s, "capped at the max"},
		{100, 0, 0.9, 5 * s, "no overflow"},
		{0, 0.5, 0.0, 1 * s, "r=0: no deviation"},
		{0, 0.5, 0.05, 975 * time.Millisecond, "floor(r*10) even: minus r·factor·delay"},
		{0, 0.5, 0.15, 1075 * time.Millisecond, "floor(r*10) odd: plus"},
		{1, 0.5, 0.99, 2990 * time.Millisecond, "plus, attempt 1"},
		{2, 0.5, 0.99, 5 * s, "plus, capped"},
	} {
		if got := client.Backoff(c.attempt, s, 5*s, c.factor, c.r); got != c.want {
			t.Errorf("%s: Backoff(%d, factor %v, r %v) = %v, want %v", c.whatWant, c.attempt, c.factor, c.r, got, c.want)
		}
	}
}
