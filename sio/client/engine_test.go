package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/engine"
)

// echoServer is our Engine.IO server echoing every message, behind a
// handler that checks the client keeps at most one GET and one POST in
// flight per session and records the size of each POST.
type echoServer struct {
	*httptest.Server
	eng *engine.Server

	mu        sync.Mutex
	inflight  map[string]int // sid+method -> requests in flight
	violation string
	posts     []int // body sizes
}

type echoHandler struct{}

func (echoHandler) Open(s *engine.Session) engine.SessionHandler { return echoSession{s} }

type echoSession struct{ s *engine.Session }

func (e echoSession) Message(data []byte, binary bool) {
	e.s.Send(engine.Message{Data: data, Binary: binary})
}
func (echoSession) Close(engine.Reason) {}

func startEcho(t *testing.T, cfg engine.Config) *echoServer {
	t.Helper()
	es := &echoServer{eng: engine.NewServer(cfg, echoHandler{}), inflight: map[string]int{}}
	es.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := r.URL.Query().Get("sid")
		if sid != "" && r.URL.Query().Get("transport") == "polling" {
			key := sid + " " + r.Method
			es.mu.Lock()
			es.inflight[key]++
			if es.inflight[key] > 1 && es.violation == "" {
				es.violation = "two " + r.Method + " requests in flight"
			}
			if r.Method == http.MethodPost {
				es.posts = append(es.posts, int(r.ContentLength))
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") && es.violation == "" {
					es.violation = "POST with Content-Type " + ct
				}
			}
			es.mu.Unlock()
			defer func() {
				es.mu.Lock()
				es.inflight[key]--
				es.mu.Unlock()
			}()
		}
		es.eng.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		es.eng.Close()
		es.Server.Close()
		es.mu.Lock()
		defer es.mu.Unlock()
		if es.violation != "" {
			t.Errorf("client broke the polling rules: %s", es.violation)
		}
	})
	return es
}

// engineRec is an EngineHandler that records what it receives.
type engineRec struct {
	mu       sync.Mutex
	msgs     []engine.Message
	pings    int
	upgrades []string
	closed   chan struct{}
	reason   client.Reason
	err      error
	wake     chan struct{}
}

func newEngineRec() *engineRec {
	return &engineRec{closed: make(chan struct{}), wake: make(chan struct{}, 1)}
}

func (r *engineRec) Message(data []byte, binary bool) {
	r.mu.Lock()
	r.msgs = append(r.msgs, engine.Message{Data: data, Binary: binary})
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *engineRec) Ping() {
	r.mu.Lock()
	r.pings++
	r.mu.Unlock()
}

func (r *engineRec) Upgrade(tr string) {
	r.mu.Lock()
	r.upgrades = append(r.upgrades, tr)
	r.mu.Unlock()
}

func (r *engineRec) Close(reason client.Reason, err error) {
	r.reason, r.err = reason, err
	close(r.closed)
}

// waitMessages waits until n messages have arrived and returns them.
func (r *engineRec) waitMessages(t *testing.T, n int) []engine.Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		if len(r.msgs) >= n {
			out := append([]engine.Message(nil), r.msgs...)
			r.mu.Unlock()
			return out
		}
		got := len(r.msgs)
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-deadline:
			t.Fatalf("%d messages of %d", got, n)
		case <-r.closed:
			t.Fatalf("closed (%s: %v) after %d messages of %d", r.reason, r.err, got, n)
		}
	}
}

func (r *engineRec) waitClose(t *testing.T) client.Reason {
	t.Helper()
	select {
	case <-r.closed:
		return r.reason
	case <-time.After(5 * time.Second):
		t.Fatal("not closed")
		return ""
	}
}

func fastEngine() engine.Config {
	return engine.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}
}

