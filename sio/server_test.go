package sio_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// newServer starts an httptest server around a sio.Server configured by cfg.
func newServer(t testing.TB, cfg sio.Config) (*sio.Server, *httptest.Server) {
	t.Helper()
	io := sio.NewServer(cfg)
	srv := httptest.NewServer(io)
	t.Cleanup(func() {
		io.Close()
		srv.Close()
	})
	return io, srv
}

// reasons records disconnect reasons by socket id.
type reasons struct {
	mu sync.Mutex
	m  map[string]sio.Reason
	ch chan string
}

func newReasons() *reasons { return &reasons{m: map[string]sio.Reason{}, ch: make(chan string, 16)} }

func (r *reasons) watch(s *sio.Socket) {
	s.OnDisconnect(func(reason sio.Reason) {
		r.mu.Lock()
		r.m[s.ID()] = reason
		r.mu.Unlock()
		r.ch <- s.ID()
	})
}

func (r *reasons) wait(t *testing.T, id string) sio.Reason {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		r.mu.Lock()
		reason, ok := r.m[id]
		r.mu.Unlock()
		if ok {
			return reason
		}
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("socket %s did not disconnect", id)
		}
	}
}

func TestConnectMainAndCustomNamespace(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.Of("/custom")
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	if len(id) != 20 {
		t.Fatalf("socket id %q: want 20 characters", id)
	}
	cid := c.connect("/custom", `{"token":"abc"}`)
	if cid == id {
		t.Fatal("the two namespaces share a socket id")
	}
}

func TestInvalidNamespace(t *testing.T) {
	_, srv := newServer(t, sio.Config{})
	c := dialRaw(t, srv)
	c.send("40/nope,")
	c.expect(`44/nope,{"message":"Invalid namespace"}`)
	// The session stays open: the main namespace still answers.
	c.connect("/", "")
}

func TestMiddlewareRejectsWithData(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	admin := io.Of("/admin")
	admin.Use(func(s *sio.Socket) error {
		if s.Handshake().Auth["token"] != "secret" {
			return &sio.ConnectError{Message: "not authorized", Data: map[string]any{"reason": "bad token"}}
		}
		return nil
	})
	admin.OnConnection(func(s *sio.Socket) { s.Emit("welcome", "admin") })
	c := dialRaw(t, srv)
	c.send("40/admin,")
	c.expect(`44/admin,{"message":"not authorized","data":{"reason":"bad token"}}`)
	c.send(`40/admin,{"token":"secret"}`)
	c.expect(`40/admin,{"sid":"`)
	c.expect(`42/admin,["welcome","admin"]`)

	io.Use(func(s *sio.Socket) error { return errors.New("plain error") })
	c.send("40")
	c.expect(`44{"message":"plain error"}`)
}

func TestHandshakeDetails(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	got := make(chan *sio.Handshake, 1)
	io.OnConnection(func(s *sio.Socket) { got <- s.Handshake() })
	c := dialRaw(t, srv)
	c.send(`40{"token":"123"}`)
	h := <-got
	if h.Auth["token"] != "123" || string(h.RawAuth) != `{"token":"123"}` {
		t.Errorf("auth = %v / %s", h.Auth, h.RawAuth)
	}
	if h.Query.Get("EIO") != "4" || h.Address != "127.0.0.1" || h.Time.IsZero() {
		t.Errorf("handshake = %+v", h)
	}
}

