package engine_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/memtest"
	"github.com/sioworkbook/workbook/sio/engine"
)

// Every goroutine the engine starts ends with its connection: after many
// sessions of every kind have come and gone, the count is back to where it
// was.
func TestGoroutinesEndWithSessions(t *testing.T) {
	h := newTestHandler(t, true)
	e := newEnv(t, engine.Config{PingInterval: 200 * time.Millisecond, PingTimeout: 100 * time.Millisecond, CloseTimeout: 50 * time.Millisecond}, h)
	// warm the client's connection pool up, then measure
	e.handshake().post("1")
	e.client.CloseIdleConnections()
	time.Sleep(20 * time.Millisecond)
	base := runtime.NumGoroutine()

	var silent *wsClient // a client that neither reads nor closes
	for i := range 10 {
		// polling, closed by the client
		p := e.handshake()
		p.mustPost("4x")
		if status, body := p.get(); status != 200 || !strings.HasPrefix(body, "4x") {
			t.Fatalf("GET = %d %q", status, body)
		}
		p.post("1")
		// polling, closed by the server while a GET waits
		p = e.handshake()
		s := h.sessionByID(t, p.sid)
		get := p.pendingGet(t, s)
		s.Close("server")
		recv(t, get)
		// polling, left to time out
		e.handshake()
		// websocket, closed by the client
		ws, _ := openWS(t, e)
		ws.send("4x")
		ws.mustRead("4x")
		ws.send("1")
		ws.expectClosed()
		ws.c.Close()
		// websocket, closed by the server with packets queued
		ws, s = openWS(t, e)
		s.Send(engine.Message{Data: []byte("bye")})
		s.Close("server")
		ws.expectClosed()
		ws.c.Close()
		// websocket, dropped by the client
		ws, _ = openWS(t, e)
		ws.c.Close()
		// websocket, dropped by the server (Drop), and one with its
		// heartbeat stopped, closed by the client
		ws, s = openWS(t, e)
		s.Faults().Drop()
		ws.expectClosed()
		ws.c.Close()
		ws, s = openWS(t, e)
		s.Faults().StopHeartbeat()
		ws.c.Close()
		// polling, dropped by the server while a GET waits
		p = e.handshake()
		s = h.sessionByID(t, p.sid)
		aborted := make(chan struct{})
		go func() {
			defer close(aborted)
			if res, err := e.client.Get(e.url(p.query())); err == nil {
				res.Body.Close()
			}
		}()
		eventually(t, "a pending GET", s.Writable)
		s.Faults().Drop()
		<-aborted
		// upgraded, then dropped
		p = e.handshake()
		ws = e.dial("EIO=4&transport=websocket&sid=" + p.sid)
		ws.send("2probe")
		ws.mustRead("3probe")
		ws.send("5")
		ws.send("4up")
		ws.mustRead("4up")
		ws.c.Close()
		// probe abandoned
		p = e.handshake()
		ws = e.dial("EIO=4&transport=websocket&sid=" + p.sid)
		ws.send("2probe")
		ws.mustRead("3probe")
		ws.c.Close()
		p.post("1")
		if i == 0 {
			// a server-wide close too
			e.handshake()
			silent, _ = openWS(t, e)
		}
	}
	eventually(t, "all sessions to end", func() bool { return e.srv.Count() == 0 })
	// The server has sent the silent client its close frame and waits, up
	// to closeDrainTimeout, for it to close its end before closing the
	// connection (see lingerClose).
	silent.c.Close()
	e.client.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, baseline %d:\n%s", n, base, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawWebSocket opens a WebSocket with a bare net.Conn, so that the client
// side costs next to nothing in the measurements below.
func rawWebSocket(t testing.TB, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || res.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	return c
}

// An idle WebSocket session holds its bookkeeping and its connection: no
// writer goroutine, no write buffer, no read buffer, and on Linux no
// reader goroutine either (it waits in the server's poller; elsewhere a
// goroutine waits for its next byte).
func TestIdleWebSocketMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("memory figures are meaningless under the race detector")
	}
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	const n = 500
	conns := make([]net.Conn, 0, n)
	rawWebSocket(t, addr).Close() // warm up
	before := memtest.Measure()
	g0 := runtime.NumGoroutine()
	for range n {
		conns = append(conns, rawWebSocket(t, addr))
	}
	eventually(t, "sessions", func() bool { return e.srv.Count() >= n })
	// the writers end once the open packets are out
	want, maxBytes := idleGoroutines()
	eventually(t, "the goroutines to end", func() bool { return runtime.NumGoroutine()-g0 <= int(want*n)+n/100 })
	after := memtest.Measure()
	goroutines := float64(runtime.NumGoroutine()-g0) / n
	for _, c := range conns {
		c.Close()
	}
	eventually(t, "sessions to end", func() bool { return e.srv.Count() == 0 })

	// the client's end of each connection is in this process too: take
	// half of a plain TCP pair off
	per := after.Sub(before).Per(n).Total() - memtest.TCPPair(t, n).Total()/2
	t.Logf("idle WebSocket session, server side: about %d bytes (heap and stack), %.2f goroutines", per, goroutines)
	if goroutines > want+0.05 {
		t.Errorf("%.2f goroutines per idle session, want %.0f", goroutines, want)
	}
	if per > maxBytes {
		t.Errorf("%d bytes per idle session, want at most %d", per, maxBytes)
	}
}

// idleGoroutines returns the goroutines an idle WebSocket session holds,
// and the most bytes of heap and stack it may: with the poller (Linux)
// none and 4 KiB, or its reader and 8 KiB.
func idleGoroutines() (float64, int64) {
	if runtime.GOOS == "linux" {
		return 0, 4 << 10
	}
	return 1, 8 << 10
}
