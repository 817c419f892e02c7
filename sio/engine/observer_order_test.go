package engine_test

import (
	"fmt"
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
	for _, mode := range []struct {
		name string
		gap  time.Duration
	}{
		{"by the writer goroutine", time.Hour}, // never at once
		{"at once by Send", 0},                 // whenever the writer is idle
	} {
		t.Run(mode.name, func(t *testing.T) {
			engine.SetWriteNowGap(t, mode.gap)
			testObserverOutBeforeReply(t, mode.gap == 0)
		})
	}
}

func testObserverOutBeforeReply(t *testing.T, atOnce bool) {
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
	if atOnce {
		// Send writes at once only when the writer goroutine is not
		// lingering after the open packet: once a message went out at
		// once, the writer is idle, and the next one goes at once too.
		deadline := time.Now().Add(30 * time.Second)
		for {
			before := engine.NowWrites()
			if err := s.Send(engine.Message{Data: []byte("warm")}); err != nil {
				t.Fatal(err)
			}
			ws.mustRead("4warm")
			if engine.NowWrites() > before {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no message was written at once by Send")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Sent from a goroutine of its own, as a handler's goroutine sends:
	// the session's writer writes it, or Send itself (whose hook then
	// waits in that goroutine), while the session's reader reads the reply.
	before := engine.NowWrites()
	sent := make(chan error, 1)
	go func() { sent <- s.Send(engine.Message{Data: []byte("ask")}) }()
	ws.mustRead("4ask")
	ws.send("4reply")
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if atOnce && engine.NowWrites() == before {
		t.Fatal(`"ask" was not written at once by Send`)
	}
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

// TestQueuedGoesToTheWriter: a message marked Queued is handed to the
// session's writer goroutine even where Send could write it at once, and
// an unmarked one that follows is still written at once.
func TestQueuedGoesToTheWriter(t *testing.T) {
	atOnce := idleWriterSession(t)
	if atOnce("queued", engine.Message{Data: []byte("queued")}.Queued()) {
		t.Error("a Queued message was written at once by Send")
	}
	// the writer that took "queued" ends after lingering; then a plain
	// message is written at once again
	deadline := time.Now().Add(30 * time.Second)
	for !atOnce("plain", engine.Message{Data: []byte("plain")}) {
		if time.Now().After(deadline) {
			t.Fatal("no plain message was written at once after a Queued one")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// idleWriterSession opens a WebSocket session that writes at once whenever
// its writer is idle, and waits until a message was written so (the writer
// that wrote the open packet has ended), as testObserverOutBeforeReply
// does. atOnce sends m, whose data is data, reads it on the client, and
// reports whether Send wrote it at once.
func idleWriterSession(t *testing.T) (atOnce func(data string, m engine.Message) bool) {
	t.Helper()
	engine.SetWriteNowGap(t, 0)
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	ws := e.dial("EIO=4&transport=websocket")
	if open, err := ws.read(); err != nil || !strings.HasPrefix(open, "0") {
		t.Fatalf("open = %q, %v", open, err)
	}
	s := e.h.session(t)
	atOnce = func(data string, m engine.Message) bool {
		before := engine.NowWrites()
		if err := s.Send(m); err != nil {
			t.Fatal(err)
		}
		ws.mustRead("4" + data)
		return engine.NowWrites() > before
	}
	deadline := time.Now().Add(30 * time.Second)
	for !atOnce("warm", engine.Message{Data: []byte("warm")}) {
		if time.Now().After(deadline) {
			t.Fatal("no message was written at once by Send")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return atOnce
}

// TestReplyIsWrittenAtOnce: the first message the server sends after one
// from the client (an ack, most often) is written at once by Send, however
// soon after the previous one: the client waits for it, so no batch would
// form for the writer goroutine. Echo with acks sent 7 acks in 10 through
// the writer before.
func TestReplyIsWrittenAtOnce(t *testing.T) {
	engine.SetWriteNowGap(t, time.Hour) // any message after the first follows it closely
	e := newEnv(t, engine.Config{}, newTestHandler(t, true))
	ws := e.dial("EIO=4&transport=websocket")
	if open, err := ws.read(); err != nil || !strings.HasPrefix(open, "0") {
		t.Fatalf("open = %q, %v", open, err)
	}
	s := e.h.session(t)
	if err := s.Send(engine.Message{Data: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	ws.mustRead("4first")
	// The writer that wrote "first" may not have seen its queue empty yet
	// when the reply comes: it then takes the reply too. Once it has, every
	// reply finds it idle.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		before := engine.NowWrites()
		msg := fmt.Sprint("reply ", i)
		ws.send("4" + msg) // echoed by the handler
		ws.mustRead("4" + msg)
		if engine.NowWrites() > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no reply was written at once by Send")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// one not answering the client follows the rule of the gap
	before := engine.NowWrites()
	if err := s.Send(engine.Message{Data: []byte("more")}); err != nil {
		t.Fatal(err)
	}
	ws.mustRead("4more")
	if engine.NowWrites() != before {
		t.Error("a message that replies to nothing was written at once within the gap")
	}
}
