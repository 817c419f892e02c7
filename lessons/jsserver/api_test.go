package jsserver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// apiScript uses every name of the API surface the lessons need; the test
// drives it from clients.
const apiScript = `io.use((socket, next) => next());
io.on("connection", (socket) => {
  socket.join("lobby");
  socket.on("add", (a, b, callback) => callback(a + b));
  socket.on("rooms", (callback) => callback([...socket.rooms].filter((r) => r !== socket.id).sort()));
  socket.on("join", (room, callback) => { socket.join(room); callback(); });
  socket.on("leave", (room, callback) => { socket.leave(room); callback(); });
  socket.on("toRoom", (room, msg) => io.to(room).emit("news", msg));
  socket.on("inRoom", (room, msg) => io.sockets.in(room).emit("news", msg));
  socket.on("exceptRoom", (room, msg) => io.except(room).emit("news", msg));
  socket.on("fromMe", (room, msg) => socket.to(room).emit("news", msg));
  socket.on("everyone", (msg) => io.sockets.emit("news", msg));
  socket.on("others", (msg) => socket.broadcast.emit("news", msg));
  socket.on("handshake", (callback) => callback({
    q: socket.handshake.query.q, header: socket.handshake.headers["x-test"],
    auth: socket.handshake.auth, address: socket.handshake.address, id: socket.id,
  }));
  socket.on("setData", (v, callback) => { socket.data = v; callback(socket.data); });
  socket.on("askClient", (callback) => socket.emit("question", "2+2?", (answer) => callback("the client said " + answer)));
  socket.on("askSilent", (callback) => socket.timeout(100).emit("silent", (err) => callback(err ? err.message : "answered")));
  socket.on("echoBytes", (data, callback) => callback(data, data.length, data instanceof Uint8Array));
  socket.on("digest", async (data, callback) => callback(await crypto.subtle.digest("SHA-256", data)));
  socket.on("kickMe", () => socket.disconnect());
  socket.on("tick", (n, callback) => {
    let i = 0;
    const t = setInterval(() => { if (++i === n) { clearInterval(t); callback(i); } }, 10);
  });
  socket.on("disconnecting", (reason) => console.log("leaving", [...socket.rooms].filter((r) => r !== socket.id).sort().join(","), reason));
  socket.on("disconnect", (reason) => console.log("gone", reason));
});
const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth.token === "secret") return next();
  const err = new Error("not authorized");
  err.data = { hint: "bring the token" };
  next(err);
});
admin.on("connection", (socket) => admin.emit("adminNews", "hello admins"));
`

// inbox keeps the "news" a client receives, in order.
type inbox chan any

func listen(s *client.Socket, event string) inbox {
	in := make(inbox, 64)
	s.On(event, func(e *client.Event) { in <- e.Arg(0) })
	return in
}

// next returns the next value, failing after 10 s.
func (in inbox) next(t *testing.T) any {
	t.Helper()
	select {
	case v := <-in:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received within 10 s")
	}
	return nil
}

// connectTo connects a client with handlers set before it connects.
func connectTo(t *testing.T, rawURL string, opts client.Options, setup func(*client.Socket)) (*client.Socket, error) {
	t.Helper()
	opts.NoAutoConnect, opts.NoReconnection, opts.ForceNew = true, true, true
	if opts.Auth == nil {
		opts.Auth = map[string]any{}
	}
	s, err := client.New(rawURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Manager().Close() })
	if setup != nil {
		setup(s)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return s, s.ConnectContext(ctx)
}

func call(t *testing.T, s *client.Socket, event string, args ...any) []any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := s.EmitWithAck(ctx, event, args...)
	if err != nil {
		t.Fatalf("%s: %v", event, err)
	}
	return res
}

