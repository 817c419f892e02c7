package jsserver_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/jsserver"
)

// An interval whose tick found the loop's queue full ticks on afterwards:
// a busy moment loses ticks, not the interval. While "busy" spins, the
// first timeouts fill the loop's queue of two, and the interval's tick
// finds it full; then the two places are enough for the interval's one
// tick and the client's event.
func TestIntervalOutlivesAFullQueue(t *testing.T) {
	_, _, url := serve(t, `let ticks = 0;
setInterval(() => { ticks++; }, 10);
io.on("connection", (socket) => {
  socket.on("ticks", (callback) => callback(ticks));
  socket.on("busy", (callback) => {
    for (let i = 1; i <= 20; i++) setTimeout(() => {}, i);
    const end = Date.now() + 200;
    while (Date.now() < end) {}
    callback();
  });
});
`, jsserver.Limits{Queue: 2})
	s := dial(t, url, nil)
	ask(t, s, "busy")
	before, _ := ask(t, s, "ticks").(float64)
	deadline := time.Now().Add(10 * time.Second)
	for {
		now, _ := ask(t, s, "ticks").(float64)
		if now > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interval stopped at %v ticks", now)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
