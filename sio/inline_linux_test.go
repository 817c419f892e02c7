package sio_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// onReader reports whether the caller runs on a reader of the engine's
// poller, rather than on a goroutine of the connection's mailbox.
func onReader() bool {
	buf := make([]byte, 64<<10)
	return strings.Contains(string(buf[:runtime.Stack(buf, false)]), "engine.(*Session).readPolled")
}

// On Linux a WebSocket's event that comes alone is handled on the
// goroutine that read it, with no hand-off. A handler there that waits for
// its own client's acknowledgement gets it (the connection goes to a new
// reader meanwhile), and the events the client sends while it waits are
// handled after it, in order.
func TestInlineHandlerWaitsForItsClient(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	where := make(chan bool, 1)
	seen := make(chan string, 8)
	io.OnConnection(func(s *sio.Socket) {
		s.On("ask-me", func(e *sio.Event) {
			where <- onReader()
			args, err := s.Timeout(10*time.Second).EmitWithAck(s.Context(), "q")
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
	if !<-where {
		t.Error("the event's handler ran on a mailbox goroutine, not on the reader")
	}
	q := c.expect("42")
	for _, n := range []string{"a", "b", "c"} {
		c.send(`42["later","` + n + `"]`)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["q"]`)
	c.send("43" + id + `["fine"]`)
	c.expect(`431["fine"]`)
	if got := receiveN(t, seen, 3); strings.Join(got, "") != "abc" {
		t.Fatalf("events handled as %v", got)
	}
	// and the connection is read as before
	c.send(`422["ask-me"]`)
	<-where
	q = c.expect("42")
	id = strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["q"]`)
	c.send("43" + id + `["again"]`)
	c.expect(`432["again"]`)
}