func TestAPISurface(t *testing.T) {
	log := step.NewLog(nil)
	var goData any
	in, err := jsserver.Start(jsserver.Config{Source: apiScript, Log: log, Setup: func(io *sio.Server) {
		io.OnConnection(func(s *sio.Socket) {
			s.On("goData", func(e *sio.Event) { goData = s.Data(); e.Ack() })
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	t.Cleanup(func() { in.Close(); srv.Close() })

	var aNews, bNews, cNews inbox
	a, err := connectTo(t, srv.URL+"?q=one", client.Options{Header: http.Header{"X-Test": {"yes"}}, Auth: map[string]any{"name": "ann"}},
		func(s *client.Socket) {
			aNews = listen(s, "news")
			s.On("question", func(e *client.Event) { _ = e.Ack(4) })
		})
	if err != nil {
		t.Fatal(err)
	}
	b, err := connectTo(t, srv.URL, client.Options{}, func(s *client.Socket) { bNews = listen(s, "news") })
	if err != nil {
		t.Fatal(err)
	}
	c, err := connectTo(t, srv.URL, client.Options{}, func(s *client.Socket) { cNews = listen(s, "news") })
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ack callbacks", func(t *testing.T) {
		if got := call(t, a, "add", 2, 3); !reflect.DeepEqual(got, []any{float64(5)}) {
			t.Errorf("add: %v", got)
		}
		if got := call(t, a, "askClient"); got[0] != "the client said 4" {
			t.Errorf("server to client ack: %v", got)
		}
		if got := call(t, b, "askSilent"); got[0] != "operation has timed out" {
			t.Errorf("timeout(100).emit to a client that does not answer: %v", got)
		}
	})
	t.Run("handshake", func(t *testing.T) {
		got, _ := call(t, a, "handshake")[0].(map[string]any)
		if got["q"] != "one" || got["header"] != "yes" || !reflect.DeepEqual(got["auth"], map[string]any{"name": "ann"}) || got["address"] != "127.0.0.1" || got["id"] == "" {
			t.Errorf("handshake: %v", got)
		}
	})
	t.Run("socket.data reaches the Go side", func(t *testing.T) {
		if got := call(t, c, "setData", "Ana"); got[0] != "Ana" {
			t.Errorf("socket.data: %v", got)
		}
		call(t, c, "goData")
		if goData != "Ana" {
			t.Errorf("Socket.Data() = %v", goData)
		}
	})
	t.Run("rooms", func(t *testing.T) {
		call(t, a, "join", "red")
		call(t, b, "join", "red")
		if got := call(t, a, "rooms"); !reflect.DeepEqual(got[0], []any{"lobby", "red"}) {
			t.Errorf("socket.rooms: %v", got)
		}
		// Each client's news arrive in order, so the marker that every
		// client gets last shows what each did not get before it.
		step := func(event string, args ...any) {
			t.Helper()
			if err := a.Emit(event, args...); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(name string, box inbox, want ...any) {
			t.Helper()
			for _, w := range want {
				if got := box.next(t); got != w {
					t.Errorf("%s got %v, want %v", name, got, w)
				}
			}
		}
		step("toRoom", "red", "io.to")
		step("inRoom", "red", "io.sockets.in")
		step("exceptRoom", "red", "io.except")
		step("fromMe", "red", "socket.to")
		step("others", "socket.broadcast")
		step("everyone", "marker")
		expect("a", aNews, "io.to", "io.sockets.in", "marker")
		expect("b", bNews, "io.to", "io.sockets.in", "socket.to", "socket.broadcast", "marker")
		expect("c", cNews, "io.except", "socket.broadcast", "marker")
		call(t, b, "leave", "red")
		if got := call(t, b, "rooms"); !reflect.DeepEqual(got[0], []any{"lobby"}) {
			t.Errorf("after leave: %v", got)
		}
	})
	t.Run("binary", func(t *testing.T) {
		got := call(t, a, "echoBytes", []byte{0, 0xff, 'a'})
		if b, _ := got[0].([]byte); !bytes.Equal(b, []byte{0, 0xff, 'a'}) || got[1] != float64(3) || got[2] != true {
			t.Errorf("echoBytes: %v", got)
		}
		sum, _ := call(t, a, "digest", []byte("hello"))[0].([]byte)
		if len(sum) != 32 || sum[0] != 0x2c {
			t.Errorf("digest: %x", sum)
		}
	})
	t.Run("timers", func(t *testing.T) {
		if got := call(t, a, "tick", 3); got[0] != float64(3) {
			t.Errorf("setInterval: %v", got)
		}
	})
	t.Run("namespaces and middlewares", func(t *testing.T) {
		var ce *client.ConnectError
		if _, err := connectTo(t, srv.URL+"/admin", client.Options{}, nil); !errors.As(err, &ce) ||
			ce.Message != "not authorized" || !reflect.DeepEqual(ce.Data, map[string]any{"hint": "bring the token"}) {
			t.Fatalf("no token: %v", err)
		}
		var news inbox
		if _, err := connectTo(t, srv.URL+"/admin", client.Options{Auth: map[string]any{"token": "secret"}},
			func(s *client.Socket) { news = listen(s, "adminNews") }); err != nil {
			t.Fatal(err)
		}
		if got := news.next(t); got != "hello admins" {
			t.Errorf("admin.emit: %v", got)
		}
	})
	t.Run("disconnect", func(t *testing.T) {
		gone := make(chan struct{})
		c.OnDisconnect(func(reason client.Reason) {
			if reason == "io server disconnect" {
				close(gone)
			}
		})
		if err := c.Emit("kickMe"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-gone:
		case <-time.After(10 * time.Second):
			t.Fatal("socket.disconnect() did not disconnect the client")
		}
		// The reason is not checked: sio's Socket.Disconnect sends the
		// DISCONNECT packet before it marks the socket closed, so the
		// client's closing the transport can win ("transport close"),
		// rarely, with Go servers as well.
		waitLog(t, log, "leaving lobby", "gone")
	})
}

// TestBroadcastAcks: io.timeout(ms).emit(event, ..., (err, responses))
// gathers every client's answer, or what came before the timeout with an
// error; a broadcast callback without timeout() is refused, as Node does.
func TestBroadcastAcks(t *testing.T) {
	const script = `io.on("connection", (socket) => {
  socket.on("poll", (ms, callback) => io.timeout(ms).emit("vote", "which?", (err, responses) =>
    callback(err ? err.message : null, responses.map(String).sort())));
  socket.on("roomPoll", (callback) => io.to("red").timeout(2000).emit("vote", "red?", (err, responses) => callback(err, responses)));
  socket.on("noTimeout", (callback) => {
    try { io.emit("vote", () => {}); callback("sent"); } catch (e) { callback(String(e)); }
  });
  socket.on("join", (room, callback) => { socket.join(room); callback(); });
});`
	in, err := jsserver.Start(jsserver.Config{Source: script, Log: step.NewLog(nil)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	t.Cleanup(func() { in.Close(); srv.Close() })
	voter := func(answer string) *client.Socket {
		s, err := connectTo(t, srv.URL, client.Options{}, func(s *client.Socket) {
			s.On("vote", func(e *client.Event) { _ = e.Ack(answer + " to " + e.Arg(0).(string)) })
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := voter("a"), voter("b")
	if got := call(t, a, "poll", 5000); !reflect.DeepEqual(got, []any{nil, []any{"a to which?", "b to which?"}}) {
		t.Errorf("a poll everyone answers: %v", got)
	}
	call(t, b, "join", "red")
	if got := call(t, a, "roomPoll"); !reflect.DeepEqual(got, []any{nil, []any{"b to red?"}}) {
		t.Errorf("a poll of a room: %v", got)
	}
	if _, err := connectTo(t, srv.URL, client.Options{}, nil); err != nil { // a client that never answers
		t.Fatal(err)
	}
	if got := call(t, a, "poll", 300); !reflect.DeepEqual(got, []any{"operation has timed out", []any{"a to which?", "b to which?"}}) {
		t.Errorf("a poll with a silent client: %v", got)
	}
	if got := call(t, a, "noTimeout"); !strings.Contains(fmt.Sprint(got[0]), "needs timeout(ms)") {
		t.Errorf("a broadcast callback without timeout(): %v", got)
	}
}

// TestSocketRecovered: socket.recovered is false for a new socket, and
// true for one that connection state recovery restored, with its id.
func TestSocketRecovered(t *testing.T) {
	const script = `io.on("connection", (socket) => socket.emit("hello", socket.id, socket.recovered));`
	in, err := jsserver.Start(jsserver.Config{Source: script, Log: step.NewLog(nil),
		Server: sio.Config{ConnectionStateRecovery: &sio.RecoveryConfig{}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	t.Cleanup(func() { in.Close(); srv.Close() })
	hellos := make(chan []any, 4)
	gone := make(chan struct{}, 4)
	s, err := connectTo(t, srv.URL, client.Options{}, func(s *client.Socket) {
		s.On("hello", func(e *client.Event) { hellos <- []any{e.Arg(0), e.Arg(1)} })
		s.OnDisconnect(func(client.Reason) { gone <- struct{}{} })
	})
	if err != nil {
		t.Fatal(err)
	}
	next := func() []any {
		select {
		case h := <-hellos:
			return h
		case <-time.After(10 * time.Second):
			t.Fatal("no hello within 10 s")
		}
		return nil
	}
	first := next()
	if first[1] != false {
		t.Fatalf("a new socket: recovered = %v", first[1])
	}
	// The connection drops (no DISCONNECT packet): the client comes back
	// and asks for its session.
	for _, sess := range in.Server().Engine().Sessions() {
		sess.Faults().Drop()
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not see its connection drop within 10 s")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	if again := next(); again[0] != first[0] || again[1] != true {
		t.Errorf("after the drop: id %v (was %v), recovered = %v", again[0], first[0], again[1])
	}
}
