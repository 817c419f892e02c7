package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/internal/redistest"
	"github.com/sioworkbook/workbook/sio/client"
)

// clusterWait bounds every wait in the cluster tests: the machine is busy.
const clusterWait = 30 * time.Second

// startGoNode runs NewTestServer on the Redis adapter (what `workbook
// testserver --redis` serves) and returns its URL.
func startGoNode(t *testing.T, redisURL string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	factory, closeRedis, err := redisAdapter(redisURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := NewTestServer(TestServerConfig{NewAdapter: factory, Addr: ln.Addr().String(), PingTimeout: time.Second})
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		h.Close()
		srv.Close()
		closeRedis()
	})
	return srv.URL
}

// startNodeNode runs interop/node/cluster-node.mjs, the official server on
// the official Redis adapter, and returns its URL and process.
func startNodeNode(t *testing.T, redisURL string) (string, *nodetest.Proc) {
	t.Helper()
	p := nodetest.Start(t, "cluster-node.mjs", "--port", "0", "--redis", redisURL)
	ctx, cancel := context.WithTimeout(context.Background(), clusterWait)
	defer cancel()
	line, err := p.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("cluster-node.mjs: %v\n%s", err, p.Report())
	}
	return "http://127.0.0.1:" + strings.TrimPrefix(line, "LISTENING "), p
}

// member is a client of one node, recording the events it gets.
type member struct {
	s  *client.Socket
	ch chan []any
}

func join(t *testing.T, url string) *member {
	t.Helper()
	s, err := client.New(url, client.Options{ForceNew: true, NoAutoConnect: true, Transports: []string{"websocket"}})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{s: s, ch: make(chan []any, 1000)}
	for _, ev := range []string{"x", "seq", "bcast"} {
		s.On(ev, func(e *client.Event) { m.ch <- append([]any{ev}, e.Args()...) })
	}
	s.On("who", func(e *client.Event) { _ = e.Ack(s.ID()) })
	ctx, cancel := context.WithTimeout(context.Background(), clusterWait)
	defer cancel()
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return m
}

// call emits event with args and returns the ack's first argument.
func (m *member) call(t *testing.T, event string, args ...any) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clusterWait)
	defer cancel()
	res, err := m.s.EmitWithAck(ctx, event, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", event, args, err)
	}
	if len(res) == 0 {
		return nil
	}
	return res[0]
}

func (m *member) next(t *testing.T) []any {
	t.Helper()
	select {
	case e := <-m.ch:
		return e
	case <-time.After(clusterWait):
		t.Fatal("no event")
		return nil
	}
}

