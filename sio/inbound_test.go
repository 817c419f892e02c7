package sio_test

import (
	"strings"
	"testing"
	"time"

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
	var got []string
	for len(got) < 4 {
		select {
		case s := <-seen:
			got = append(got, s)
		case <-time.After(10 * time.Second):
			t.Fatalf("queued events handled: %v", got)
		}
	}
	if strings.Join(got, "") != "abcd" {
		t.Fatalf("queued events handled as %v", got)
	}
}
