package engine

import (
	"net"
	"time"
)

// SetWriteNowGap sets how long after its previous Send a message may be
// written at once, until the test ends.
func SetWriteNowGap(t interface{ Cleanup(func()) }, d time.Duration) {
	old := writeNowGap
	writeNowGap = int64(d)
	t.Cleanup(func() { writeNowGap = old })
}

// PartialWrites returns how many frames were written at once in part.
func PartialWrites() int64 { return partialWrites.Load() }

// ToValidUTF8 is how a polling body's text is read, for the tests.
var ToValidUTF8 = toValidUTF8

// PollIdle reports whether s's WebSocket waits in the server's poller, with
// no goroutine reading it (always false where there is no poller).
func PollIdle(s *Session) bool { return s.pollIdle() }

// NowWrites returns how many frames were written whole at once by Send.
func NowWrites() int64 { return nowWrites.Load() }

// HeldWrites returns how many writes the flushers made, and how many of
// them the socket took in part or not at all.
func HeldWrites() (writes, short int64) { return heldWrites.Load(), heldShort.Load() }

// NewRawRead returns a read through the engine's own socket reader, for
// tests: ok is false when c is left to its Read.
func NewRawRead() func(c net.Conn, b []byte) (n int, err error, ok bool) {
	var r rawReader
	return func(c net.Conn, b []byte) (int, error, bool) {
		if r.conn != c {
			r.use(c)
		}
		return r.read(b)
	}
}
