package engine_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

func TestClientClosePolling(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.session(t)
	get := p.pendingGet(t, s)
	p.mustPost("1")
	if body := recv(t, get); body != "6" {
		t.Errorf("pending GET = %q, want noop", body)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	select {
	case <-s.Done():
	case <-time.After(time.Second):
		t.Error("Done not closed")
	}
	status, body := p.get()
	checkError(t, status, body, 400, 1, "Session ID unknown")
}

// Messages before a close packet in the same payload are delivered; those
// after it are not.
func TestClientCloseInBatch(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	p := e.handshake()
	p.mustPost("4a\x1e1\x1e4b")
	if ev := e.h.next(t); ev.kind != "message" || ev.data != "a" {
		t.Errorf("event = %+v", ev)
	}
	if ev := e.h.next(t); ev.kind != "close" {
		t.Errorf("event = %+v", ev)
	}
}

func TestServerClosePollingFlushes(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	s.Send(engine.Message{Data: []byte("last")}, engine.Message{Data: []byte{7}, Binary: true})
	s.Close("bye")
	if err := s.Send(engine.Message{Data: []byte("too late")}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Send while closing = %v", err)
	}
	// The messages first, the close in the next answer, as the official
	// server sends them (see TestServerClosePollingNextGet).
	p.mustGet("4last\x1ebBw==")
	p.mustGet("6\x1e1")
	if r := e.h.waitClose(t, p.sid); r != "bye" {
		t.Errorf("reason = %q", r)
	}
	status, _ := p.get()
	if status != 400 {
		t.Errorf("GET after close = %d", status)
	}
}

func TestServerClosePollingPendingGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.session(t)
	get := p.pendingGet(t, s)
	s.Close(engine.ReasonForcedClose)
	if body := recv(t, get); body != "1" {
		t.Errorf("pending GET = %q", body)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonForcedClose {
		t.Errorf("reason = %q", r)
	}
}

// A session closed with nothing queued and no GET waiting answers the next
// GET with a noop and the close packet, "6\x1e1", as the official server
// does (a GET that was waiting at the close gets "1" alone).
func TestServerClosePollingNextGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.sessionByID(t, p.sid)
	s.Close("bye")
	p.mustGet("6\x1e1")
	if r := e.h.waitClose(t, p.sid); r != "bye" {
		t.Errorf("reason = %q", r)
	}
}

func TestServerCloseWebSocketFlushes(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	ws, s := openWS(t, e)
	for _, m := range []string{"a", "b", "c"} {
		s.Send(engine.Message{Data: []byte(m)})
	}
	s.Close("bye")
	ws.mustRead("4a")
	ws.mustRead("4b")
	ws.mustRead("4c")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != "bye" {
		t.Errorf("reason = %q", r)
	}
}

func TestCloseFromInsideMessage(t *testing.T) {
	h := newTestHandler(t, false)
	h.onMessage = func(s *engine.Session, data []byte, binary bool) {
		s.Send(engine.Message{Data: append([]byte("re:"), data...)})
		s.Close("handler said so")
		s.Close("twice") // no effect
	}
	e := newEnv(t, engine.Config{}, h)
	// polling: the answer, then the close packet in the next answer
	p := e.handshake()
	p.mustPost("4x\x1e4y")
	p.mustGet("4re:x")
	p.mustGet("6\x1e1")
	var evs []event
	for range 2 {
		evs = append(evs, h.next(t))
	}
	if evs[0].kind != "message" || evs[1].kind != "close" || evs[1].reason != "handler said so" {
		t.Errorf("events = %+v", evs)
	}
	// websocket
	ws, s := openWS(t, e)
	ws.send("4z")
	ws.mustRead("4re:z")
	ws.expectClosed()
	if r := h.waitClose(t, s.ID()); r != "handler said so" {
		t.Errorf("reason = %q", r)
	}
}

func TestCloseFromInsideOpen(t *testing.T) {
	h := newTestHandler(t, false)
	h.onOpen = func(s *engine.Session) {
		s.Send(engine.Message{Data: []byte("hi")})
		s.Close("not today")
	}
	e := newEnv(t, engine.Config{}, h)
	status, body, _ := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	if status != 200 {
		t.Fatal(status)
	}
	// the open packet and the message in the handshake answer, the close
	// in the next one
	if !strings.HasSuffix(body, "\x1e4hi") {
		t.Errorf("handshake = %q", body)
	}
	var hs struct{ SID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(strings.Split(body, "\x1e")[0], "0")), &hs); err != nil {
		t.Fatalf("handshake %q: %v", body, err)
	}
	if status, body, _ := e.do("GET", e.url("EIO=4&transport=polling&sid="+hs.SID), "", nil); status != 200 || body != "6\x1e1" {
		t.Errorf("GET after the handshake = %d %q, want 200 \"6\\x1e1\"", status, body)
	}
	if ev := h.next(t); ev.kind != "close" || ev.reason != "not today" {
		t.Errorf("event = %+v", ev)
	}
}

