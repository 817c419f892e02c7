package redisadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/internal/redistest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// waitLimit bounds every wait for something that should happen; the
// machines that run the tests are busy.
const waitLimit = 20 * time.Second

// node is one of our servers on the Redis adapter.
type node struct {
	io  *sio.Server
	url string
}

func newNode(t *testing.T, addr string, cfg redisadapter.Config) *node {
	t.Helper()
	return newNodeWith(t, addr, cfg, sio.Config{})
}

// newNodeWith is newNode with the server's config (its NewAdapter is set).
func newNodeWith(t testing.TB, addr string, cfg redisadapter.Config, ioCfg sio.Config) *node {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	var adapters []*redisadapter.Adapter
	newAdapter := redisadapter.New(rdb, cfg)
	ioCfg.NewAdapter = func(n *sio.Namespace) sio.Adapter {
		a := newAdapter(n).(*redisadapter.Adapter)
		adapters = append(adapters, a)
		return a
	}
	io := sio.NewServer(ioCfg)
	srv := httptest.NewServer(io)
	t.Cleanup(func() {
		io.Close()
		srv.Close()
		for _, a := range adapters {
			a.Close()
		}
		rdb.Close()
	})
	return &node{io: io, url: srv.URL}
}

// events collects what a client receives, in order.
type events chan []any

func connect(t *testing.T, url string, names ...string) (*client.Socket, events) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	s, err := client.New(url, client.Options{ForceNew: true, NoAutoConnect: true, Transports: []string{"websocket"}})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(events, 1000)
	for _, name := range names {
		s.On(name, func(e *client.Event) { ch <- append([]any{name}, e.Args()...) })
	}
	s.On("who", func(e *client.Event) { _ = e.Ack(s.ID()) })
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s, ch
}

func (ch events) next(t *testing.T) []any {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(waitLimit):
		t.Fatal("no event")
		return nil
	}
}

