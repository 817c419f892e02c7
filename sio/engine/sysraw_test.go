//go:build unix

package engine_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestRawReadAsConnRead: the engine's own read of a socket (which does not
// tell the runtime of a system call) returns what the connection's Read
// would: the bytes, an error wrapping os.ErrDeadlineExceeded past the read
// deadline, io.EOF at the peer's end, net.ErrClosed once closed, each
// worded as Read words it; a connection that is not a socket of its own
// is left to its Read.
func TestRawReadAsConnRead(t *testing.T) {
	c, peer := tcpPair(t)
	read := engine.NewRawRead()

	// nothing to read yet: it waits for the bytes
	go func() {
		time.Sleep(20 * time.Millisecond)
		peer.Write([]byte("hello"))
	}()
	b := make([]byte, 16)
	n, err, ok := read(c, b)
	if !ok || err != nil || string(b[:n]) != "hello" {
		t.Fatalf("read = %q, %v, %v; want hello", b[:n], err, ok)
	}

	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, rawErr, _ := read(c, b)
	_, connErr := c.Read(b)
	if !errors.Is(rawErr, os.ErrDeadlineExceeded) || rawErr.Error() != connErr.Error() {
		t.Errorf("past the deadline: %v; want %v", rawErr, connErr)
	}
	c.SetReadDeadline(time.Time{})

	peer.Close()
	if _, err, _ := read(c, b); err != io.EOF {
		t.Errorf("at the peer's end: %v; want io.EOF", err)
	}

	c.Close()
	_, rawErr, _ = read(c, b)
	_, connErr = c.Read(b)
	if !errors.Is(rawErr, net.ErrClosed) || rawErr.Error() != connErr.Error() {
		t.Errorf("closed: %v; want %v", rawErr, connErr)
	}

	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if _, _, ok := read(p1, b); ok {
		t.Error("a net.Pipe end was read as a socket")
	}
}

// tcpPair returns the two ends of a loopback TCP connection, closed when
// the test ends.
func tcpPair(t *testing.T) (c, peer net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	c, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer
}

// TestRawReadReset: after the peer resets the connection, the error is
// Read's own, "connection reset by peer" with the addresses.
func TestRawReadReset(t *testing.T) {
	c, peer := tcpPair(t)
	peer.(*net.TCPConn).SetLinger(0) // its close resets the connection
	peer.Close()
	_, err, _ := engine.NewRawRead()(c, make([]byte, 8))
	if err == nil || !strings.HasPrefix(err.Error(), "read tcp "+c.LocalAddr().String()+"->") {
		t.Errorf("after a reset: %v; want read's own wording", err)
	}
}

// TestNetpollWaitsInRuntimePoller: the goroutine that waits for idle
// WebSockets waits in the runtime's poller ("IO wait"), not in a blocking
// epoll_wait ("syscall"), whose thread the runtime hands its P away from,
// and whose waking keeps the runtime's monitor thread busy.
func TestNetpollWaitsInRuntimePoller(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the poller is Linux only")
	}
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{}, h)
	rc := dialRaw(t, e, "EIO=4&transport=websocket")
	defer rc.c.Close()
	s := h.session(t)
	eventually(t, "the session to wait in the poller", func() bool { return engine.PollIdle(s) })
	state := regexp.MustCompile(`(?m)^goroutine \d+ \[([^\]]*)\]:\n(?:.*\n)*?.*\(\*netpoll\)\.loop`)
	// the goroutine may still be on its way to its wait
	last := "no poller goroutine"
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range bytes.Split(buf, []byte("\n\n")) {
			if m := state.FindSubmatch(append(g, '\n')); m != nil {
				last = string(m[1])
			}
		}
		if strings.HasPrefix(last, "IO wait") {
			return
		}
	}
	t.Errorf("the poller's goroutine waits in [%s]; want [IO wait]", last)
}

// TestRaceDetectorSeesSocketIO: under -race, what one side does before it
// writes to the connection happens before what the other side does after
// reading it, as for a connection's own Read and Write, which tell the race
// detector so. The engine's own reads and writes must keep that: without
// it, a test that checks what a handler did once its client has the reply
// sees a race that is not there (lessons/jsserver TestAPISurface did).
func TestRaceDetectorSeesSocketIO(t *testing.T) {
	var before, after int
	h := newTestHandler(t, false)
	h.onMessage = func(s *engine.Session, data []byte, _ bool) {
		if before != 1 {
			t.Errorf("the handler sees before = %d, want 1", before)
		}
		after = 1
		s.Send(engine.Message{Data: []byte("done")})
	}
	e := newEnv(t, engine.Config{}, h)
	rc := dialRaw(t, e, "EIO=4&transport=websocket")
	defer rc.c.Close()
	before = 1
	rc.write(frame(true, 0, ws.OpText, true, []byte("4hello")))
	if f := rc.nextData(); string(f.Payload) != "4done" {
		t.Fatalf("got %q, want 4done", f.Payload)
	}
	if after != 1 {
		t.Errorf("the client sees after = %d, want 1", after)
	}
}
