package engine_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

var eio3 = engine.Config{AllowEIO3: true}

// splitV3 splits a v3 text payload "<len>:<packet>..." into its packets,
// checking each length in UTF-16 code units.
func splitV3(t testing.TB, body string) []string {
	t.Helper()
	var out []string
	for body != "" {
		n, rest, ok := strings.Cut(body, ":")
		size, err := strconv.Atoi(n)
		if !ok || err != nil {
			t.Fatalf("v3 payload %q: no length", body)
		}
		i, units := 0, 0
		for _, r := range rest {
			if units >= size {
				break
			}
			units++
			if r >= 0x10000 {
				units++
			}
			i += len(string(r))
		}
		if units != size {
			t.Fatalf("v3 payload %q: length %d past the end", body, size)
		}
		out = append(out, rest[:i])
		body = rest[i:]
	}
	return out
}

// handshakeV3 opens a v3 polling session (query adds to EIO=3&transport=polling).
func (e *env) handshakeV3(query string) *poller3 {
	e.t.Helper()
	status, body, res := e.do("GET", e.url("EIO=3&transport=polling"+query), "", nil)
	if status != 200 {
		e.t.Fatalf("v3 handshake: %d %s", status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		e.t.Errorf("v3 handshake Content-Type = %q", ct)
	}
	ps := splitV3(e.t, body)
	if len(ps) != 1 {
		e.t.Fatalf("v3 handshake = %q, want one open packet", body)
	}
	op := parseOpen(e.t, ps[0])
	return &poller3{e: e, sid: op.SID, open: op}
}

type poller3 struct {
	e    *env
	sid  string
	open openPacket
}

func (p *poller3) url() string { return p.e.url("EIO=3&transport=polling&sid=" + p.sid) }

// get returns the body and the Content-Type of a GET.
func (p *poller3) get() (string, string) {
	p.e.t.Helper()
	status, body, res := p.e.do("GET", p.url(), "", nil)
	if status != 200 {
		p.e.t.Fatalf("GET = %d %q", status, body)
	}
	return body, res.Header.Get("Content-Type")
}

func (p *poller3) post(body, contentType string) {
	p.e.t.Helper()
	status, b, _ := p.e.do("POST", p.url(), body, http.Header{"Content-Type": {contentType}})
	if status != 200 || b != "ok" {
		p.e.t.Fatalf("POST %q = %d %q", body, status, b)
	}
}

func TestEIO3Handshake(t *testing.T) {
	e := newEnv(t, engine.Config{AllowEIO3: true, PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}, nil)
	p := e.handshakeV3("")
	if p.open.PingInterval != 300 || p.open.PingTimeout != 200 || p.open.MaxPayload != 1e6 ||
		len(p.open.Upgrades) != 1 || p.open.Upgrades[0] != "websocket" {
		t.Errorf("open packet = %+v", p.open)
	}
	if s := e.h.session(t); s.Protocol() != 3 {
		t.Errorf("Protocol() = %d, want 3", s.Protocol())
	}
	// a v4 client on the same server is still v4
	if s := (e.handshake()); s.sid == "" {
		t.Fatal("no v4 session")
	}
	if s := e.h.session(t); s.Protocol() != 4 {
		t.Errorf("v4 session: Protocol() = %d", s.Protocol())
	}
	// as the official server, a missing EIO is v3 too when v3 is allowed
	status, body, _ := e.do("GET", e.url("transport=polling"), "", nil)
	if status != 200 || len(splitV3(t, body)) != 1 {
		t.Errorf("handshake without EIO = %d %q", status, body)
	}
}

// The handshake of a v3 polling session carries the open packet alone, as
// the official server's does: what Open sends (the CONNECT to "/" of the
// sio layer) goes with the next GET.
func TestEIO3HandshakeAlone(t *testing.T) {
	h := newTestHandler(t, false)
	h.onOpen = func(s *engine.Session) { s.Send(engine.Message{Data: []byte("0")}) }
	e := newEnv(t, eio3, h)
	p := e.handshakeV3("") // fails on a second packet
	if body, _ := p.get(); body != "2:40" {
		t.Errorf("GET after the handshake = %q, want 2:40", body)
	}
	// a v4 handshake still carries what Open sent
	status, body, _ := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	if status != 200 || !strings.HasSuffix(body, "\x1e40") {
		t.Errorf("v4 handshake = %d %q", status, body)
	}
}

func TestEIO3RefusedByDefault(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	status, body, _ := e.do("GET", e.url("EIO=3&transport=polling"), "", nil)
	checkError(t, status, body, 400, engine.CodeUnsupportedProtocolVersion, "Unsupported protocol version")
}

func TestEIO3PollingText(t *testing.T) {
	e := newEnv(t, eio3, nil) // echoes
	p := e.handshakeV3("")
	p.post("6:4hello2:4€3:4😀", "text/plain;charset=UTF-8")
	for _, want := range []string{"hello", "€", "😀"} {
		if ev := e.h.next(t); ev.kind != "message" || ev.data != want || ev.binary {
			t.Fatalf("event = %+v, want message %q", ev, want)
		}
	}
	body, ct := p.get()
	if body != "6:4hello2:4€3:4😀" || ct != "text/plain; charset=UTF-8" {
		t.Errorf("GET = %q (%s)", body, ct)
	}
}

// A batch with a binary message goes out in the binary form, as the one
// captured from the official server; binary payloads come in too.
func TestEIO3PollingBinary(t *testing.T) {
	e := newEnv(t, eio3, nil) // echoes
	p := e.handshakeV3("")
	s := e.h.session(t)
	text := `451-["message-back",{"_placeholder":true,"num":0}]`
	p.post("\x00\x05\x00\xff"+text+"\x01\x04\xff\x04\x01\x02\x03", "application/octet-stream")
	if ev := e.h.next(t); ev.data != text[1:] || ev.binary {
		t.Fatalf("first = %+v", ev)
	}
	if ev := e.h.next(t); ev.data != "\x01\x02\x03" || !ev.binary {
		t.Fatalf("second = %+v", ev)
	}
	body, ct := p.get()
	want := "\x00\x05\x00\xff" + text + "\x01\x04\xff\x04\x01\x02\x03"
	if body != want || ct != "application/octet-stream" {
		t.Errorf("GET = %q (%s), want %q (application/octet-stream)", body, ct, want)
	}
	// a batch with no binary message is text again
	s.Send(engine.Message{Data: []byte("x")})
	if body, ct := p.get(); body != "2:4x" || ct != "text/plain; charset=UTF-8" {
		t.Errorf("GET = %q (%s)", body, ct)
	}
}

// A client that asks for base64 (b64=1) gets binary messages as text.
func TestEIO3PollingBase64(t *testing.T) {
	e := newEnv(t, eio3, nil)
	p := e.handshakeV3("&b64=1")
	p.post("6:b4AQID", "text/plain;charset=UTF-8")
	if ev := e.h.next(t); ev.data != "\x01\x02\x03" || !ev.binary {
		t.Fatalf("event = %+v", ev)
	}
	if body, ct := p.get(); body != "6:b4AQID" || ct != "text/plain; charset=UTF-8" {
		t.Errorf("GET = %q (%s)", body, ct)
	}
}

func TestEIO3PollingMalformed(t *testing.T) {
	for _, tt := range []struct{ name, body, ct string }{
		{"text", "9:4a", "text/plain"},
		{"v4 payload", "4a\x1e4b", "text/plain"},
		{"binary", "\x00\x09\xff4a", "application/octet-stream"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, eio3, newTestHandler(t, false))
			p := e.handshakeV3("")
			s := e.h.session(t)
			p.post(tt.body, tt.ct)
			if r := e.h.waitClose(t, s.ID()); r != engine.ReasonParseError {
				t.Errorf("reason = %q, want parse error", r)
			}
		})
	}
}

