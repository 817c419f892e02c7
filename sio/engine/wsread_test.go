package engine_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/sioworkbook/workbook/sio/engine"
)

// dialTCP opens a bare TCP connection to e's server, closed when the test
// ends, and returns it with the server's address.
func dialTCP(t testing.TB, e *env) (net.Conn, string) {
	t.Helper()
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, addr
}

// rawClient is a WebSocket client that writes the bytes a test gives it,
// well-formed or not, and reads the server's frames.
type rawClient struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

// dialRaw opens a WebSocket session over a bare TCP connection and reads
// its open packet.
func dialRaw(t testing.TB, e *env, query string) *rawClient {
	t.Helper()
	c, addr := dialTCP(t, e)
	fmt.Fprintf(c, "GET /engine.io/?%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", query, addr)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	rc := &rawClient{t: t, c: c, br: br}
	if f := rc.next(); f.Header.OpCode != ws.OpText || !strings.HasPrefix(string(f.Payload), "0{") {
		t.Fatalf("first frame %v %q, want the open packet", f.Header.OpCode, f.Payload)
	}
	return rc
}

// frame builds a client frame: masked unless told otherwise.
func frame(fin bool, rsv byte, op ws.OpCode, masked bool, payload []byte) []byte {
	b0 := byte(op) | rsv<<4
	if fin {
		b0 |= 0x80
	}
	b := []byte{b0}
	m := byte(0)
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, m|byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, m|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, m|127), uint64(n))
	}
	p := append([]byte(nil), payload...)
	if masked {
		mask := [4]byte{1, 2, 3, 4}
		b = append(b, mask[:]...)
		ws.Cipher(p, mask, 0)
	}
	return append(b, p...)
}

// text is a whole, masked text frame.
func text(s string) []byte { return frame(true, 0, ws.OpText, true, []byte(s)) }

func (rc *rawClient) write(b ...[]byte) {
	rc.t.Helper()
	for _, p := range b {
		if _, err := rc.c.Write(p); err != nil {
			rc.t.Fatalf("write: %v", err)
		}
	}
}

// next reads the server's next frame.
func (rc *rawClient) next() ws.Frame {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	f, err := ws.ReadFrame(rc.br)
	if err != nil {
		rc.t.Fatalf("reading a frame: %v", err)
	}
	return f
}

// nextData reads the server's next frame other than an Engine.IO ping.
func (rc *rawClient) nextData() ws.Frame {
	rc.t.Helper()
	for {
		if f := rc.next(); f.Header.OpCode != ws.OpText || string(f.Payload) != "2" {
			return f
		}
	}
}

// expectClose reads up to the server's close frame and checks its code.
func (rc *rawClient) expectClose(want ws.StatusCode) {
	rc.t.Helper()
	for {
		f := rc.next()
		if f.Header.OpCode != ws.OpClose {
			continue
		}
		code := ws.StatusNoStatusRcvd // an empty close frame
		if len(f.Payload) > 0 {
			code, _ = ws.ParseCloseFrameData(f.Payload)
		}
		if code != want {
			rc.t.Errorf("close code %d, want %d", code, want)
		}
		return
	}
}

// A client that breaks RFC 6455 gets a close frame with 1002 and its session
// ends with a transport error; one past MaxHTTPBufferSize, in one frame or
// in fragments, gets 1009. Each case writes raw bytes.
func TestWebSocketProtocolErrors(t *testing.T) {
	long := strings.Repeat("x", 600)
	for _, tc := range []struct {
		name  string
		bytes [][]byte
		code  ws.StatusCode
	}{
		{"unmasked frame", [][]byte{frame(true, 0, ws.OpText, false, []byte("4a"))}, ws.StatusProtocolError},
		{"RSV1 without compression", [][]byte{frame(true, 4, ws.OpText, true, []byte("4a"))}, ws.StatusProtocolError},
		{"RSV2", [][]byte{frame(true, 2, ws.OpBinary, true, []byte("a"))}, ws.StatusProtocolError},
		{"reserved opcode", [][]byte{frame(true, 0, 3, true, []byte("4a"))}, ws.StatusProtocolError},
		{"fragmented ping", [][]byte{frame(false, 0, ws.OpPing, true, []byte("p"))}, ws.StatusProtocolError},
		{"oversized ping", [][]byte{frame(true, 0, ws.OpPing, true, []byte(strings.Repeat("p", 126)))}, ws.StatusProtocolError},
		{"continuation first", [][]byte{frame(true, 0, ws.OpContinuation, true, []byte("4a"))}, ws.StatusProtocolError},
		{"text inside a fragmented message", [][]byte{
			frame(false, 0, ws.OpText, true, []byte("4a")), frame(true, 0, ws.OpText, true, []byte("4b")),
		}, ws.StatusProtocolError},
		{"close of one byte", [][]byte{frame(true, 0, ws.OpClose, true, []byte{3})}, ws.StatusProtocolError},
		{"close with a bad code", [][]byte{frame(true, 0, ws.OpClose, true, []byte{0x03, 0xe7})}, ws.StatusProtocolError},
		{"message over the limit", [][]byte{text("4" + long + long)}, ws.StatusMessageTooBig},
		{"fragments over the limit", [][]byte{
			frame(false, 0, ws.OpText, true, []byte("4"+long)), frame(true, 0, ws.OpContinuation, true, []byte(long)),
		}, ws.StatusMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHandler(t, false)
			e := newEnv(t, engine.Config{MaxHTTPBufferSize: 1000}, h)
			rc := dialRaw(t, e, "EIO=4&transport=websocket")
			s := h.session(t)
			rc.write(tc.bytes...)
			rc.expectClose(tc.code)
			for {
				ev := h.next(t)
				if ev.kind == "message" {
					t.Fatalf("a message reached the handler: %+v", ev)
				}
				if ev.sid == s.ID() && ev.kind == "close" {
					if ev.reason != engine.ReasonTransportError {
						t.Errorf("reason = %q, want %q", ev.reason, engine.ReasonTransportError)
					}
					break
				}
			}
		})
	}
}

