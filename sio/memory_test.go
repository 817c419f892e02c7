package sio_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/memtest"
	"github.com/sioworkbook/workbook/sio"
)

// readServerFrame reads one unmasked, unfragmented text frame of under 126
// bytes, as the server sends its open packet and CONNECT reply.
func readServerFrame(r *bufio.Reader) (string, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", err
	}
	if h[0] != 0x81 || h[1] >= 126 {
		return "", fmt.Errorf("unexpected frame header % x", h)
	}
	b := make([]byte, h[1])
	_, err := io.ReadFull(r, b)
	return string(b), err
}

// connectMain is the frame of a CONNECT to the main namespace ("40"),
// masked with a zero key.
var connectMain = []byte{0x81, 0x82, 0, 0, 0, 0, '4', '0'}

// rawOpen opens an Engine.IO session over a WebSocket with a bare
// net.Conn, and reads its open packet.
func rawOpen(addr string) (net.Conn, *bufio.Reader, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(c, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	r := bufio.NewReader(c)
	res, err := http.ReadResponse(r, nil)
	if err != nil || res.StatusCode != 101 {
		c.Close()
		return nil, nil, fmt.Errorf("upgrade: %v %v", res, err)
	}
	if open, err := readServerFrame(r); err != nil || !strings.HasPrefix(open, `0{"sid":`) {
		c.Close()
		return nil, nil, fmt.Errorf("open packet: %q %v", open, err)
	}
	return c, r, nil
}

// rawSocket connects a Socket.IO client to the main namespace over a
// WebSocket with a bare net.Conn, so that the client side costs next to
// nothing in the measurement below: the bufio.Reader used for the
// handshake is dropped once the CONNECT reply has come.
func rawSocket(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, r, err := rawOpen(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(connectMain); err != nil {
		t.Fatal(err)
	}
	if reply, err := readServerFrame(r); err != nil || !strings.HasPrefix(reply, `40{"sid":`) {
		t.Fatalf("CONNECT reply: %q %v", reply, err)
	}
	return c
}

// An idle Socket.IO connection (a WebSocket, connected to the main
// namespace, with no handlers) holds its bookkeeping, in at most 4 KiB of
// heap and stack, and no goroutine on Linux, where it waits in the engine's
// poller (elsewhere its reader goroutine, in at most 8 KiB).
func TestIdleSocketMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("memory figures are meaningless under the race detector")
	}
	ioSrv, srv := newServer(t, sio.Config{})
	addr := strings.TrimPrefix(srv.URL, "http://")
	const n = 1000
	conns := make([]net.Conn, 0, 2*n)
	idle := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Warm up with n idle connections that stay open, so that what is
	// measured is what one more idle connection adds to a server that
	// holds idle connections. (It matters for the stack: the runtime starts
	// a goroutine with a stack the size of the average stack in use at the
	// last collection, which in a bare test process may be 4 KiB; a
	// goroutine keeps a stack it does not use three quarters of.)
	g0 := runtime.NumGoroutine()
	for range n {
		conns = append(conns, rawSocket(t, addr))
	}
	idle("the warm-up sockets", func() bool { return ioSrv.MainNamespace().Len() == n })
	idle("the warm-up goroutines to end", func() bool { return runtime.NumGoroutine()-g0 <= n })
	before := memtest.Measure()
	g0 = runtime.NumGoroutine()
	for range n {
		conns = append(conns, rawSocket(t, addr))
	}
	idle("sockets", func() bool { return ioSrv.MainNamespace().Len() == 2*n })
	// the readers, writers and mailboxes end once the CONNECT is done
	want, maxBytes := 1.0, int64(8<<10)
	if runtime.GOOS == "linux" {
		want, maxBytes = 0, 4<<10
	}
	idle("the goroutines to end", func() bool { return runtime.NumGoroutine()-g0 <= int(want*n)+n/100 })
	after := memtest.Measure()
	goroutines := float64(runtime.NumGoroutine()-g0) / n
	for _, c := range conns {
		c.Close()
	}
	idle("connections to end", func() bool { return ioSrv.Engine().Count() == 0 && ioSrv.MainNamespace().Len() == 0 })

	// the client's end of each connection is in this process too: take
	// half of a plain TCP pair off
	pair := memtest.TCPPair(t, n)
	u := after.Sub(before).Per(n)
	heap, stack := u.Heap-pair.Heap/2, u.Stack
	per := u.Total() - pair.Total()/2
	t.Logf("idle Socket.IO connection, server side: about %d bytes (heap %d, stack %d), %.2f goroutines", per, heap, stack, goroutines)
	if goroutines > want+0.05 {
		t.Errorf("%.2f goroutines per idle connection, want %.0f", goroutines, want)
	}
	if per > maxBytes {
		t.Errorf("%d bytes per idle connection, want at most %d", per, maxBytes)
	}
}
