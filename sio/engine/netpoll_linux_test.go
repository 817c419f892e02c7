package engine_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Bytes that arrive as the poller's reader finds its connection empty,
// before it gives the connection back, are read by that reader: the
// poller, which is told of them once (edge-triggered), tells the reader
// rather than starting another. Without that, the message would wait for
// the client's next one.
func TestNetpollNewsAsReaderLeaves(t *testing.T) {
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	rc := dialRaw(t, e, "EIO=4&transport=websocket")
	s := h.session(t)
	eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })

	var once sync.Once
	seen := make(chan bool, 1)
	engine.OnReaderDone(t, func(news func() bool) {
		once.Do(func() {
			// the first message has been read: the second comes now
			if _, err := rc.c.Write(text("4second")); err != nil {
				seen <- false
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for !news() && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			seen <- news()
		})
	})
	rc.write(text("4first"))
	if !<-seen {
		t.Fatal("the poller never saw the second message arrive")
	}
	for _, want := range []string{"4first", "4second"} {
		if f := rc.nextData(); string(f.Payload) != want {
			t.Fatalf("echo %q, want %q", f.Payload, want)
		}
	}
}

// A message whose bytes come in several pieces, with pauses between them,
// is read whole: inside a message the reader waits for the rest, and only
// between messages does it give the connection back. Many messages in one
// write are all read, in order.
func TestNetpollMessageInPieces(t *testing.T) {
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	rc := dialRaw(t, e, "EIO=4&transport=websocket")
	s := h.session(t)
	eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })

	long := "4" + strings.Repeat("x", 10000) // past the reader's 4 KB buffer
	b := text(long)
	for _, cut := range []int{1, 2, 6, 3000, len(b) - 1} {
		rc.write(b[:cut])
		time.Sleep(10 * time.Millisecond) // the reader would give up by now between messages
		rc.write(b[cut:])
		if f := rc.nextData(); string(f.Payload) != long {
			t.Fatalf("cut at %d: echo of %d bytes, want %d", cut, len(f.Payload), len(long))
		}
	}

	var all []byte
	for i := range 200 {
		all = append(all, text(fmt.Sprintf("4m%d", i))...)
	}
	rc.write(all)
	for i := range 200 {
		if f, want := rc.nextData(), fmt.Sprintf("4m%d", i); string(f.Payload) != want {
			t.Fatalf("echo %q, want %q", f.Payload, want)
		}
	}
}

// A client that sends its last message and closes its end at once is seen
// to leave: the end of the stream takes a read of its own, even when its
// event came merged with the message's, and a read that returned the
// message, and less than it had room for, does not end the reader then.
func TestNetpollMessageThenEnd(t *testing.T) {
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	for i := range 30 {
		rc := dialRaw(t, e, "EIO=4&transport=websocket")
		s := h.session(t)
		eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })
		msg := text(fmt.Sprintf("4last%d", i))
		if _, err := rc.c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if err := rc.c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		if r := h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
			t.Fatalf("round %d: reason %q", i, r)
		}
		rc.c.Close()
	}
}