func TestEventsAndAcks(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	events := make(chan *sio.Event, 4)
	io.OnConnection(func(s *sio.Socket) {
		s.On("hello", func(e *sio.Event) {
			events <- e
			if e.HasAck() {
				e.Ack("got it", 42)
			}
		})
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`42["hello","wörld 😀",1.5,{"a":[true,null]}]`)
	e := <-events
	if e.Name != "hello" || e.Len() != 3 || e.String(0) != "wörld 😀" || e.Arg(1) != 1.5 {
		t.Fatalf("event = %s %v", e.Name, e.Args())
	}
	var s string
	var f float64
	var obj struct{ A []any }
	if err := e.Bind(&s, &f, &obj); err != nil || obj.A[0] != true {
		t.Fatalf("Bind: %v %v", err, obj)
	}
	c.send(`427["hello"]`)
	<-events
	c.expect(`437["got it",42]`)
}

func TestServerEmitWithAck(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	sockets := make(chan *sio.Socket, 1)
	io.OnConnection(func(s *sio.Socket) { sockets <- s })
	c := dialRaw(t, srv)
	c.connect("/", "")
	s := <-sockets

	type result struct {
		args []any
		err  error
	}
	done := make(chan result, 1)
	go func() {
		args, err := s.Timeout(2*time.Second).EmitWithAck(context.Background(), "question", "what?")
		done <- result{args, err}
	}()
	q := c.expect(`42`)
	id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["question","what?"]`)
	c.send("43" + id + `["answer",7]`)
	r := <-done
	if r.err != nil || len(r.args) != 2 || r.args[0] != "answer" || r.args[1] != 7.0 {
		t.Fatalf("EmitWithAck = %v, %v", r.args, r.err)
	}

	// (No answer: timers_test.go.)

	// Callback form.
	got := make(chan []any, 1)
	s.Emit("cb", 1, sio.AckFunc(func(args []any, err error) { got <- args }))
	q = c.expect("42")
	id = strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["cb",1]`)
	c.send("43" + id + `[]`)
	if a := <-got; len(a) != 0 {
		t.Fatalf("ack args = %v", a)
	}
}

func TestBinaryBothWays(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("bin", func(e *sio.Event) {
			args := e.Args()
			e.Ack(args...)
		})
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`452-3["bin",{"_placeholder":true,"num":0},{"x":{"num":1,"_placeholder":true}}]`)
	c.sendBinary([]byte{1, 2})
	c.sendBinary([]byte{3})
	c.expect(`462-3[{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}}]`)
	if f := c.next(); string(f.binary) != "\x01\x02" {
		t.Fatalf("attachment 0 = %x", f.binary)
	}
	if f := c.next(); string(f.binary) != "\x03" {
		t.Fatalf("attachment 1 = %x", f.binary)
	}
}

func TestRoomsAndBroadcast(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("join", func(e *sio.Event) { s.Join(e.String(0)); e.Ack(true) })
		s.On("to-room", func(e *sio.Event) { s.To(e.String(0)).Emit("room-msg", e.Arg(1)) })
	})
	a, b, c := dialRaw(t, srv), dialRaw(t, srv), dialRaw(t, srv)
	a.connect("/", "")
	b.connect("/", "")
	c.connect("/", "")
	a.send(`420["join","r1"]`)
	a.expect("430[true]")
	b.send(`420["join","r1"]`)
	b.expect("430[true]")

	a.send(`42["to-room","r1","hi"]`)
	b.expect(`42["room-msg","hi"]`)
	a.expectNothing(100 * time.Millisecond)
	c.expectNothing(0)

	io.To("r1").Emit("all-r1")
	a.expect(`42["all-r1"]`)
	b.expect(`42["all-r1"]`)
	io.Except("r1").Emit("not-r1")
	c.expect(`42["not-r1"]`)
	io.Emit("everyone", 1)
	for _, x := range []*rawClient{a, b, c} {
		x.expect(`42["everyone",1]`)
	}
	a.expectNothing(50 * time.Millisecond)
	b.expectNothing(0)

	if n := len(io.In("r1").FetchSockets()); n != 2 {
		t.Fatalf("FetchSockets in r1 = %d", n)
	}
	io.SocketsJoin("all")
	if n := len(io.To("all").FetchSockets()); n != 3 {
		t.Fatalf("after SocketsJoin: %d in all", n)
	}
	io.In("r1").SocketsLeave("all")
	if n := len(io.To("all").FetchSockets()); n != 1 {
		t.Fatalf("after SocketsLeave: %d in all", n)
	}
}

