package engine_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

func TestPollingEcho(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	e.h.session(t)

	p.mustPost("4hello")
	p.mustGet("4hello")

	p.mustPost("4test1\x1e4test2\x1e4test3")
	p.mustGet("4test1\x1e4test2\x1e4test3")

	// binary comes back padded whatever the client sent
	p.mustPost("4hello\x1ebAQIDBA==\x1ebAQIDBA")
	p.mustGet("4hello\x1ebAQIDBA==\x1ebAQIDBA==")

	for _, want := range []event{
		{kind: "message", data: "hello"},
		{kind: "message", data: "test1"}, {kind: "message", data: "test2"}, {kind: "message", data: "test3"},
		{kind: "message", data: "hello"},
		{kind: "message", data: "\x01\x02\x03\x04", binary: true},
		{kind: "message", data: "\x01\x02\x03\x04", binary: true},
	} {
		got := e.h.next(t)
		if got.kind != want.kind || got.data != want.data || got.binary != want.binary {
			t.Errorf("event = %+v, want %+v", got, want)
		}
	}
}

func TestPollingGetWaitsAndTakesEverything(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	done := make(chan string)
	go func() {
		_, body := p.get()
		done <- body
	}()
	select {
	case body := <-done:
		t.Fatalf("GET returned %q with nothing queued", body)
	case <-time.After(50 * time.Millisecond):
	}
	eventually(t, "a pending GET", s.Writable)
	if err := s.Send(engine.Message{Data: []byte("a")}, engine.Message{Data: []byte{0xff}, Binary: true}); err != nil {
		t.Fatal(err)
	}
	if body := <-done; body != "4a\x1eb/w==" {
		t.Errorf("GET = %q", body)
	}
	// queued while no GET waits: all of it in the next one
	for i := range 5 {
		s.Send(engine.Message{Data: []byte{'0' + byte(i)}})
	}
	p.mustGet("40\x1e41\x1e42\x1e43\x1e44")
}

func TestPollingDuplicateGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.session(t)
	first := make(chan string)
	go func() {
		status, body := p.get()
		if status != 200 {
			t.Errorf("first GET status %d", status)
		}
		first <- body
	}()
	eventually(t, "a pending GET", s.Writable)
	status, _ := p.get()
	if status != 400 {
		t.Errorf("second GET = %d, want 400", status)
	}
	if body := <-first; body != "1" {
		t.Errorf("first GET = %q, want close packet", body)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	status, body := p.get()
	checkError(t, status, body, 400, 1, "Session ID unknown")
}

func TestPollingConcurrentPost(t *testing.T) {
	h := newTestHandler(t, false)
	entered := make(chan struct{})
	release := make(chan struct{})
	h.onMessage = func(s *engine.Session, data []byte, binary bool) {
		if string(data) == "slow" {
			close(entered)
			<-release
		}
	}
	e := newEnv(t, engine.Config{}, h)
	p := e.handshake()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.post("4slow")
	}()
	<-entered
	status, _ := p.post("4second")
	if status != 400 {
		t.Errorf("concurrent POST = %d, want 400", status)
	}
	close(release)
	wg.Wait()
	if r := h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
}

func TestPollingPostTooLarge(t *testing.T) {
	e := newEnv(t, engine.Config{MaxHTTPBufferSize: 100}, nil)
	p := e.handshake()
	if op := p.open; op.MaxPayload != 100 {
		t.Errorf("maxPayload = %d", op.MaxPayload)
	}
	p.mustPost("4" + strings.Repeat("x", 99)) // exactly the limit
	p.mustGet("4" + strings.Repeat("x", 99))
	status, _ := p.post("4" + strings.Repeat("x", 100))
	if status != 413 {
		t.Errorf("large POST = %d, want 413", status)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	status, body := p.get()
	checkError(t, status, body, 400, 1, "Session ID unknown")

	// same without a Content-Length (chunked body)
	p = e.handshake()
	req, _ := http.NewRequest("POST", e.url(p.query()), io.MultiReader(strings.NewReader("4"), strings.NewReader(strings.Repeat("y", 200))))
	req.ContentLength = -1
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("chunked large POST = %d", res.StatusCode)
	}
	e.h.waitClose(t, p.sid)
}

