package sio_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/sio"
)

// rawClient speaks Engine.IO and Socket.IO by hand over a WebSocket, so the
// tests see exactly what the server writes. It answers pings by itself, on
// its reader goroutine, while the test sends on its own: gorilla allows one
// writer at a time, so every write goes through write.
type rawClient struct {
	t      testing.TB
	ws     *websocket.Conn
	frames chan frame
	done   chan struct{}

	writeMu sync.Mutex // held by every write to ws
}

type frame struct {
	text   string
	binary []byte
}

// waitLimit bounds every wait for something that should happen (a frame, a
// close, a disconnect). It only matters when a test fails, so it is long:
// the machines that run the tests are often busy.
const waitLimit = 30 * time.Second // generous: CI machines are busy and -race is slow

func wsURL(srv *httptest.Server, query string) string {
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/socket.io/?EIO=4&transport=websocket"
	if query != "" {
		u += "&" + query
	}
	return u
}

// dialRaw opens a WebSocket-only Engine.IO session and reads its open packet.
func dialRaw(t testing.TB, srv *httptest.Server) *rawClient {
	t.Helper()
	return dialRawWith(t, websocket.DefaultDialer, wsURL(srv, ""))
}

// dialRawWith is dialRaw through dialer, to url.
func dialRawWith(t testing.TB, dialer *websocket.Dialer, url string) *rawClient {
	t.Helper()
	ws, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := &rawClient{t: t, ws: ws, frames: make(chan frame, 64), done: make(chan struct{})}
	_, open, err := ws.ReadMessage()
	if err != nil || !strings.HasPrefix(string(open), `0{"sid":`) {
		t.Fatalf("open packet: %q, %v", open, err)
	}
	go c.read()
	t.Cleanup(c.close)
	return c
}

func (c *rawClient) read() {
	defer close(c.done)
	defer close(c.frames)
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ == websocket.BinaryMessage {
			c.frames <- frame{binary: data}
			continue
		}
		if string(data) == "2" {
			_ = c.write(websocket.TextMessage, []byte("3"))
			continue
		}
		c.frames <- frame{text: string(data)}
	}
}

func (c *rawClient) close() {
	c.ws.Close()
	<-c.done
}

// write sends one message; the reader's pongs and the test's sends may
// call it at the same time.
func (c *rawClient) write(typ int, data []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteMessage(typ, data)
}

func (c *rawClient) send(text string) {
	c.t.Helper()
	if err := c.write(websocket.TextMessage, []byte(text)); err != nil {
		c.t.Fatalf("send %q: %v", text, err)
	}
}

func (c *rawClient) sendBinary(b []byte) {
	c.t.Helper()
	if err := c.write(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("send binary: %v", err)
	}
}

// next returns the next frame, failing the test after waitLimit.
func (c *rawClient) next() frame {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		if !ok {
			c.t.Fatalf("connection closed while waiting for a frame")
		}
		return f
	case <-time.After(waitLimit):
		c.t.Fatalf("no frame within %v", waitLimit)
	}
	return frame{}
}

// expect reads the next text frame and checks it starts with prefix.
func (c *rawClient) expect(prefix string) string {
	c.t.Helper()
	f := c.next()
	if f.binary != nil || !strings.HasPrefix(f.text, prefix) {
		c.t.Fatalf("got %q (binary %x), want prefix %q", f.text, f.binary, prefix)
	}
	return f.text
}

// expectNothing checks no frame arrives within d.
func (c *rawClient) expectNothing(d time.Duration) {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		if ok {
			c.t.Fatalf("unexpected frame %q %x", f.text, f.binary)
		}
	case <-time.After(d):
	}
}

// expectClosed waits for the server to close the connection.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case _, ok := <-c.frames:
			if !ok {
				return
			}
		case <-deadline:
			c.t.Fatalf("connection still open")
		}
	}
}

// connect joins namespace nsp ("/" or "/x") and returns the socket id.
func (c *rawClient) connect(nsp string, auth string) string {
	c.t.Helper()
	prefix := "40"
	if nsp != "/" {
		prefix += nsp + ","
	}
	c.send(prefix + auth)
	reply := c.expect(prefix + `{"sid":"`)
	return strings.TrimSuffix(strings.TrimPrefix(reply, prefix+`{"sid":"`), `"}`)
}

// The raw test client answers pings on its reader goroutine while the test
// sends on its own: gorilla allows one writer at a time, so both go through
// the client's write lock. Under -race, a second writer shows up here.
func TestRawClientWritesOneAtATime(t *testing.T) {
	io, srv := newServer(t, sio.Config{PingInterval: time.Millisecond, PingTimeout: 5 * time.Second})
	io.OnConnection(func(s *sio.Socket) {
		s.On("n", func(e *sio.Event) { e.Ack() })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	for i := 0; i < 300; i++ {
		c.send(`421["n"]`)
		c.expect(`431[]`)
	}
}
