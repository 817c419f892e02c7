package engine_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// TestObserverOutBeforeReply: the observer hears of a packet the server
// sends before the client can answer it, so that a recorder keeps a
// conversation in its order. The hook of the message "ask" waits (up to a
// second) for the client's "reply": while the hook ran after the write,
// the reply was observed first.
func TestObserverOutBeforeReply(t *testing.T) {
	rec := &recorder{}
	replied := make(chan struct{})
	var once sync.Once
	obs := rec.observer()
	obs.Packet = func(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
		switch {
		case dir == engine.In && string(p.Data) == "reply":
			once.Do(func() { close(replied) })
		case dir == engine.Out && string(p.Data) == "ask":
			select {
			case <-replied:
			case <-time.After(time.Second): // nothing to wait for once the hook runs first
			}
		}
		rec.Packet(s, dir, transport, p)
	}
	e := newEnv(t, engine.Config{Observer: obs}, newTestHandler(t, false))
	ws := e.dial("EIO=4&transport=websocket")
	if open, err := ws.read(); err != nil || !strings.HasPrefix(open, "0") {
		t.Fatalf("open = %q, %v", open, err)
	}
	s := e.h.session(t)
	// Sent from this goroutine, as a handler's goroutine sends: the
	// session's writer writes it, while its reader reads the reply.
	if err := s.Send(engine.Message{Data: []byte("ask")}); err != nil {
		t.Fatal(err)
	}
	ws.mustRead("4ask")
	ws.send("4reply")
	ws.send("1")
	ws.expectClosed()

	_, _, _, packets, _ := rec.snapshot()
	var got []string
	for _, p := range packets {
		if strings.HasSuffix(p, " ask") || strings.HasSuffix(p, " reply") {
			got = append(got, strings.SplitN(p, " ", 2)[1])
		}
	}
	want := []string{"out websocket message ask", "in websocket message reply"}
	if !slices.Equal(got, want) {
		t.Errorf("observed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
