package engine_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// dialSmall opens a raw WebSocket whose socket receive buffer is 4 KiB, as
// on a poor link, so that what the server writes soon fills the
// connection.
func dialSmall(t *testing.T, e *env) *websocket.Conn {
	t.Helper()
	nd := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	d := websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.DialContext(context.Background(), e.wsURL("EIO=4&transport=websocket"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestWriteNowPartialFrames: messages written at once, from the sending
// goroutine, to a client that does not read fill its connection, so that
// a frame goes out in part and the writer goroutine writes the rest.
// Meanwhile more messages queue behind it and the client pings. Once the
// client reads, every message arrives whole and in order, and a close
// after the last. (The pong may be among them, or dropped, as gorilla drops
// one it cannot write within its deadline: the connection is full.)
func TestWriteNowPartialFrames(t *testing.T) {
	engine.SetWriteNowGap(t, 0) // write at once whenever the writer is idle
	e := newEnv(t, engine.Config{PingInterval: time.Hour}, newTestHandler(t, false))
	c := dialSmall(t, e)
	if _, data, err := c.ReadMessage(); err != nil || !strings.HasPrefix(string(data), `0{"sid"`) {
		t.Fatalf("open packet: %q %v", data, err)
	}
	s := e.h.session(t)
	before := engine.PartialWrites()
	const n = 300
	body := strings.Repeat("x", 20<<10)
	var pongs atomic.Int32
	c.SetPongHandler(func(string) error { pongs.Add(1); return nil })
	for i := range n {
		if err := s.Send(engine.Message{Data: fmt.Appendf(nil, "%d %s", i, body)}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if i == n/2 {
			c.WriteControl(websocket.PingMessage, []byte("hi"), time.Now().Add(5*time.Second))
		}
	}
	partial := engine.PartialWrites() - before
	s.Close(engine.ReasonForcedClose)
	readNumbered(t, c, n, body)
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNoStatusReceived) {
		t.Errorf("after the last message: %v, want a close frame without status (1005)", err)
	}
	if pongs.Load() > 1 {
		t.Errorf("%d pongs, want 1 at most", pongs.Load())
	}
	if partial == 0 {
		t.Errorf("no frame was written in part: the test did not test the path it is for")
	}
	t.Logf("%d frames written in part", partial)
}

// readNumbered reads the n messages "<i> body" the tests sent, in order,
// each whole, within 30 seconds.
func readNumbered(t *testing.T, c *websocket.Conn, n int, body string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for i := range n {
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if want := fmt.Sprintf("4%d %s", i, body); string(data) != want {
			t.Fatalf("message %d: %.20q…, %d bytes; want %.20q…, %d bytes", i, data, len(data), want, len(want))
		}
	}
}