// Messages sent while the Engine upgrades, text and binary, come back once
// each, in order; the client kept one GET and one POST in flight at most.
func TestEngineUpgradeLosesNothing(t *testing.T) {
	srv := startEcho(t, fastEngine())
	rec := newEngineRec()
	e, err := client.DialEngine(context.Background(), srv.URL+"/engine.io/", client.EngineOptions{}, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const n = 400
	sent := make([]engine.Message, n)
	for i := range sent {
		if i%3 == 2 {
			sent[i] = engine.Message{Data: []byte{byte(i), byte(i >> 8), 0x1e, 0}, Binary: true}
		} else {
			sent[i] = engine.Message{Data: fmt.Appendf(nil, "m%d ✓", i)}
		}
		if err := e.Send(sent[i]); err != nil {
			t.Fatal(err)
		}
		if i%20 == 0 {
			time.Sleep(2 * time.Millisecond) // spread over the upgrade
		}
	}
	got := rec.waitMessages(t, n)
	for i, m := range got {
		if i >= n || m.Binary != sent[i].Binary || !bytes.Equal(m.Data, sent[i].Data) {
			t.Fatalf("message %d: got %q (binary %v), want %q", i, m.Data, m.Binary, sent[i].Data)
		}
	}
	eventually(t, "the upgrade", wait, func() bool { return e.Transport() == client.TransportWebSocket })
	time.Sleep(50 * time.Millisecond)
	if extra := len(rec.waitMessages(t, n)); extra != n {
		t.Fatalf("%d messages, want %d", extra, n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.upgrades) != 1 || rec.upgrades[0] != client.TransportWebSocket {
		t.Fatalf("upgrades %v", rec.upgrades)
	}
}

// Over polling, queued messages go out in POSTs that stay under the
// server's maxPayload (a larger one would get 413 and close the session).
func TestEnginePostsUnderMaxPayload(t *testing.T) {
	cfg := fastEngine()
	cfg.MaxHTTPBufferSize = 1000
	srv := startEcho(t, cfg)
	rec := newEngineRec()
	e, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{Transports: []string{"polling"}}, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const n = 60
	var msgs []engine.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, engine.Message{Data: bytes.Repeat([]byte{'a' + byte(i%26)}, 90)})
	}
	msgs = append(msgs, engine.Message{Data: bytes.Repeat([]byte{7}, 300), Binary: true})
	if err := e.Send(msgs...); err != nil {
		t.Fatal(err)
	}
	got := rec.waitMessages(t, n+1)
	for i := range msgs {
		if !bytes.Equal(got[i].Data, msgs[i].Data) {
			t.Fatalf("message %d differs", i)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.posts) < 6 || len(srv.posts) > n/2 {
		t.Fatalf("%d POSTs for %d messages: not batched under maxPayload", len(srv.posts), n+1)
	}
	for _, size := range srv.posts {
		if size > 1000 {
			t.Fatalf("a POST of %d bytes, over maxPayload", size)
		}
	}
}

// The close reasons of an Engine.
func TestEngineCloseReasons(t *testing.T) {
	t.Run("forced close", func(t *testing.T) {
		for _, tr := range []string{"polling", "websocket"} {
			srv := startEcho(t, fastEngine())
			rec := newEngineRec()
			e, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{Transports: []string{tr}}, rec)
			if err != nil {
				t.Fatal(err)
			}
			e.Send(engine.Message{Data: []byte("last words")})
			e.Close()
			if r := rec.waitClose(t); r != client.ReasonForcedClose {
				t.Fatalf("%s: %s", tr, r)
			}
			<-e.Done()
			if err := e.Send(engine.Message{Data: []byte("x")}); !errors.Is(err, client.ErrEngineClosed) {
				t.Fatalf("Send after Close: %v", err)
			}
			eventually(t, "the server to drop the session", wait, func() bool { return srv.eng.Count() == 0 })
		}
	})
	t.Run("transport close", func(t *testing.T) {
		for _, tr := range []string{"polling", "websocket"} {
			srv := startEcho(t, fastEngine())
			rec := newEngineRec()
			_, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{Transports: []string{tr}}, rec)
			if err != nil {
				t.Fatal(err)
			}
			srv.eng.Close()
			r := rec.waitClose(t)
			if r != client.ReasonTransportClose && !(tr == "polling" && r == client.ReasonTransportError) {
				t.Fatalf("%s: %s (%v)", tr, r, rec.err)
			}
		}
	})
	t.Run("parse error", func(t *testing.T) {
		srv := fakePolling(t, func(*http.Request) string { return "9garbage" })
		rec := newEngineRec()
		if _, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{}, rec); err != nil {
			t.Fatal(err)
		}
		if r := rec.waitClose(t); r != client.ReasonParseError {
			t.Fatalf("%s (%v)", r, rec.err)
		}
	})
	t.Run("ping timeout", func(t *testing.T) {
		// A server that opens the session and then holds every GET.
		srv := fakePolling(t, func(r *http.Request) string { <-r.Context().Done(); return "6" })
		rec := newEngineRec()
		t0 := time.Now()
		if _, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{}, rec); err != nil {
			t.Fatal(err)
		}
		if r := rec.waitClose(t); r != client.ReasonPingTimeout {
			t.Fatalf("%s (%v)", r, rec.err)
		}
		// Not before pingInterval+pingTimeout (300 ms); how much later
		// depends on the machine's load, and waitClose bounds it.
		if d := time.Since(t0); d < 250*time.Millisecond {
			t.Fatalf("closed after %v, before pingInterval+pingTimeout = 300ms", d)
		}
	})
	t.Run("transport error", func(t *testing.T) {
		var calls atomic.Int32
		srv := fakePolling(t, func(*http.Request) string {
			if calls.Add(1) == 1 {
				return "" // 400 below
			}
			return "6"
		})
		rec := newEngineRec()
		if _, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{}, rec); err != nil {
			t.Fatal(err)
		}
		if r := rec.waitClose(t); r != client.ReasonTransportError {
			t.Fatalf("%s", r)
		}
		var te *client.TransportError
		if !errors.As(rec.err, &te) || te.StatusCode != 400 || te.Op != "xhr poll error" {
			t.Fatalf("err %v", rec.err)
		}
	})
}