func TestPollingOctetStream(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	status, _, _ := e.do("POST", e.url(p.query()), "4hello", http.Header{"Content-Type": {"application/octet-stream"}})
	if status != 400 {
		t.Errorf("octet-stream POST = %d", status)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
}

// A malformed payload is answered 200 "ok", as the official server answers
// it, and closes the session with "parse error"; the packets before the bad
// record are delivered.
func TestPollingInvalidPacket(t *testing.T) {
	for _, body := range []string{"abc", "4ok\x1e9bad", "4ok\x1e", "b!!!!", ""} {
		t.Run(body, func(t *testing.T) {
			e := newEnv(t, engine.Config{}, nil)
			p := e.handshake()
			status, answer := p.post(body)
			if status != 200 || answer != "ok" {
				t.Errorf("POST %q = %d %q, want 200 ok", body, status, answer)
			}
			// packets before the bad record were delivered
			for {
				ev := e.h.next(t)
				if ev.kind == "close" {
					if ev.reason != engine.ReasonParseError {
						t.Errorf("reason = %q", ev.reason)
					}
					break
				}
				if ev.data != "ok" {
					t.Errorf("unexpected message %q", ev.data)
				}
			}
			status, _ = p.get()
			if status != 400 {
				t.Errorf("GET after invalid packet = %d", status)
			}
		})
	}
}

func TestPollingAbortedGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.session(t)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url(p.query()), nil)
	errc := make(chan error)
	go func() {
		_, err := e.client.Do(req)
		errc <- err
	}()
	eventually(t, "a pending GET", s.Writable)
	cancel()
	<-errc
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	status, _ := p.get()
	if status != 400 {
		t.Errorf("GET after abort = %d", status)
	}
}

func TestPollingCompression(t *testing.T) {
	e := newEnv(t, engine.Config{CompressionThreshold: 100}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	big := strings.Repeat("compress me ", 20)

	s.Send(engine.Message{Data: []byte(big)})
	_, body, res := e.do("GET", e.url(p.query()), "", http.Header{"Accept-Encoding": {"gzip, deflate"}})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != "4"+big {
		t.Errorf("gunzipped = %q", plain)
	}

	s.Send(engine.Message{Data: []byte(big)})
	_, body, res = e.do("GET", e.url(p.query()), "", http.Header{"Accept-Encoding": {"deflate, gzip;q=0"}})
	if res.Header.Get("Content-Encoding") != "deflate" {
		t.Fatalf("Content-Encoding = %q", res.Header.Get("Content-Encoding"))
	}
	fr, err := zlib.NewReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ = io.ReadAll(fr)
	if string(plain) != "4"+big {
		t.Errorf("inflated = %q", plain)
	}

	// small bodies and clients that do not ask stay plain
	s.Send(engine.Message{Data: []byte("small")})
	_, body, res = e.do("GET", e.url(p.query()), "", http.Header{"Accept-Encoding": {"gzip"}})
	if res.Header.Get("Content-Encoding") != "" || body != "4small" {
		t.Errorf("small body: %q %q", res.Header.Get("Content-Encoding"), body)
	}
	s.Send(engine.Message{Data: []byte(big)})
	_, body, res = e.do("GET", e.url(p.query()), "", nil)
	if res.Header.Get("Content-Encoding") != "" || body != "4"+big {
		t.Errorf("no Accept-Encoding: %q", res.Header.Get("Content-Encoding"))
	}
}

func TestPollingCompressionOff(t *testing.T) {
	e := newEnv(t, engine.Config{CompressionThreshold: -1}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	s.Send(engine.Message{Data: bytes.Repeat([]byte("x"), 5000)})
	_, _, res := e.do("GET", e.url(p.query()), "", http.Header{"Accept-Encoding": {"gzip"}})
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("compressed with CompressionThreshold < 0")
	}
}

func TestPollingPostHeaders(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	_, body, res := e.do("POST", e.url(p.query()), "4x", nil)
	if body != "ok" || res.Header.Get("Content-Type") != "text/html" {
		t.Errorf("POST answer %q with Content-Type %q", body, res.Header.Get("Content-Type"))
	}
}