func TestServerClose(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	ps := e.h.session(t)
	get := p.pendingGet(t, ps)
	ws, ws1 := openWS(t, e)
	if n := e.srv.Count(); n != 2 {
		t.Errorf("Count = %d", n)
	}
	e.srv.Close()
	if body := recv(t, get); body != "1" {
		t.Errorf("pending GET = %q", body)
	}
	ws.expectClosed()
	reasons := map[string]engine.Reason{}
	for len(reasons) < 2 {
		if ev := e.h.next(t); ev.kind == "close" {
			reasons[ev.sid] = ev.reason
		}
	}
	for _, sid := range []string{p.sid, ws1.ID()} {
		if r := reasons[sid]; r != engine.ReasonForcedClose {
			t.Errorf("reason = %q", r)
		}
	}
	if n := e.srv.Count(); n != 0 {
		t.Errorf("Count after Close = %d", n)
	}
	status, body := p.get()
	checkError(t, status, body, 400, 1, "Session ID unknown")
	status, body, _ = e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	checkError(t, status, body, 400, 1, "Session ID unknown")
}

func TestQueueFull(t *testing.T) {
	e := newEnv(t, engine.Config{MaxBufferedPackets: 3}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	if err := s.Send(engine.Message{Data: []byte("1")}, engine.Message{Data: []byte("2")}); err != nil {
		t.Fatal(err)
	}
	// all or nothing: two more do not fit
	if err := s.Send(engine.Message{Data: []byte("3")}, engine.Message{Data: []byte("4")}); !errors.Is(err, engine.ErrQueueFull) {
		t.Errorf("Send = %v, want ErrQueueFull", err)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
}

func TestPanicInMessage(t *testing.T) {
	h := newTestHandler(t, false)
	h.onMessage = func(s *engine.Session, data []byte, binary bool) {
		if string(data) == "boom" {
			panic("boom")
		}
	}
	e := newEnv(t, engine.Config{Logger: slog.New(slog.DiscardHandler)}, h)
	ws, s := openWS(t, e)
	ws.send("4boom")
	ws.expectClosed()
	if r := h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	// the server goes on
	ws2, _ := openWS(t, e)
	ws2.send("4fine")
	if ev := h.next(t); ev.data != "boom" && ev.data != "fine" {
		t.Errorf("event = %+v", ev)
	}
}

// A GET that reaches the server just after the client's close packet (the
// two travel on different connections) still gets its noop.
func TestClientClosePollingRacingGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	p.mustPost("1")
	p.mustGet("6")
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	status, body := p.get()
	checkError(t, status, body, 400, 1, "Session ID unknown")

	// with no GET at all, the session ends shortly
	p = e.handshake()
	s := e.h.sessionByID(t, p.sid)
	p.mustPost("1")
	if err := s.Send(engine.Message{Data: []byte("x")}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Send after the client's close = %v", err)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
}

// blockingClose is a handler whose sessions' Close waits for release.
type blockingClose struct {
	entered  chan struct{}
	release  chan struct{}
	returned atomic.Bool
}

func (h *blockingClose) Open(*engine.Session) engine.SessionHandler { return h }
func (h *blockingClose) Message([]byte, bool)                       {}
func (h *blockingClose) Close(engine.Reason) {
	close(h.entered)
	<-h.release
	h.returned.Store(true)
}

// TestCloseWaitsForClosesInProgress: a session that another goroutine is
// closing when Server.Close runs (its client just left) has been closed to
// the end, its handler's Close returned, when Server.Close returns, so
// that an observer closed next misses nothing of it.
func TestCloseWaitsForClosesInProgress(t *testing.T) {
	h := &blockingClose{entered: make(chan struct{}), release: make(chan struct{})}
	srv := engine.NewServer(engine.Config{}, h)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, open, err := c.ReadMessage(); err != nil || open[0] != '0' {
		t.Fatalf("open %q, %v", open, err)
	}
	c.Close() // the reader closes the session, and the handler's Close waits
	<-h.entered
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Server.Close returned while a session's close was in progress")
	case <-time.After(100 * time.Millisecond):
	}
	close(h.release)
	<-closed
	if !h.returned.Load() {
		t.Error("Server.Close returned before the handler's Close")
	}
}
