package sio_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/memtest"
	"github.com/sioworkbook/workbook/sio"
)

// While a handler blocks, the events that follow wait in a queue bounded
// in packets and in bytes; a client that overflows it is disconnected with
// "transport error", and the blocked handler learns it from its socket's
// context.
func TestInboundQueueBound(t *testing.T) {
	payload := `42["fill","` + strings.Repeat("x", 4000) + `"]`
	for _, tc := range []struct {
		name string
		cfg  sio.Config
	}{
		{"packets", sio.Config{MaxQueuedEvents: 10}},
		{"bytes", sio.Config{MaxQueuedBytes: 3 * int64(len(payload))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			io, srv := newServer(t, tc.cfg)
			rs := newReasons()
			io.OnConnection(func(s *sio.Socket) {
				rs.watch(s)
				s.On("block", func(e *sio.Event) {
					e.Ack()
					<-s.Context().Done()
				})
			})
			c := dialRaw(t, srv)
			id := c.connect("/", "")
			c.send(`421["block"]`)
			c.expect(`431[]`) // the handler runs, and blocks
			// Sent until the server stops reading: a write may fail once
			// it has closed the connection.
			for range 50 {
				if c.write(1, []byte(payload)) != nil {
					break
				}
			}
			c.expectClosed()
			if r := rs.wait(t, id); r != sio.ReasonTransportError {
				t.Fatalf("reason %q, want %q", r, sio.ReasonTransportError)
			}
		})
	}
}

// Acknowledgements are not queued behind handlers: a handler waiting in
// EmitWithAck gets its answer while the client's next events wait.
func TestAckReachesBlockedHandlerPastQueuedEvents(t *testing.T) {
	io, srv := newServer(t, sio.Config{MaxQueuedEvents: 5})
	seen := make(chan string, 8)
	io.OnConnection(func(s *sio.Socket) {
		s.On("ask-me", func(e *sio.Event) {
			args, err := s.EmitWithAck(s.Context(), "q")
			if err != nil {
				e.Ack("error", err.Error())
				return
			}
			e.Ack(args...)
		})
		s.On("later", func(e *sio.Event) { seen <- e.String(0) })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`421["ask-me"]`)
	q := c.expect("42")
	for _, n := range []string{"a", "b", "c", "d"} {
		c.send(`42["later","` + n + `"]`)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["q"]`)
	c.send("43" + id + `["fine"]`)
	c.expect(`431["fine"]`)
	if got := receiveN(t, seen, 4); strings.Join(got, "") != "abcd" {
		t.Fatalf("queued events handled as %v", got)
	}
}

// receiveN receives n strings from seen, failing after 10 s without one.
func receiveN(t *testing.T, seen <-chan string, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case s := <-seen:
			got = append(got, s)
		case <-time.After(10 * time.Second):
			t.Fatalf("received only %v", got)
		}
	}
	return got
}

// With one handler blocked, a client that sends 5,000 events of 4 KB (the
// issue's probe) is disconnected once the queue holds MaxQueuedBytes (8 MiB
// by default), and the server holds no more than that and its bookkeeping
// meanwhile (it held 25.6 MB, with the session open, without the bound).
func TestInboundQueueMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("memory figures are meaningless under the race detector")
	}
	io, srv := newServer(t, sio.Config{})
	release := make(chan struct{})
	releaseAll := sync.OnceFunc(func() { close(release) })
	defer releaseAll()
	rs := newReasons()
	io.OnConnection(func(s *sio.Socket) {
		rs.watch(s)
		s.On("block", func(e *sio.Event) { e.Ack(); <-release })
	})
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	c.send(`421["block"]`)
	c.expect(`431[]`)
	before := memtest.Measure()
	payload := []byte(`42["fill","` + strings.Repeat("x", 4096) + `"]`)
	sent := 0
	for ; sent < 5000; sent++ {
		if c.write(1, payload) != nil {
			break
		}
	}
	c.expectClosed()
	held := memtest.Measure().Sub(before)
	t.Logf("sent %d events of 4 KB before the close; %.1f MB held while the handler blocks", sent, float64(held.Total())/1e6)
	if held.Total() > 12<<20 {
		t.Errorf("%d bytes held, want at most 12 MiB (8 MiB of queued packets and their bookkeeping)", held.Total())
	}
	releaseAll()
	if r := rs.wait(t, id); r != sio.ReasonTransportError {
		t.Errorf("reason %q, want %q", r, sio.ReasonTransportError)
	}
}
