package sio_test

import (
	"fmt"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/internal/leaktest"
	"github.com/sioworkbook/workbook/sio/parser"
)

// sioCode names the goroutines that run the code of sio or of the packages
// under it (the test's own clients are in package sio_test).
var sioCode = []string{"workbook/sio.", "workbook/sio/engine.", "workbook/sio/internal/"}

func TestGoroutinesEndWithConnections(t *testing.T) {
	base := runtime.NumGoroutine() // before the server exists
	// Pings come often, so that heartbeats are in flight as connections
	// close; a busy machine may take its time answering them.
	io := sio.NewServer(sio.Config{PingInterval: 20 * time.Millisecond, PingTimeout: 5 * time.Second})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()
	io.OnConnection(func(s *sio.Socket) {
		s.Join("all")
		s.On("echo", func(e *sio.Event) { e.Ack(e.Args()...) })
	})

	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := dialRaw(t, srv)
			c.connect("/", "")
			c.send(`421["echo","x"]`)
			c.expect(`431["x"]`)
			switch i % 3 {
			case 0:
				c.close() // transport close
			case 1:
				c.send("41") // leave the namespace, then close
				c.close()
			case 2:
				c.send(`42{"bad"`) // parse error: the server closes
				c.expectClosed()
				c.close()
			}
		}(i)
	}
	wg.Wait()
	io.To("all").Emit("after") // must not reach (or leak on) anyone
	// The server is still up: every goroutine that ran its code for a
	// connection has ended with it.
	leaktest.WaitMatching(t, 0, sioCode...)
	if n := io.MainNamespace().Len(); n != 0 {
		t.Fatalf("%d sockets still connected", n)
	}
	if rooms := io.MainNamespace().Adapter().Rooms(); len(rooms) != 0 {
		t.Fatalf("rooms left: %v", rooms)
	}
	// And once it is closed, the process is back to where it started.
	io.Close()
	srv.Close()
	leaktest.Wait(t, base)
}

// recorder keeps what its observer sees.
type recorder struct {
	mu      sync.Mutex
	debug   []string
	packets []string
	events  []string
}

// observer returns the hooks that feed r.
func (r *recorder) observer() *sio.Observer {
	return &sio.Observer{Opened: r.Opened, Upgraded: r.Upgraded, Closed: r.Closed, Packet: r.Packet, Debug: r.Debug, SocketPacket: r.SocketPacket}
}

func (r *recorder) Opened(s *engine.Session) { r.add(&r.events, "open") }
func (r *recorder) Upgraded(s *engine.Session, transport string) {
	r.add(&r.events, "upgrade "+transport)
}
func (r *recorder) Closed(s *engine.Session, reason engine.Reason) {
	r.add(&r.events, "close "+string(reason))
}
func (r *recorder) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	r.add(&r.packets, dir.String()+" eio "+p.Type.String()+" "+string(p.Data))
}
func (r *recorder) Debug(ns, sid, format string, args ...any) {
	r.add(&r.debug, ns+" "+fmt.Sprintf(format, args...))
}
func (r *recorder) SocketPacket(sid string, dir engine.Direction, p *parser.Packet) {
	r.add(&r.packets, dir.String()+" sio "+p.Type.String()+" "+p.Namespace+" "+string(p.Data))
}

func (r *recorder) add(list *[]string, s string) {
	r.mu.Lock()
	*list = append(*list, s)
	r.mu.Unlock()
}

func (r *recorder) has(list *[]string, substr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range *list {
		if strings.Contains(s, substr) {
			return true
		}
	}
	return false
}

func TestObserverSeesBothLayers(t *testing.T) {
	rec := &recorder{}
	io, srv := newServer(t, sio.Config{Observer: rec.observer()})
	io.OnConnection(func(s *sio.Socket) {
		s.Join("room-1")
		s.On("hi", func(e *sio.Event) { e.Ack("ho") })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`423["hi"]`)
	c.expect(`433["ho"]`)
	c.close()
	waitFor(t, func() bool { return rec.has(&rec.events, "close transport close") })

	for _, want := range []string{`in sio CONNECT /`, `out sio CONNECT / {"sid":`, `in sio EVENT / ["hi"]`, `out sio ACK / ["ho"]`, `in eio message 23["hi"]`, `out eio message 33["ho"]`} {
		if !rec.has(&rec.packets, want) {
			t.Errorf("no packet %q in %q", want, rec.packets)
		}
	}
	for _, want := range []string{"socket.io:socket join room [room-1]", "socket.io-parser decoded", "socket.io:namespace adding socket", "engine"} {
		if !rec.has(&rec.debug, want) {
			t.Errorf("no debug line %q", want)
		}
	}
	if !rec.has(&rec.events, "open") {
		t.Error("no open event")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestObserversTellEveryone(t *testing.T) {
	if sio.Observers(nil, nil) != nil {
		t.Fatal("Observers of nothing is not nil")
	}
	a, b := &recorder{}, &recorder{}
	if o := a.observer(); sio.Observers(nil, o) != o {
		t.Fatal("one observer is not returned as is")
	}
	// c sets one hook: it is called, and the others are skipped for it.
	var sent atomic.Int32
	c := &sio.Observer{SocketPacket: func(_ string, dir engine.Direction, p *parser.Packet) {
		if dir == engine.Out && p.Type == parser.Event {
			sent.Add(1)
		}
	}}
	io, srv := newServer(t, sio.Config{Observer: sio.Observers(a.observer(), nil, c, b.observer())})
	io.OnConnection(func(s *sio.Socket) { s.Emit("hi") })
	rc := dialRaw(t, srv)
	rc.connect("/", "")
	rc.expect(`42["hi"]`)
	for _, r := range []*recorder{a, b} {
		waitFor(t, func() bool { return r.has(&r.packets, `out eio message 2["hi"]`) })
		if !r.has(&r.events, "open") || !r.has(&r.debug, "socket.io") || !r.has(&r.packets, "out sio EVENT") {
			t.Errorf("an observer missed something: %v %v", r.events, r.packets)
		}
	}
	if n := sent.Load(); n != 1 {
		t.Errorf("the observer with one hook saw %d EVENTs out, want 1", n)
	}
}

// TestObserverOneHook: an Observer that sets only SocketPacket sees the
// packets, and the server runs as with no observer for the rest.
func TestObserverOneHook(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	obs := &sio.Observer{SocketPacket: func(_ string, dir engine.Direction, p *parser.Packet) {
		mu.Lock()
		seen = append(seen, dir.String()+" "+p.Type.String())
		mu.Unlock()
	}}
	io, srv := newServer(t, sio.Config{Observer: obs})
	io.OnConnection(func(s *sio.Socket) {
		s.On("hi", func(e *sio.Event) { e.Ack("ho") })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`421["hi"]`)
	c.expect(`431["ho"]`)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"in CONNECT", "out CONNECT", "in EVENT", "out ACK"}
	if !slices.Equal(seen, want) {
		t.Errorf("SocketPacket saw %v, want %v", seen, want)
	}
}
