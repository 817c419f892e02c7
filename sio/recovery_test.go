package sio_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// recoveryServer serves "/" with connection state recovery: each socket
// joins room "r" when it connects and reports its disconnect on gone, once
// its session is kept (disconnect handlers run after that).
func recoveryServer(t *testing.T, cfg *sio.RecoveryConfig) (*sio.Server, *httptest.Server, chan *sio.Socket, chan string) {
	t.Helper()
	io, srv := newServer(t, sio.Config{ConnectionStateRecovery: cfg})
	conns := make(chan *sio.Socket, 16)
	gone := make(chan string, 64)
	io.OnConnection(func(s *sio.Socket) {
		if !s.Recovered() {
			s.Join("r")
		}
		s.On("hello", func(e *sio.Event) { _ = s.Emit("hello-back", e.Args()...) })
		s.On("ack", func(e *sio.Event) { _ = e.Ack(true) })
		s.OnDisconnect(func(sio.Reason) { gone <- s.ID() })
		conns <- s
	})
	return io, srv, conns, gone
}

// offsetOf returns the offset an event carries as its last argument.
func offsetOf(t *testing.T, text string) string {
	t.Helper()
	i := strings.IndexByte(text, '[')
	var args []any
	if i < 0 || json.Unmarshal([]byte(text[i:]), &args) != nil || len(args) < 2 {
		t.Fatalf("no offset in %q", text)
	}
	off, ok := args[len(args)-1].(string)
	if !ok {
		t.Fatalf("last argument of %q is not a string", text)
	}
	return off
}

// waitGone waits until socket sid has disconnected and its session is
// kept, skipping other sockets' disconnects.
func waitGone(t *testing.T, gone chan string, sid string) {
	t.Helper()
	for receive(t, gone, "disconnect of "+sid) != sid {
	}
}

func receive[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("no %s within %v", what, waitLimit)
	}
	var zero T
	return zero
}

var connectReply = regexp.MustCompile(`^40\{"sid":"([\w-]+)","pid":"([\w-]+)"\}$`)

