package engine_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// The timer logic on fake time: polling requests are handed to ServeHTTP
// in memory, with no network, so that everything runs in a synctest bubble
// and a 25-second ping interval takes no time at all. WebSocket timers
// (upgrade timeout, the writer's and reader's linger) need a connection and
// stay in the tests on loopback.

// memPoller is a polling client that calls ServeHTTP directly.
type memPoller struct {
	t   *testing.T
	srv *engine.Server
	sid string
}

func memHandshake(t *testing.T, srv *engine.Server) *memPoller {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/engine.io/?EIO=4&transport=polling", nil))
	op := parseOpen(t, rec.Body.String())
	return &memPoller{t: t, srv: srv, sid: op.SID}
}

func (p *memPoller) url() string { return "/engine.io/?EIO=4&transport=polling&sid=" + p.sid }

// get starts a GET and returns its answer's channel: "<status> <body>".
func (p *memPoller) get() <-chan string {
	c := make(chan string, 1)
	go func() {
		rec := httptest.NewRecorder()
		p.srv.ServeHTTP(rec, httptest.NewRequest("GET", p.url(), nil))
		c <- http.StatusText(rec.Code) + " " + rec.Body.String()
	}()
	return c
}

func (p *memPoller) post(body string) string {
	rec := httptest.NewRecorder()
	p.srv.ServeHTTP(rec, httptest.NewRequest("POST", p.url(), strings.NewReader(body)))
	return http.StatusText(rec.Code) + " " + rec.Body.String()
}

// answered reports the GET's answer if it has come, once every goroutine
// of the bubble is blocked.
func answered(c <-chan string) (string, bool) {
	synctest.Wait()
	select {
	case s := <-c:
		return s, true
	default:
		return "", false
	}
}

// The server pings PingInterval after the open packet and after each pong,
// and closes the session PingTimeout after an unanswered ping.
func TestSyncHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newTestHandler(t, false)
		srv := engine.NewServer(engine.Config{}, h) // 25 s and 20 s
		defer srv.Close()
		p := memHandshake(t, srv)
		for range 3 {
			get := p.get()
			time.Sleep(25*time.Second - time.Millisecond)
			if body, ok := answered(get); ok {
				t.Fatalf("GET answered %q before PingInterval", body)
			}
			time.Sleep(time.Millisecond)
			if body, ok := answered(get); !ok || body != "OK 2" {
				t.Fatalf("GET at PingInterval = %q, %v; want the ping", body, ok)
			}
			time.Sleep(19 * time.Second) // a late pong still counts
			if got := p.post("3"); got != "OK ok" {
				t.Fatalf("pong = %q", got)
			}
		}
		get := p.get()
		time.Sleep(25 * time.Second)
		if body, _ := answered(get); body != "OK 2" {
			t.Fatalf("GET = %q, want the ping", body)
		}
		time.Sleep(20*time.Second - time.Millisecond)
		synctest.Wait()
		if srv.Count() != 1 {
			t.Fatal("closed before PingTimeout")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if r := h.waitClose(t, p.sid); r != engine.ReasonPingTimeout {
			t.Errorf("reason = %q", r)
		}
	})
}

// A session closed by the server with no GET to carry the close packet
// ends after CloseTimeout; a GET before then takes "6\x1e1".
func TestSyncCloseTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newTestHandler(t, false)
		srv := engine.NewServer(engine.Config{}, h) // CloseTimeout 30 s
		defer srv.Close()
		p := memHandshake(t, srv)
		s := h.sessionByID(t, p.sid)
		s.Close("bye")
		time.Sleep(30*time.Second - time.Millisecond)
		synctest.Wait()
		if srv.Count() != 1 {
			t.Fatal("ended before CloseTimeout")
		}
		time.Sleep(time.Millisecond)
		if r := h.waitClose(t, p.sid); r != "bye" {
			t.Errorf("reason = %q", r)
		}

		p = memHandshake(t, srv)
		s = h.sessionByID(t, p.sid)
		s.Close("bye")
		time.Sleep(29 * time.Second)
		if body, _ := answered(p.get()); body != "OK 6\x1e1" {
			t.Errorf("GET before CloseTimeout = %q", body)
		}
		if r := h.waitClose(t, p.sid); r != "bye" {
			t.Errorf("reason = %q", r)
		}
	})
}

// A client's close packet with no GET waiting ends the session after a
// short grace, in which a GET racing the close gets its noop.
func TestSyncClientCloseGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newTestHandler(t, false)
		srv := engine.NewServer(engine.Config{}, h)
		defer srv.Close()
		p := memHandshake(t, srv)
		if got := p.post("1"); got != "OK ok" {
			t.Fatalf("close packet = %q", got)
		}
		if body, _ := answered(p.get()); body != "OK 6" {
			t.Errorf("GET in the grace = %q, want a noop", body)
		}
		if r := h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
			t.Errorf("reason = %q", r)
		}

		p = memHandshake(t, srv)
		p.post("1")
		time.Sleep(time.Second)
		synctest.Wait()
		if srv.Count() != 0 {
			t.Error("a client-closed session outlived its grace")
		}
		if body, _ := answered(p.get()); !strings.HasPrefix(body, "Bad Request ") {
			t.Errorf("GET after the grace = %q", body)
		}
	})
}