// A message in fragments, with a ping between them, is answered with a pong
// at once and handled whole; a close frame is echoed with its code and ends
// the session as the client closing it.
func TestWebSocketFragmentsPingClose(t *testing.T) {
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	rc := dialRaw(t, e, "EIO=4&transport=websocket")
	s := h.session(t)
	rc.write(frame(false, 0, ws.OpText, true, []byte("4hel")),
		frame(true, 0, ws.OpPing, true, []byte("ping!")),
		frame(false, 0, ws.OpContinuation, true, []byte("lo, ")),
		frame(true, 0, ws.OpContinuation, true, []byte("world")))
	if f := rc.nextData(); f.Header.OpCode != ws.OpPong || string(f.Payload) != "ping!" {
		t.Fatalf("got %v %q, want the pong", f.Header.OpCode, f.Payload)
	}
	if f := rc.nextData(); string(f.Payload) != "4hello, world" {
		t.Fatalf("echo %q", f.Payload)
	}
	// binary, in fragments
	rc.write(frame(false, 0, ws.OpBinary, true, []byte{0xff}), frame(true, 0, ws.OpContinuation, true, []byte{0xfe}))
	if f := rc.nextData(); f.Header.OpCode != ws.OpBinary || string(f.Payload) != "\xff\xfe" {
		t.Fatalf("binary echo %v %q", f.Header.OpCode, f.Payload)
	}
	rc.write(frame(true, 0, ws.OpClose, true, ws.NewCloseFrameBody(ws.StatusGoingAway, "bye")))
	rc.expectClose(ws.StatusGoingAway)
	if r := h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
}

// A WebSocket session idle long enough to have given its goroutine back
// (it waits in the server's poller) still receives messages, answers pings
// and notices its client closing: on Linux, where the poller is. The
// same runs with netpoll off, where a goroutine waits instead.
func TestIdleWebSocketWakes(t *testing.T) {
	for _, off := range []bool{false, true} {
		t.Run(fmt.Sprintf("DisableNetpoll=%v", off), func(t *testing.T) {
			polled := runtime.GOOS == "linux" && !off
			h := newTestHandler(t, true)
			e := newEnv(t, engine.Config{DisableNetpoll: off}, h)
			rc := dialRaw(t, e, "EIO=4&transport=websocket")
			s := h.session(t)
			idle := func() {
				t.Helper()
				if polled {
					eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })
				} else if engine.PollIdle(s) {
					t.Fatal("polled with netpoll off")
				}
			}
			for i := range 3 {
				idle()
				msg := fmt.Sprintf("4m%d", i)
				rc.write(text(msg))
				if f := rc.nextData(); string(f.Payload) != msg {
					t.Fatalf("echo %q, want %q", f.Payload, msg)
				}
				idle()
				rc.write(frame(true, 0, ws.OpPing, true, []byte{byte(i)}))
				if f := rc.nextData(); f.Header.OpCode != ws.OpPong || string(f.Payload) != string([]byte{byte(i)}) {
					t.Fatalf("got %v %q, want the pong", f.Header.OpCode, f.Payload)
				}
			}
			idle()
			rc.c.Close() // no close frame: the server sees the connection end
			if r := h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
				t.Errorf("reason = %q", r)
			}
		})
	}
}

// Server.Close ends the sessions waiting in the poller, and the poller's
// goroutine with them; a WebSocket opened afterwards is refused.
func TestNetpollEndsWithServer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the poller is Linux only")
	}
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	base := runtime.NumGoroutine()
	var clients []*rawClient
	for range 3 {
		rc := dialRaw(t, e, "EIO=4&transport=websocket")
		s := h.session(t)
		eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })
		clients = append(clients, rc)
	}
	e.srv.Close()
	for _, rc := range clients {
		rc.expectClose(ws.StatusNoStatusRcvd)
		rc.c.Close()
	}
	eventually(t, "the goroutines to end", func() bool { return runtime.NumGoroutine() <= base })
	if e.srv.Count() != 0 {
		t.Errorf("%d sessions left", e.srv.Count())
	}
}