// TestRecoveryWire plays a recovery by hand and checks every frame: the
// CONNECT reply with a pid, offsets as the last argument of events (direct
// and broadcast, binary after the placeholders) and never on acks or
// volatile events, then, after the transport dropped, the missed events in
// order (those to everyone and to the socket's rooms, not those to other
// rooms or excluding it), then the same sid and pid, with rooms kept.
func TestRecoveryWire(t *testing.T) {
	io, srv, conns, gone := recoveryServer(t, &sio.RecoveryConfig{})
	c := dialRaw(t, srv)
	c.send("40")
	m := connectReply.FindStringSubmatch(c.expect(`40{"sid":"`))
	if m == nil {
		t.Fatalf("CONNECT reply without a pid")
	}
	sid, pid := m[1], m[2]
	if sid == pid {
		t.Fatalf("pid %q is the sid", pid)
	}
	s := receive(t, conns, "connection")

	c.send(`42["hello","x"]`)
	first := offsetOf(t, c.expect(`42["hello-back","x","`))
	c.send(`421["ack"]`)
	c.expect(`431[true]`) // an ack gets none
	if err := s.Emit("ask", func([]any, error) {}); err != nil {
		t.Fatal(err)
	}
	if f := c.expect(`42`); !regexp.MustCompile(`^42\d+\["ask"\]$`).MatchString(f) {
		t.Fatalf("an event with an ack id: %q, want no offset", f) // nor does an event that asks for one
	}
	if err := s.Emit("bin", []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	bin := c.expect(`451-["bin",{"_placeholder":true,"num":0},"`)
	if f := c.next(); string(f.binary) != "\x01\x02" {
		t.Fatalf("attachment %x", f.binary)
	}
	// A volatile event is dropped when the transport is busy: try until
	// one goes through, each followed by a plain one to know.
	for seen := false; !seen; {
		if err := s.Volatile().Emit("vol"); err != nil {
			t.Fatal(err)
		}
		if err := s.Emit("sync"); err != nil {
			t.Fatal(err)
		}
		if f := c.expect(`42[`); f == `42["vol"]` {
			seen = true
			c.expect(`42["sync","`)
		} else if !strings.HasPrefix(f, `42["sync","`) {
			t.Fatalf("got %q, want vol (no offset) or sync", f)
		}
	}
	if err := io.Emit("all", 1); err != nil {
		t.Fatal(err)
	}
	last := offsetOf(t, c.expect(`42["all",1,"`))
	if !(first < offsetOf(t, bin) && offsetOf(t, bin) < last) {
		t.Errorf("offsets out of order: %s %s %s", first, offsetOf(t, bin), last)
	}

	c.close() // the transport drops: "transport close"
	waitGone(t, gone, sid)
	for _, emit := range []func() error{
		func() error { return io.Emit("m", 1) },
		func() error { return io.To("other").Emit("m", "other room") },
		func() error { return io.To("r").Emit("m", 2) },
		func() error { return io.Except("r").Emit("m", "excluded") },
		func() error { return io.Volatile().Emit("m", "volatile") },
		func() error { return s.Emit("m", 3) }, // to the gone socket: kept for it
		func() error { return io.To(sid).Emit("m", []byte{4}) },
	} {
		if err := emit(); err != nil {
			t.Fatal(err)
		}
	}

	c2 := dialRaw(t, srv)
	c2.send(`40{"pid":"` + pid + `","offset":"` + last + `","token":"t"}`)
	c2.expect(`42["m",1,"`)
	c2.expect(`42["m",2,"`)
	c2.expect(`42["m",3,"`)
	c2.expect(`451-["m",{"_placeholder":true,"num":0},"`)
	if f := c2.next(); string(f.binary) != "\x04" {
		t.Fatalf("attachment %x", f.binary)
	}
	if got, want := c2.expect("40"), `40{"sid":"`+sid+`","pid":"`+pid+`"}`; got != want {
		t.Fatalf("CONNECT reply %q, want %q", got, want)
	}
	s2 := receive(t, conns, "connection")
	if !s2.Recovered() || s2.ID() != sid {
		t.Fatalf("socket %s recovered %v", s2.ID(), s2.Recovered())
	}
	if got := strings.Join(s2.Rooms(), ","); got != "r,"+sid && got != sid+",r" {
		t.Errorf("rooms %s", got)
	}
	if auth := s2.Handshake().Auth; auth["pid"] != pid || auth["offset"] != last || auth["token"] != "t" {
		t.Errorf("auth %v", auth)
	}
	// Live events go on after the replay.
	if err := io.To("r").Emit("live"); err != nil {
		t.Fatal(err)
	}
	c2.expect(`42["live","`)
}

// TestRecoveryRefused: each condition that makes the server start a new
// session instead.
func TestRecoveryRefused(t *testing.T) {
	_, srv, conns, gone := recoveryServer(t, &sio.RecoveryConfig{})
	// session connects one client, gets an offset, and returns its ids.
	session := func() (c *rawClient, sid, pid, off string) {
		c = dialRaw(t, srv)
		c.send("40")
		m := connectReply.FindStringSubmatch(c.expect(`40{"sid":"`))
		receive(t, conns, "connection")
		c.send(`42["hello"]`)
		return c, m[1], m[2], offsetOf(t, c.expect(`42["hello-back","`))
	}
	fresh := func(t *testing.T, payload, oldSID string) {
		t.Helper()
		c := dialRaw(t, srv)
		c.send("40" + payload)
		m := connectReply.FindStringSubmatch(c.expect(`40{"sid":"`))
		if m == nil || m[1] == oldSID {
			t.Fatalf("reply %v, want a new sid", m)
		}
		if s := receive(t, conns, "connection"); s.Recovered() {
			t.Fatal("recovered")
		}
	}
	t.Run("client disconnect", func(t *testing.T) {
		c, sid, pid, off := session()
		c.send("41")
		waitGone(t, gone, sid)
		fresh(t, `{"pid":"`+pid+`","offset":"`+off+`"}`, sid)
	})
	t.Run("unknown offset", func(t *testing.T) {
		c, sid, pid, _ := session()
		c.close()
		waitGone(t, gone, sid)
		fresh(t, `{"pid":"`+pid+`","offset":"zzzzzzzzzzzzz"}`, sid)
	})
	t.Run("not strings", func(t *testing.T) {
		c, sid, pid, off := session()
		c.close()
		waitGone(t, gone, sid)
		fresh(t, `{"pid":["`+pid+`"],"offset":"`+off+`"}`, sid)
		// The session is still kept: a proper request restores it.
		c2 := dialRaw(t, srv)
		c2.send(`40{"pid":"` + pid + `","offset":"` + off + `"}`)
		c2.expect(`40{"sid":"` + sid + `"`)
		receive(t, conns, "connection")
	})
	t.Run("once", func(t *testing.T) {
		c, sid, pid, off := session()
		c.close()
		waitGone(t, gone, sid)
		c2 := dialRaw(t, srv)
		c2.send(`40{"pid":"` + pid + `","offset":"` + off + `"}`)
		c2.expect(`40{"sid":"` + sid + `"`)
		receive(t, conns, "connection")
		fresh(t, `{"pid":"`+pid+`","offset":"`+off+`"}`, sid)
	})
}

// TestRecoveryMiddlewares: skipped for a restored session by default, run
// with RunMiddlewares.
func TestRecoveryMiddlewares(t *testing.T) {
	for _, run := range []bool{false, true} {
		io, srv, conns, gone := recoveryServer(t, &sio.RecoveryConfig{RunMiddlewares: run})
		ran := make(chan bool, 4)
		io.Use(func(s *sio.Socket) error { ran <- s.Recovered(); return nil })
		c := dialRaw(t, srv)
		c.send("40")
		m := connectReply.FindStringSubmatch(c.expect(`40{"sid":"`))
		receive(t, conns, "connection")
		receive(t, ran, "middleware")
		c.send(`42["hello"]`)
		off := offsetOf(t, c.expect(`42["hello-back","`))
		c.close()
		waitGone(t, gone, m[1])
		c2 := dialRaw(t, srv)
		c2.send(`40{"pid":"` + m[2] + `","offset":"` + off + `"}`)
		c2.expect(`40{"sid":"` + m[1] + `"`)
		receive(t, conns, "connection")
		select {
		case r := <-ran:
			if !run || !r {
				t.Errorf("RunMiddlewares %v: middleware ran (recovered %v)", run, r)
			}
		default:
			if run {
				t.Errorf("RunMiddlewares: middleware did not run")
			}
		}
	}
}

// TestRecoveryOff: without ConnectionStateRecovery, no pid and no offsets.
func TestRecoveryOff(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	io.OnConnection(func(s *sio.Socket) { _ = s.Emit("hi") })
	c := dialRaw(t, srv)
	c.send("40")
	if reply := c.expect(`40{"sid":"`); strings.Contains(reply, "pid") {
		t.Fatalf("reply %q", reply)
	}
	c.expect(`42["hi"]`)
}

// TestRecoveryLocalOnly: an event sent to this node only (LocalOnly) is
// logged too, whatever wraps the in-memory adapter, as in Node.
func TestRecoveryLocalOnly(t *testing.T) {
	type wrapped struct{ *sio.MemoryAdapter } // as sio/admin wraps it
	io, srv := newServer(t, sio.Config{
		ConnectionStateRecovery: &sio.RecoveryConfig{},
		NewAdapter:              func(*sio.Namespace) sio.Adapter { return wrapped{sio.NewMemoryAdapter()} },
	})
	conns := make(chan *sio.Socket, 1)
	io.OnConnection(func(s *sio.Socket) { conns <- s })
	c := dialRaw(t, srv)
	c.send("40")
	c.expect(`40{"sid":"`)
	receive(t, conns, "connection")
	if err := io.MainNamespace().LocalOnly().Emit("local", 1); err != nil {
		t.Fatal(err)
	}
	offsetOf(t, c.expect(`42["local",1,"`))
}
