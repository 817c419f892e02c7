package engine_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// TestHeldMessagesWrittenTogether: messages that follow each other closely
// on an idle connection are held, and a flusher writes them in one write;
// the first, after a quiet spell, is written at once. They arrive in order.
func TestHeldMessagesWrittenTogether(t *testing.T) {
	engine.SetWriteNowGap(t, 200*time.Millisecond) // every message after the first is held
	e := newEnv(t, engine.Config{PingInterval: time.Hour}, newTestHandler(t, false))
	c := e.dial("EIO=4&transport=websocket")
	if open, err := c.read(); err != nil || !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	s := e.h.session(t)
	quiet(s)
	now := engine.NowWrites()
	writes, _ := engine.HeldWrites()
	for i := range 4 {
		if err := s.Send(engine.Message{Data: fmt.Appendf(nil, "m%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		c.mustRead(fmt.Sprintf("4m%d", i))
	}
	if n := engine.NowWrites() - now; n != 1 {
		t.Errorf("%d messages written at once, want the first", n)
	}
	// Another flusher write is possible (the test's messages straddled the
	// flusher's time), not one per message.
	if w, _ := engine.HeldWrites(); w-writes < 1 || w-writes > 2 {
		t.Errorf("the flushers wrote %d times for 3 held messages, want 1 (or 2)", w-writes)
	}
}

// TestHeldMessagesPartialWrite: held messages for a client that does not
// read fill its connection; the flusher writes what the socket takes, the
// session's writer the rest (or all, when the socket takes nothing), and
// the messages sent meanwhile after them.
// Once the client reads, every message arrives whole and in order, and the
// close after the last.
func TestHeldMessagesPartialWrite(t *testing.T) {
	engine.SetWriteNowGap(t, 200*time.Millisecond)
	e := newEnv(t, engine.Config{PingInterval: time.Hour}, newTestHandler(t, false))
	c := dialSmall(t, e)
	if _, data, err := c.ReadMessage(); err != nil || !strings.HasPrefix(string(data), `0{"sid"`) {
		t.Fatalf("open packet: %q %v", data, err)
	}
	s := e.h.session(t)
	quiet(s)
	_, short := engine.HeldWrites()
	const n = 200
	body := strings.Repeat("x", 20<<10)
	for i := range n {
		if err := s.Send(engine.Message{Data: fmt.Appendf(nil, "%d %s", i, body)}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	eventually(t, "a held write the socket did not take whole", func() bool {
		_, n := engine.HeldWrites()
		return n > short
	})
	s.Close(engine.ReasonForcedClose)
	readNumbered(t, c, n, body)
	if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNoStatusReceived) {
		t.Errorf("after the last message: %v, want a close frame without status (1005)", err)
	}
}

// TestHeldMessagesSessionDropped: a session dropped while it has messages
// held is skipped by its flusher, whose goroutine ends.
func TestHeldMessagesSessionDropped(t *testing.T) {
	engine.SetWriteNowGap(t, 200*time.Millisecond)
	e := newEnv(t, engine.Config{PingInterval: time.Hour}, newTestHandler(t, false))
	base := runtime.NumGoroutine()
	c := e.dial("EIO=4&transport=websocket")
	if open, err := c.read(); err != nil || !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet: %q %v", open, err)
	}
	s := e.h.session(t)
	quiet(s)
	for i := range 3 {
		s.Send(engine.Message{Data: fmt.Appendf(nil, "m%d", i)})
	}
	c.c.Close() // the reader sees it, and drops the session
	e.h.waitClose(t, s.ID())
	eventually(t, "the flusher's goroutine to end", func() bool { return runtime.NumGoroutine() <= base })
}

// quiet waits until the session's last message (the open packet) is older
// than the write-at-once gap the tests set, and its writer goroutine has
// stopped lingering: the next message is written at once, the ones right
// after it held.
func quiet(*engine.Session) { time.Sleep(250 * time.Millisecond) }