func (ch events) expect(t *testing.T, want ...any) {
	t.Helper()
	got := ch.next(t)
	if fmt.Sprintf("%v", got) != fmt.Sprintf("%v", want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two of our nodes on one Redis: every operation reaches the other node's
// sockets.
func TestTwoNodes(t *testing.T) {
	r := redistest.Start(t)
	n1, n2 := newNode(t, r.Addr, redisadapter.Config{}), newNode(t, r.Addr, redisadapter.Config{})
	n2.io.OnServerSideEmit("sse", func(args []any, ack func(any)) { ack(fmt.Sprint("n2:", args[0])) })
	a, ea := connect(t, n1.url, "x", "mark")
	b, eb := connect(t, n2.url, "x", "mark")
	ctx := context.Background()

	if n, err := n1.io.ServerCount(ctx); err != nil || n != 2 {
		t.Fatalf("ServerCount = %d, %v", n, err)
	}

	// A broadcast, binary and unicode intact.
	if err := n1.io.Emit("x", 1.5, "héllo ✓", []byte{0, 1, 255}, map[string]any{"k": []any{true, nil}}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []events{ea, eb} {
		got := ch.next(t)
		if len(got) != 5 || got[1] != 1.5 || got[2] != "héllo ✓" || !bytes.Equal(got[3].([]byte), []byte{0, 1, 255}) || fmt.Sprint(got[4]) != "map[k:[true <nil>]]" {
			t.Fatalf("broadcast arrived as %#v", got)
		}
	}

	// Rooms and except across nodes.
	n2.io.Sockets().Socket(b.ID()).Join("r")
	n1.io.To("r").Emit("x", "to r")
	n1.io.Emit("mark", 1)
	eb.expect(t, "x", "to r")
	eb.expect(t, "mark", 1)
	ea.expect(t, "mark", 1)
	n1.io.Except("r").Emit("x", "not r")
	n1.io.Emit("mark", 2)
	ea.expect(t, "x", "not r")
	ea.expect(t, "mark", 2)
	eb.expect(t, "mark", 2)

	// Fetch finds the other node's socket with its rooms.
	socks, err := n1.io.In("r").FetchRemoteSockets(ctx)
	if err != nil || len(socks) != 1 || socks[0].ID != b.ID() || !slices.Contains(socks[0].Rooms, "r") || socks[0].Socket() != nil {
		t.Fatalf("fetch = %v, %v", socks, err)
	}
	if err := socks[0].Emit("x", "direct"); err != nil {
		t.Fatal(err)
	}
	eb.expect(t, "x", "direct")

	// Remote join and leave.
	if err := n1.io.In(b.ID()).SocketsJoin("z"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "remote join", func() bool { return slices.Contains(n2.io.Sockets().Socket(b.ID()).Rooms(), "z") })
	if err := n1.io.In("z").SocketsLeave("z"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "remote leave", func() bool { return !slices.Contains(n2.io.Sockets().Socket(b.ID()).Rooms(), "z") })

	// Broadcast acks gathered from both nodes.
	res, err := n1.io.Timeout(waitLimit).EmitWithAck(ctx, "who")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{fmt.Sprint(res[0]), fmt.Sprint(res[1])}
	sort.Strings(got)
	want := []string{a.ID(), b.ID()}
	sort.Strings(want)
	if len(res) != 2 || !slices.Equal(got, want) {
		t.Fatalf("acks = %v, want %v", res, want)
	}

	// Server-side emit answered by the other node only.
	ans, err := n1.io.ServerSideEmitWithAck(ctx, "sse", "t1")
	if err != nil || len(ans) != 1 || ans[0] != "n2:t1" {
		t.Fatalf("server-side emit = %v, %v", ans, err)
	}

	// Remote disconnect.
	if err := n1.io.In("r").DisconnectSockets(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "remote disconnect", func() bool { return n2.io.Sockets().Socket(b.ID()) == nil })
}

// Malformed messages on the channels are logged and skipped: the node
// stays up and the next broadcast arrives.
func TestMalformedMessagesSkipped(t *testing.T) {
	r := redistest.Start(t)
	var logged safeBuffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	n1 := newNode(t, r.Addr, redisadapter.Config{Logger: log})
	_, ea := connect(t, n1.url, "x")
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer rdb.Close()
	ctx := context.Background()
	bad := map[string][]string{
		"socket.io#/#":          {"", "\xc1", "\x93\xa1u", "\x91\xa3uid", "\x93\xa1u\xc0\xc0", "\x93\xa1u\x81\xa4data\x90\x80", "\xdd\xff\xff\xff\xff"},
		"socket.io-request#/#":  {"{", "{}", `{"type":6,"data":7}`, `{"type":7,"packet":1}`, "\x81\xa4type\x07", "[1]"},
		"socket.io-response#/#": {"{", `{"requestId":1}`, "\xc1"},
	}
	for ch, msgs := range bad {
		for _, m := range msgs {
			if err := rdb.Publish(ctx, ch, m).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The emitter's uid and a msgpack broadcast written by hand: [uid,
	// {type: 2, data: ["x", "ok"], nsp: "/"}, {rooms: [], except: []}].
	good := "\x93\xa7emitter\x83\xa4type\x02\xa4data\x92\xa1x\xa2ok\xa3nsp\xa1/\x82\xa5rooms\x90\xa6except\x90"
	if err := rdb.Publish(ctx, "socket.io#/#", good).Err(); err != nil {
		t.Fatal(err)
	}
	ea.expect(t, "x", "ok")
	if !strings.Contains(logged.String(), "skipping a malformed message") {
		t.Fatalf("nothing logged:\n%s", logged.String())
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A Redis restart: the adapter subscribes again and broadcasts flow again.
// What was published while Redis was down is lost, as with Node.
func TestRedisRestart(t *testing.T) {
	r := redistest.Start(t)
	n1, n2 := newNode(t, r.Addr, redisadapter.Config{}), newNode(t, r.Addr, redisadapter.Config{})
	_, eb := connect(t, n2.url, "x")
	n1.io.Emit("x", "before")
	eb.expect(t, "x", "before")
	r.Restart(t)
	// Until both have subscribed again, broadcasts are lost: keep sending
	// until one arrives, then check that the next ones all do.
	deadline := time.Now().Add(waitLimit)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no broadcast after the restart")
		}
		_ = n1.io.Emit("x", fmt.Sprint("probe", i))
		select {
		case <-eb:
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}
	for i := range 20 {
		if err := n1.io.Emit("x", i); err != nil {
			t.Fatal(err)
		}
		got := eb.next(t)
		for strings.HasPrefix(fmt.Sprint(got[1]), "probe") { // a late probe
			got = eb.next(t)
		}
		if fmt.Sprintf("%v", got) != fmt.Sprintf("%v", []any{"x", i}) {
			t.Fatalf("after the restart: got %v, want [x %d]", got, i)
		}
	}
}