// The v2 client's disconnect on polling: its close packet, then the
// session is gone.
func TestEIO3PollingClientClose(t *testing.T) {
	e := newEnv(t, eio3, newTestHandler(t, false))
	p := e.handshakeV3("")
	s := e.h.session(t)
	p.post("3:4411:1", "text/plain;charset=UTF-8")
	if ev := e.h.next(t); ev.data != "41" {
		t.Fatalf("event = %+v", ev)
	}
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	status, body, _ := e.do("GET", p.url(), "", nil)
	checkError(t, status, body, 400, engine.CodeUnknownSID, "Session ID unknown")
}

// The v3 heartbeat on fake time: the client pings, the server answers; with
// no ping for PingInterval+PingTimeout the session ends with "ping
// timeout". The server never pings.
func TestEIO3SyncHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newTestHandler(t, false)
		srv := engine.NewServer(engine.Config{AllowEIO3: true}, h) // 25 s and 20 s
		defer srv.Close()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/engine.io/?EIO=3&transport=polling", nil))
		op := parseOpen(t, splitV3(t, rec.Body.String())[0])
		url := "/engine.io/?EIO=3&transport=polling&sid=" + op.SID
		get := func() <-chan string {
			c := make(chan string, 1)
			go func() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
				c <- rec.Body.String()
			}()
			return c
		}
		post := func(body string) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("POST", url, strings.NewReader(body)))
			if rec.Body.String() != "ok" {
				t.Fatalf("POST %q = %d %q", body, rec.Code, rec.Body.String())
			}
		}
		for range 3 {
			g := get()
			time.Sleep(45*time.Second - time.Millisecond)
			if body, ok := answered(g); ok {
				t.Fatalf("GET answered %q: the server pinged a v3 client", body)
			}
			post("1:2")
			if body, ok := answered(g); !ok || body != "1:3" {
				t.Fatalf("GET after the ping = %q, %v; want the pong 1:3", body, ok)
			}
		}
		g := get()
		time.Sleep(45 * time.Second)
		synctest.Wait()
		select {
		case e := <-h.events:
			if e.kind != "close" || e.reason != engine.ReasonPingTimeout {
				t.Fatalf("event = %+v, want close with ping timeout", e)
			}
		default:
			t.Fatal("no ping timeout after PingInterval+PingTimeout without a ping")
		}
		<-g
	})
}

