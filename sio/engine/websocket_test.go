package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

func openWS(t *testing.T, e *env) (*wsClient, *engine.Session) {
	t.Helper()
	ws := e.dial("EIO=4&transport=websocket")
	msg, err := ws.read()
	if err != nil {
		t.Fatal(err)
	}
	op := parseOpen(t, msg)
	return ws, e.h.sessionByID(t, op.SID)
}

func TestWebSocketEcho(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	ws, _ := openWS(t, e)
	ws.send("4hello")
	ws.mustRead("4hello")
	ws.sendBinary([]byte{1, 2, 3, 4})
	ws.mustRead("bin:\x01\x02\x03\x04")
	ws.send("4")
	ws.mustRead("4")
	for _, want := range []event{{data: "hello"}, {data: "\x01\x02\x03\x04", binary: true}, {data: ""}} {
		got := e.h.next(t)
		if got.data != want.data || got.binary != want.binary {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
}

func TestWebSocketManyMessagesInOrder(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	ws, s := openWS(t, e)
	const n = 2000
	go func() {
		for i := range n {
			s.Send(engine.Message{Data: fmt.Appendf(nil, "m%d", i)})
		}
	}()
	for i := range n {
		ws.mustRead(fmt.Sprintf("4m%d", i))
	}
}

func TestWebSocketInvalidPacket(t *testing.T) {
	for _, frame := range []string{"abc", "", "7x", "b4AQ=="} {
		e := newEnv(t, engine.Config{}, nil)
		ws, s := openWS(t, e)
		ws.send(frame)
		ws.expectClosed()
		if r := e.h.waitClose(t, s.ID()); r != engine.ReasonParseError {
			t.Errorf("%q: reason = %q", frame, r)
		}
	}
}

func TestWebSocketReadLimit(t *testing.T) {
	e := newEnv(t, engine.Config{MaxHTTPBufferSize: 100}, nil)
	ws, s := openWS(t, e)
	ws.send("4" + strings.Repeat("x", 99))
	ws.mustRead("4" + strings.Repeat("x", 99))
	ws.send("4" + strings.Repeat("x", 100))
	err := ws.expectClosed()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("close = %v, want 1009", err)
	}
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	// the server goes on
	ws2, _ := openWS(t, e)
	ws2.send("4again")
	ws2.mustRead("4again")
}

func TestWebSocketClientClose(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	ws, s := openWS(t, e)
	ws.send("1")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}

	ws, s = openWS(t, e)
	ws.c.Close() // the socket just goes away
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	eventually(t, "sessions removed", func() bool { return e.srv.Count() == 0 })
}

// A client that never reads must not stall Send or other sessions; it is
// dropped when its queue fills.
func TestWebSocketSlowClient(t *testing.T) {
	e := newEnv(t, engine.Config{MaxBufferedPackets: 64}, newTestHandler(t, false))
	_, slow := openWS(t, e)
	fast, fs := openWS(t, e)
	big := bytes.Repeat([]byte("x"), 64<<10)
	// The client never reads: a Send that waited for it would never
	// return.
	sent := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 10000 && err == nil; i++ {
			err = slow.Send(engine.Message{Data: big})
		}
		sent <- err
	}()
	var err error
	select {
	case err = <-sent:
	case <-time.After(60 * time.Second):
		t.Fatal("Send to a client that never reads blocked")
	}
	if !errors.Is(err, engine.ErrQueueFull) && !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("Send to a stuck client: %v", err)
	}
	if r := e.h.waitClose(t, slow.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	if err := slow.Send(engine.Message{Data: []byte("x")}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Send after close = %v", err)
	}
	fs.Send(engine.Message{Data: []byte("still here")})
	fast.mustRead("4still here")
}

// Many goroutines may send at once: every message arrives, each sender's in
// its order, and the idle session is writable again afterwards.
func TestWebSocketConcurrentSend(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	ws, s := openWS(t, e)
	eventually(t, "an idle writer", s.Writable)
	const senders, each = 8, 200
	for g := range senders {
		go func() {
			for i := range each {
				s.Send(engine.Message{Data: fmt.Appendf(nil, "%d:%d", g, i)})
			}
		}()
	}
	next := make([]int, senders)
	for range senders * each {
		msg, err := ws.read()
		if err != nil {
			t.Fatal(err)
		}
		var g, i int
		if _, err := fmt.Sscanf(msg, "4%d:%d", &g, &i); err != nil || i != next[g] {
			t.Fatalf("got %q, want sender %d's message %d", msg, g, next[g])
		}
		next[g]++
	}
	eventually(t, "an idle writer", s.Writable)
}

// The raw test client may be written to from two goroutines at once, as a
// client answering pings while the test sends does; gorilla allows one
// writer, so the client serialises them (the race detector checks it).
func TestRawClientConcurrentWrites(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	ws, _ := openWS(t, e)
	const each = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range each {
			ws.send("3")
		}
	}()
	for range each {
		ws.send("4x")
	}
	<-done
	for range each { // the pongs reach no handler; the messages all do
		if ev := e.h.next(t); ev.kind != "message" || ev.data != "x" {
			t.Fatalf("event %+v", ev)
		}
	}
}