// fakePolling is a polling-only Engine.IO server: the handshake gives
// pingInterval 200 and pingTimeout 100, and every later GET is answered
// with get(r), or 400 when that is empty.
func fakePolling(t *testing.T, get func(r *http.Request) string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := r.URL.Query().Get("sid")
		switch {
		case sid == "":
			fmt.Fprint(w, `0{"sid":"fake","upgrades":[],"pingInterval":200,"pingTimeout":100,"maxPayload":1000}`)
		case r.Method == http.MethodPost:
			fmt.Fprint(w, "ok")
		default:
			body := get(r)
			if body == "" {
				http.Error(w, `{"code":1,"message":"Session ID unknown"}`, http.StatusBadRequest)
				return
			}
			fmt.Fprint(w, body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Handshake failures are *TransportError values with the server's answer.
func TestDialEngineErrors(t *testing.T) {
	srv := startEcho(t, engine.Config{Transports: []string{"websocket"}})
	_, err := client.DialEngine(context.Background(), srv.URL, client.EngineOptions{Transports: []string{"polling"}}, newEngineRec())
	var te *client.TransportError
	if !errors.As(err, &te) || te.StatusCode != 400 || !strings.Contains(te.Body, "Transport unknown") {
		t.Fatalf("err %v", err)
	}
	_, err = client.DialEngine(context.Background(), srv.URL, client.EngineOptions{Transports: []string{"carrier-pigeon"}}, newEngineRec())
	if !errors.Is(err, client.ErrNoTransport) {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	hang := fakePolling(t, nil)
	hang.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	if _, err := client.DialEngine(ctx, hang.URL, client.EngineOptions{}, newEngineRec()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}
