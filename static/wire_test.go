package static_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
)

// testWire runs a few scenarios against a Go fixture that records every
// Engine.IO packet and polling request, and checks what our client put on
// the wire. In Engine.IO v4 the server pings and the client answers, so the
// client sends pongs and never pings, except the "2probe" that opens the
// upgrade; "2probe", then "5" on the new WebSocket and nothing
// more on polling after it; at most one GET and one POST in flight per
// session; POST bodies sent as text/plain; every session closed by the
// client when the page is done ("transport close"), not left to time out.
func testWire(t *testing.T, b *browsertest.Browser, scripts http.Handler) {
	w := &wire{inflight: map[string]int{}, closed: map[string]engine.Reason{}}
	cfg := fixture.Config()
	cfg.Observer = &sio.Observer{Opened: w.Opened, Upgraded: w.Upgraded, Closed: w.Closed, Packet: w.Packet}
	cfg.PingTimeout = time.Second // a slow test machine must not miss pongs
	io := fixture.New(cfg)
	t.Cleanup(func() { io.Close() })
	mux := http.NewServeMux()
	mountPages(mux, scripts)
	mux.Handle("/socket.io/", w.watch(io))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	t.Run("pages", func(t *testing.T) {
		for _, name := range []string{"upgrade", "polling-only", "websocket-only", "binary-polling", "events-acks"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runScenario(t, b, target{pages: srv.URL, server: srv.URL}, scenario{name: name})
			})
		}
	})
	w.check(t)
}

type wirePacket struct {
	sid, transport string
	dir            engine.Direction
	typ            engine.PacketType
	data           string
}

// wire keeps the Engine.IO packets its hooks see, and is an HTTP
// middleware that watches the polling requests.
type wire struct {
	mu       sync.Mutex
	packets  []wirePacket // in order; an "upgraded" entry marks each upgrade
	inflight map[string]int
	opened   []string
	closed   map[string]engine.Reason
	problems []string
}

func (w *wire) Opened(s *engine.Session) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.opened = append(w.opened, s.ID())
}

func (w *wire) Upgraded(s *engine.Session, transport string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.packets = append(w.packets, wirePacket{sid: s.ID(), transport: "upgraded"})
}

func (w *wire) Closed(s *engine.Session, reason engine.Reason) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed[s.ID()] = reason
}

func (w *wire) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.packets = append(w.packets, wirePacket{s.ID(), transport, dir, p.Type, string(p.Data)})
}

func (w *wire) problem(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

// watch counts the polling requests in flight per session and method.
func (w *wire) watch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		sid := q.Get("sid")
		if q.Get("transport") != "polling" || sid == "" {
			next.ServeHTTP(rw, r)
			return
		}
		key := sid + " " + r.Method
		w.mu.Lock()
		w.inflight[key]++
		if w.inflight[key] > 1 {
			w.problem("%d %s requests in flight for session %s", w.inflight[key], r.Method, sid)
		}
		if ct := r.Header.Get("Content-Type"); r.Method == "POST" && ct != "text/plain;charset=UTF-8" {
			w.problem("POST with Content-Type %q", ct)
		}
		w.mu.Unlock()
		defer func() {
			w.mu.Lock()
			w.inflight[key]--
			w.mu.Unlock()
		}()
		next.ServeHTTP(rw, r)
	})
}

func (w *wire) check(t *testing.T) {
	// The pages disconnect before they report; the close may take a moment.
	deadline := time.Now().Add(3 * time.Second)
	for {
		w.mu.Lock()
		open := len(w.opened) - len(w.closed)
		w.mu.Unlock()
		if open == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.opened) == 0 {
		t.Log("no session recorded: no page ran (-run filter?)")
		return
	}
	for _, sid := range w.opened {
		reason, ok := w.closed[sid]
		switch {
		case !ok:
			w.problem("session %s was not closed when its page was done", sid)
		case reason != engine.ReasonTransportClose:
			// The client closed it: a "1" on polling, a closed WebSocket.
			w.problem("session %s closed with %q, want %q", sid, reason, engine.ReasonTransportClose)
		}
	}

	upgraded := map[string]bool{}
	onWebSocket := map[string][]wirePacket{} // client packets on WebSocket
	pongs := 0
	for _, p := range w.packets {
		if p.transport == "upgraded" {
			upgraded[p.sid] = true
			continue
		}
		if p.dir != engine.In {
			continue
		}
		if p.transport == "polling" && upgraded[p.sid] {
			w.problem("session %s: %s on polling after the upgrade", p.sid, p.typ)
		}
		if p.transport == "websocket" {
			onWebSocket[p.sid] = append(onWebSocket[p.sid], p)
		}
		switch {
		case p.typ == engine.PacketPong && p.data == "":
			pongs++
		case p.typ == engine.PacketPing && !(p.data == "probe" && p.transport == "websocket"):
			w.problem("session %s: the client sent ping %q on %s (EIO=4: the server pings)", p.sid, p.data, p.transport)
		}
	}
	for sid := range upgraded {
		seq := onWebSocket[sid]
		if len(seq) < 2 || seq[0].typ != engine.PacketPing || seq[0].data != "probe" || seq[1].typ != engine.PacketUpgrade {
			var got []string
			for _, p := range seq[:min(len(seq), 3)] {
				got = append(got, p.typ.String()+" "+p.data)
			}
			w.problem("session %s upgraded with %q on WebSocket, want ping probe, upgrade", sid, got)
		}
	}
	if pongs == 0 {
		w.problem("no pong at all: the heartbeat went unanswered")
	}
	if len(w.problems) > 0 {
		t.Errorf("wire problems:\n%s", strings.Join(w.problems, "\n"))
	}
	reasons := map[engine.Reason]int{}
	for _, r := range w.closed {
		reasons[r]++
	}
	t.Logf("%d sessions, %d upgraded, %d packets, %d pongs; closed: %v", len(w.opened), len(upgraded), len(w.packets), pongs, reasons)
}