func TestBroadcastEmitWithAck(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	clients := []*rawClient{dialRaw(t, srv), dialRaw(t, srv), dialRaw(t, srv)}
	for _, c := range clients {
		c.connect("/", "")
	}
	done := make(chan []any, 1)
	go func() {
		res, err := io.Timeout(2*time.Second).EmitWithAck(context.Background(), "poll")
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	for i, c := range clients {
		q := c.expect("42")
		id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["poll"]`)
		c.send("43" + id + `["c` + string(rune('0'+i)) + `"]`)
	}
	res := <-done
	got := make([]string, len(res))
	for i, r := range res {
		got[i] = r.(string)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "c0,c1,c2" {
		t.Fatalf("responses = %v", got)
	}
	// (A client that stays silent: timers_test.go.)
}

func TestDisconnectReasons(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	rs := newReasons()
	sockets := make(chan *sio.Socket, 4)
	io.OnConnection(func(s *sio.Socket) { rs.watch(s); sockets <- s })

	// Client leaves the namespace.
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	<-sockets
	c.send("41")
	if r := rs.wait(t, id); r != sio.ReasonClientNamespaceDisconnect {
		t.Errorf("client leave: %q", r)
	}
	// The engine stays open: it can connect again.
	id = c.connect("/", "")
	s := <-sockets

	// Server disconnects the socket: the client is told.
	s.Disconnect()
	c.expect("41")
	if r := rs.wait(t, id); r != sio.ReasonServerNamespaceDisconnect {
		t.Errorf("server disconnect: %q", r)
	}

	// Transport closed by the client.
	c2 := dialRaw(t, srv)
	id2 := c2.connect("/", "")
	<-sockets
	c2.ws.Close()
	if r := rs.wait(t, id2); r != sio.ReasonTransportClose {
		t.Errorf("transport close: %q", r)
	}

	// Undecodable packet.
	c3 := dialRaw(t, srv)
	id3 := c3.connect("/", "")
	<-sockets
	c3.send(`42{"not":"an array"}`)
	c3.expectClosed()
	if r := rs.wait(t, id3); r != sio.ReasonParseError {
		t.Errorf("parse error: %q", r)
	}

	// Reserved event name from the client.
	c4 := dialRaw(t, srv)
	id4 := c4.connect("/", "")
	<-sockets
	c4.send(`42["disconnect"]`)
	c4.expectClosed()
	if r := rs.wait(t, id4); r != sio.ReasonParseError {
		t.Errorf("reserved event: %q", r)
	}

	// Server shutdown.
	c5 := dialRaw(t, srv)
	id5 := c5.connect("/", "")
	<-sockets
	io.Close()
	if r := rs.wait(t, id5); r != sio.ReasonServerShuttingDown {
		t.Errorf("close: %q", r)
	}
}

// TestCloseConnection: CloseConnection disconnects every namespace the
// client joined on the connection, telling the client for each, then closes
// the connection; Disconnect leaves the other namespaces alone.
func TestCloseConnection(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	rs := newReasons()
	sockets := make(chan *sio.Socket, 4)
	io.OnConnection(func(s *sio.Socket) { rs.watch(s); sockets <- s })
	io.Of("/admin").OnConnection(func(s *sio.Socket) { rs.watch(s); sockets <- s })

	c := dialRaw(t, srv)
	main := c.connect("/", "")
	s := <-sockets
	admin := c.connect("/admin", "")
	<-sockets
	s.CloseConnection()
	c.expect("41")
	c.expect("41/admin,")
	c.expectClosed()
	for _, id := range []string{main, admin} {
		if r := rs.wait(t, id); r != sio.ReasonServerNamespaceDisconnect {
			t.Errorf("socket %s: %q, want %q", id, r, sio.ReasonServerNamespaceDisconnect)
		}
	}
}

func TestDisconnectingSeesRooms(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	rooms := make(chan []string, 1)
	release := make(chan struct{})
	io.OnConnection(func(s *sio.Socket) {
		// The CONNECT reply goes out before this handler runs, so the
		// client's 41 can arrive while it is still running: the handler
		// must finish, and its rooms be seen, before the socket leaves.
		<-release
		s.Join("kept")
		s.OnDisconnecting(func(sio.Reason) { rooms <- s.Rooms() })
	})
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	c.send("41")
	time.Sleep(50 * time.Millisecond) // widens the window; passing does not depend on it
	close(release)
	got := <-rooms
	sort.Strings(got)
	want := []string{id, "kept"}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rooms in disconnecting = %v, want %v", got, want)
	}
	// the socket leaves its rooms after the disconnecting handlers, on the
	// handler goroutine: wait for it
	waitFor(t, func() bool { return len(io.MainNamespace().Adapter().Rooms()) == 0 })
}

func TestInvalidStateClosesConnection(t *testing.T) {
	_, srv := newServer(t, sio.Config{})
	for _, pkt := range []string{`42["early"]`, `42/admin,["x"]`, `44{"message":"x"}`, `4abc`} {
		c := dialRaw(t, srv)
		c.send(pkt)
		c.expectClosed()
	}
	// A second CONNECT to the same namespace.
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send("40")
	c.expectClosed()
}

func TestDynamicNamespaces(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	dyn := io.OfRegexp(regexp.MustCompile(`^/dyn-[a-z0-9]+$`))
	dyn.OnConnection(func(s *sio.Socket) { s.Emit("nsp", s.Namespace().Name()) })
	c := dialRaw(t, srv)
	c.connect("/dyn-42", "")
	c.expect(`42/dyn-42,["nsp","/dyn-42"]`)
	c.send("40/dyn-NOPE,")
	c.expect(`44/dyn-NOPE,{"message":"Invalid namespace"}`)
	if len(dyn.Children()) != 1 {
		t.Fatalf("children = %d", len(dyn.Children()))
	}
}

func TestReservedEmit(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	errs := make(chan error, 1)
	io.OnConnection(func(s *sio.Socket) { errs <- s.Emit("disconnect") })
	dialRaw(t, srv).connect("/", "")
	if err := <-errs; !errors.Is(err, sio.ErrReservedEvent) {
		t.Fatalf("err = %v", err)
	}
	if err := io.Emit("connect"); !errors.Is(err, sio.ErrReservedEvent) {
		t.Fatalf("broadcast err = %v", err)
	}
}

func TestHandlerMayBlockOnAck(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("ask-me", func(e *sio.Event) {
			args, err := s.Timeout(2*time.Second).EmitWithAck(context.Background(), "q")
			if err != nil {
				e.Ack("error", err.Error())
				return
			}
			e.Ack(args...)
		})
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`421["ask-me"]`)
	q := c.expect("42")
	id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["q"]`)
	c.send("43" + id + `["fine"]`)
	c.expect(`431["fine"]`)
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("boom", func(e *sio.Event) { panic("boom") })
		s.On("ping", func(e *sio.Event) { e.Ack("pong") })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	c.send(`42["boom"]`)
	c.send(`425["ping"]`)
	c.expect(`435["pong"]`)
}

func TestOnceOffAny(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	seen := make(chan string, 16)
	io.OnConnection(func(s *sio.Socket) {
		s.OnAny(func(e *sio.Event) { seen <- "any:" + e.Name })
		s.Once("once", func(e *sio.Event) { seen <- "once" })
		remove := s.On("removed", func(e *sio.Event) { seen <- "removed" })
		remove()
		s.On("off", func(e *sio.Event) { seen <- "off" })
		s.Off("off")
		s.On("end", func(e *sio.Event) { seen <- "end" })
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	for _, ev := range []string{"once", "once", "removed", "off", "end"} {
		c.send(`42["` + ev + `"]`)
	}
	var got []string
	for len(got) < 7 {
		got = append(got, <-seen)
	}
	want := "any:once,once,any:once,any:removed,any:off,any:end,end"
	if strings.Join(got, ",") != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
}