func (m *member) expect(t *testing.T, want ...any) {
	t.Helper()
	if got := m.next(t); fmt.Sprintf("%v", got) != fmt.Sprintf("%v", want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func strs(v any) []string {
	var out []string
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &out)
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(clusterWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, clusterWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A cluster of one of our nodes and one official Node node on one Redis,
// a client on each: every operation of the testserver --redis contract,
// asked from either side, acts on the other side's sockets.
func TestMixedCluster(t *testing.T) {
	r := redistest.Start(t)
	goURL := startGoNode(t, r.URL)
	nodeURL, _ := startNodeNode(t, r.URL)
	a, b := join(t, goURL), join(t, nodeURL) // a on ours, b on Node's
	for _, m := range []*member{a, b} {
		waitUntil(t, "server count 2", func() bool { return fmt.Sprint(m.call(t, "server-count")) == "2" })
	}
	sides := []struct {
		name           string
		from, to       *member
		fromURL, toURL string
	}{
		{"go-to-node", a, b, goURL, nodeURL},
		{"node-to-go", b, a, nodeURL, goURL},
	}
	for _, sd := range sides {
		t.Run(sd.name, func(t *testing.T) {
			from, to := sd.from, sd.to
			room := "r-" + sd.name
			to.call(t, "join", room)
			from.call(t, "join", "mark-"+sd.name)

			// Rooms, binary and unicode.
			from.call(t, "to", room, "x", "héllo ✓ 😀", []byte{0, 1, 2, 255}, map[string]any{"n": 1.5, "b": []byte("in")})
			got := to.next(t)
			m, _ := got[3].(map[string]any)
			if got[0] != "x" || got[1] != "héllo ✓ 😀" || !bytes.Equal(got[2].([]byte), []byte{0, 1, 2, 255}) || m["n"] != 1.5 || !bytes.Equal(m["b"].([]byte), []byte("in")) {
				t.Fatalf("to room: got %#v", got)
			}
			// Except: the sender's node skips the other's room; the other
			// node's client gets the marker only.
			from.call(t, "except", room, "x", "not in room")
			from.expect(t, "x", "not in room")
			from.call(t, "to", room, "x", "marker")
			to.expect(t, "x", "marker")

			// Fetch sees the other side's socket.
			if ids := strs(from.call(t, "fetch", room)); !slices.Equal(ids, []string{to.s.ID()}) {
				t.Fatalf("fetch %s = %v, want [%s]", room, ids, to.s.ID())
			}
			// Remote join and leave act on the other side's socket.
			joined := "j-" + sd.name
			from.call(t, "remote-join", to.s.ID(), joined)
			waitUntil(t, "remote join", func() bool { return slices.Contains(strs(from.call(t, "fetch", joined)), to.s.ID()) })
			from.call(t, "remote-leave", to.s.ID(), joined)
			waitUntil(t, "remote leave", func() bool { return len(strs(from.call(t, "fetch", joined))) == 0 })

			// Broadcast acks from both nodes.
			both := "both-" + sd.name
			from.call(t, "join", both)
			to.call(t, "join", both)
			want := []string{from.s.ID(), to.s.ID()}
			slices.Sort(want)
			if got := strs(from.call(t, "bcast-ack", both, "who")); !slices.Equal(got, want) {
				t.Fatalf("bcast-ack = %v, want %v", got, want)
			}

			// Server-side emit answered by the other node.
			toAddr := strings.TrimPrefix(sd.toURL, "http://")
			if got := strs(from.call(t, "sse", "t-"+sd.name)); !slices.Equal(got, []string{toAddr + ":t-" + sd.name}) {
				t.Fatalf("sse = %v, want [%s:t-%s]", got, toAddr, sd.name)
			}

			// Order over 200 messages.
			for i := range 200 {
				if err := from.s.Emit("to", room, "seq", i); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 200 {
				to.expect(t, "seq", i)
			}
		})
	}

	t.Run("emitter", func(t *testing.T) {
		nodetest.Run(t, "cluster-node.mjs", "--emit", "--redis", r.URL, "x", `"from the emitter"`, `{"ü":[1,2.5]}`)
		for _, m := range []*member{a, b} {
			m.expect(t, "x", "from the emitter", map[string]any{"ü": []any{1.0, 2.5}})
		}
	})

	t.Run("remote-disconnect", func(t *testing.T) {
		for _, sd := range sides {
			victim := join(t, sd.toURL)
			gone := make(chan struct{})
			victim.s.OnDisconnect(func(client.Reason) { close(gone) })
			sd.from.call(t, "remote-disconnect", victim.s.ID())
			select {
			case <-gone:
			case <-time.After(clusterWait):
				t.Fatalf("%s: the other node's socket was not disconnected", sd.name)
			}
		}
	})
}

// A node that stops answering (SIGSTOP: still subscribed, so still
// counted) makes requests time out after requestsTimeout with the answers
// of the nodes that did answer, on our nodes as on Node's.
func TestMixedClusterNodeStops(t *testing.T) {
	r := redistest.Start(t)
	goURL := startGoNode(t, r.URL)
	liveURL, _ := startNodeNode(t, r.URL)
	_, stopped := startNodeNode(t, r.URL)
	a, b := join(t, goURL), join(t, liveURL)
	for _, m := range []*member{a, b} {
		waitUntil(t, "server count 3", func() bool { return fmt.Sprint(m.call(t, "server-count")) == "3" })
	}
	if err := syscall.Kill(stopped.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(stopped.Pid(), syscall.SIGCONT) })

	goAddr, liveAddr := strings.TrimPrefix(goURL, "http://"), strings.TrimPrefix(liveURL, "http://")
	if got := strs(a.call(t, "sse", "p1")); !slices.Equal(got, []string{liveAddr + ":p1"}) {
		t.Fatalf("sse from our node = %v, want only the live Node node's answer", got)
	}
	if got := strs(b.call(t, "sse", "p2")); !slices.Equal(got, []string{goAddr + ":p2"}) {
		t.Fatalf("sse from Node's node = %v, want only our node's answer", got)
	}
	want := []string{a.s.ID(), b.s.ID()}
	slices.Sort(want)
	a.call(t, "join", "all")
	b.call(t, "join", "all")
	if got := strs(a.call(t, "fetch", "all")); !slices.Equal(got, want) {
		t.Fatalf("fetch from our node = %v, want the partial answer %v", got, want)
	}
}