// A pong from a v3 client is an error, as a ping from a v4 one.
func TestEIO3Pong(t *testing.T) {
	e := newEnv(t, eio3, newTestHandler(t, false))
	p := e.handshakeV3("")
	s := e.h.session(t)
	p.post("1:3", "text/plain")
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q, want transport error", r)
	}
}

func TestEIO3WebSocket(t *testing.T) {
	e := newEnv(t, eio3, nil) // echoes
	ws := e.dial("EIO=3&transport=websocket")
	open, err := ws.read()
	if err != nil {
		t.Fatal(err)
	}
	parseOpen(t, open)
	s := e.h.session(t)
	if s.Protocol() != 3 {
		t.Errorf("Protocol() = %d", s.Protocol())
	}
	ws.send("4hi")
	ws.mustRead("4hi")
	e.h.next(t)
	ws.sendBinary([]byte{4, 1, 2})
	if ev := e.h.next(t); !ev.binary || ev.data != "\x01\x02" {
		t.Errorf("event %+v", ev)
	}
	ws.mustRead("bin:\x04\x01\x02")
	ws.send("b4AQI=") // binary as base64 text
	ws.mustRead("bin:\x04\x01\x02")
	ws.send("2")
	ws.mustRead("3")
	ws.send("3")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q, want transport error", r)
	}
}

func TestEIO3Upgrade(t *testing.T) {
	e := newEnv(t, eio3, nil)
	p := e.handshakeV3("")
	s := e.h.session(t)
	get := make(chan string, 1)
	go func() { body, _ := p.get(); get <- body }()
	eventually(t, "a pending GET", s.Writable)
	ws := e.dial("EIO=3&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	if body := recv(t, get); body != "1:6" {
		t.Fatalf("pending GET = %q, want a v3 noop", body)
	}
	ws.send("5")
	eventually(t, "the upgrade", func() bool { return s.Transport() == engine.TransportWebSocket })
	s.Send(engine.Message{Data: []byte{9}, Binary: true})
	ws.mustRead("bin:\x04\x09")
	ws.send("2")
	ws.mustRead("3")
}

// b64 on the WebSocket too: binary messages go out as "b4" text frames.
func TestEIO3WebSocketBase64(t *testing.T) {
	e := newEnv(t, eio3, nil)
	ws := e.dial("EIO=3&transport=websocket&b64=1")
	if _, err := ws.read(); err != nil {
		t.Fatal(err)
	}
	ws.sendBinary([]byte{4, 1, 2, 3})
	ws.mustRead("b4AQID")
	if err := ws.write(websocket.TextMessage, []byte("4ok")); err != nil {
		t.Fatal(err)
	}
	ws.mustRead("4ok")
}

// After StopHeartbeat a v3 session answers no ping, and does not time out.
func TestEIO3SyncStopHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newTestHandler(t, false)
		srv := engine.NewServer(engine.Config{AllowEIO3: true}, h)
		defer srv.Close()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/engine.io/?EIO=3&transport=polling", nil))
		op := parseOpen(t, splitV3(t, rec.Body.String())[0])
		url := "/engine.io/?EIO=3&transport=polling&sid=" + op.SID
		(<-h.opened).Faults().StopHeartbeat()
		g := make(chan string, 1)
		go func() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
			g <- rec.Body.String()
		}()
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("POST", url, strings.NewReader("1:2")))
		time.Sleep(time.Minute) // past PingInterval+PingTimeout
		if body, ok := answered(g); ok {
			t.Fatalf("GET answered %q after StopHeartbeat", body)
		}
		if srv.Count() != 1 {
			t.Fatal("the session timed out after StopHeartbeat")
		}
	})
}
