package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/internal/redistest"
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

// clients is interop/node/cluster-clients.mjs: official socket.io-client
// sockets on any node of the cluster, driven one command at a time.
type clients struct {
	p *nodetest.Proc

	mu    sync.Mutex // one command at a time: the script answers in order
	id    int
	names int
}

func startClients(t *testing.T) *clients {
	t.Helper()
	p := nodetest.Start(t, "cluster-clients.mjs")
	ctx, cancel := context.WithTimeout(t.Context(), clusterWait)
	defer cancel()
	if _, err := p.WaitLine(ctx, "READY"); err != nil {
		t.Fatalf("cluster-clients.mjs: %v\n%s", err, p.Report())
	}
	return &clients{p: p}
}

// do sends one command and returns its result.
func (c *clients) do(t *testing.T, cmd map[string]any) any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	cmd["id"] = c.id
	b, err := json.Marshal(toWire(cmd))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.p.Write(string(b)); err != nil {
		t.Fatal(err)
	}
	// Every wait in the script is bounded by clusterWait; this one only
	// catches a script that hangs.
	ctx, cancel := context.WithTimeout(t.Context(), 2*clusterWait)
	defer cancel()
	prefix := fmt.Sprintf("R %d ", c.id)
	line, err := c.p.WaitLine(ctx, prefix)
	if err != nil {
		t.Fatalf("%s: %v\n%s", b, err, c.p.Report())
	}
	var res struct {
		OK    any    `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, prefix)), &res); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if res.Error != "" {
		t.Fatalf("%s: %s", b, res.Error)
	}
	return fromWire(res.OK)
}

// toWire and fromWire carry binary values as {"$bin": "<hex>"}, which the
// script turns into Buffers and back.
func toWire(v any) any {
	switch v := v.(type) {
	case []byte:
		return map[string]any{"$bin": hex.EncodeToString(v)}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = toWire(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = toWire(x)
		}
		return out
	}
	return v
}

func fromWire(v any) any {
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			v[i] = fromWire(x)
		}
	case map[string]any:
		if h, ok := v["$bin"].(string); ok && len(v) == 1 {
			if b, err := hex.DecodeString(h); err == nil {
				return b
			}
		}
		for k, x := range v {
			v[k] = fromWire(x)
		}
	}
	return v
}

// member is an official client of one node; the script records the events
// it gets and answers "who" with its id.
type member struct {
	c        *clients
	name, id string
}

// join connects a new official client to the node at url, over
// transports (none: the client's default, polling then WebSocket).
func (c *clients) join(t *testing.T, url string, transports ...string) *member {
	t.Helper()
	c.mu.Lock()
	c.names++
	name := fmt.Sprint("m", c.names)
	c.mu.Unlock()
	cmd := map[string]any{"op": "open", "name": name, "url": url}
	if len(transports) > 0 {
		cmd["transports"] = transports
	}
	m := &member{c: c, name: name}
	m.id, _ = c.do(t, cmd).(string)
	if m.id == "" {
		t.Fatalf("%s: no socket id", name)
	}
	return m
}

// call emits event with args and returns the ack's first argument.
func (m *member) call(t *testing.T, event string, args ...any) any {
	t.Helper()
	return m.c.do(t, map[string]any{"op": "call", "name": m.name, "event": event, "args": args, "ms": clusterWait.Milliseconds()})
}

// emit emits event with args, without an ack.
func (m *member) emit(t *testing.T, event string, args ...any) {
	t.Helper()
	m.c.do(t, map[string]any{"op": "emit", "name": m.name, "event": event, "args": args})
}

// poll returns the next event the member got, as [event, args...],
// waiting at most d; nil if none came.
func (m *member) poll(t *testing.T, d time.Duration) []any {
	t.Helper()
	e, _ := m.c.do(t, map[string]any{"op": "next", "name": m.name, "ms": d.Milliseconds()}).([]any)
	return e
}

func (m *member) next(t *testing.T) []any {
	t.Helper()
	e := m.poll(t, clusterWait)
	if e == nil {
		t.Fatalf("%s: no event within %v", m.name, clusterWait)
	}
	return e
}

func (m *member) expect(t *testing.T, want ...any) {
	t.Helper()
	if got := m.next(t); fmt.Sprintf("%v", got) != fmt.Sprintf("%v", want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// disconnected returns the reason the member was disconnected for.
func (m *member) disconnected(t *testing.T) string {
	t.Helper()
	r, _ := m.c.do(t, map[string]any{"op": "disconnected", "name": m.name, "ms": clusterWait.Milliseconds()}).(string)
	if r == "" {
		t.Fatalf("%s: still connected after %v", m.name, clusterWait)
	}
	return r
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
// an official client on each (one on WebSocket, one upgraded from
// polling): every operation of the testserver --redis contract, asked from
// either side, acts on the other side's sockets.
func TestMixedCluster(t *testing.T) {
	r := redistest.Start(t)
	goURL := startGoNode(t, r.URL)
	nodeURL, _ := startNodeNode(t, r.URL)
	c := startClients(t)
	a, b := c.join(t, goURL, "websocket"), c.join(t, nodeURL) // a on ours, b on Node's
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
			if len(got) != 4 {
				t.Fatalf("to room: got %#v", got)
			}
			m, _ := got[3].(map[string]any)
			if got[0] != "x" || got[1] != "héllo ✓ 😀" || !bytes.Equal(asBytes(got[2]), []byte{0, 1, 2, 255}) || m["n"] != 1.5 || !bytes.Equal(asBytes(m["b"]), []byte("in")) {
				t.Fatalf("to room: got %#v", got)
			}
			// Except: the sender's node skips the other's room; the other
			// node's client gets the marker only.
			from.call(t, "except", room, "x", "not in room")
			from.expect(t, "x", "not in room")
			from.call(t, "to", room, "x", "marker")
			to.expect(t, "x", "marker")

			// Fetch sees the other side's socket.
			if ids := strs(from.call(t, "fetch", room)); !slices.Equal(ids, []string{to.id}) {
				t.Fatalf("fetch %s = %v, want [%s]", room, ids, to.id)
			}
			// Remote join and leave act on the other side's socket.
			joined := "j-" + sd.name
			from.call(t, "remote-join", to.id, joined)
			waitUntil(t, "remote join", func() bool { return slices.Contains(strs(from.call(t, "fetch", joined)), to.id) })
			from.call(t, "remote-leave", to.id, joined)
			waitUntil(t, "remote leave", func() bool { return len(strs(from.call(t, "fetch", joined))) == 0 })

			// Broadcast acks from both nodes.
			both := "both-" + sd.name
			from.call(t, "join", both)
			to.call(t, "join", both)
			want := []string{from.id, to.id}
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
				from.emit(t, "to", room, "seq", i)
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

	// Garbage on the request channels: both kinds of node skip it and go on
	// serving the cluster. Not on the broadcast channels: there a message
	// that is not msgpack kills a Node node (notepack throws "Could not
	// parse" in the subscriber), so only sio/redisadapter's
	// TestMalformedMessagesSkipped sends that, to our nodes alone.
	t.Run("malformed", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
		defer rdb.Close()
		for _, ch := range []string{"socket.io-request#/#", "socket.io-response#/#"} {
			for _, msg := range []string{"", "{", "\xc1", `{"type":3,"requestId":"x"}`, `{"type":99}`, "[1]", "null"} {
				if err := rdb.Publish(t.Context(), ch, msg).Err(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, sd := range sides {
			sd.from.call(t, "to", "r-"+sd.name, "x", "after garbage")
			sd.to.expect(t, "x", "after garbage")
			if n := fmt.Sprint(sd.from.call(t, "server-count")); n != "2" {
				t.Fatalf("%s: server count %s after the garbage, want 2", sd.name, n)
			}
		}
	})

	t.Run("remote-disconnect", func(t *testing.T) {
		for _, sd := range sides {
			for _, transport := range []string{"polling", "websocket"} {
				victim := c.join(t, sd.toURL, transport)
				sd.from.call(t, "remote-disconnect", victim.id)
				if reason := victim.disconnected(t); reason != "io server disconnect" {
					t.Errorf("%s: the other node's socket on %s was disconnected for %q, want \"io server disconnect\"", sd.name, transport, reason)
				}
			}
		}
	})
}

func asBytes(v any) []byte {
	b, _ := v.([]byte)
	return b
}

// A Redis restart under a mixed cluster: both adapters subscribe again, so
// that broadcasts flow again from Node's node to our client and from ours
// to Node's client, and requests (server count, server-side emit) are
// answered again. What is published while Redis is down is lost: the test
// sends probes until one arrives, then expects every message after it.
func TestMixedClusterRedisRestart(t *testing.T) {
	r := redistest.Start(t)
	goURL := startGoNode(t, r.URL)
	nodeURL, _ := startNodeNode(t, r.URL)
	c := startClients(t)
	a, b := c.join(t, goURL, "websocket"), c.join(t, nodeURL, "websocket")
	for _, m := range []*member{a, b} {
		waitUntil(t, "server count 2", func() bool { return fmt.Sprint(m.call(t, "server-count")) == "2" })
	}
	a.call(t, "join", "ra")
	b.call(t, "join", "rb")
	b.call(t, "to", "ra", "x", "before")
	a.expect(t, "x", "before")

	r.Restart(t)

	for _, sd := range []struct {
		name      string
		from, to  *member
		room      string
		otherAddr string
	}{
		{"node-to-go", b, a, "ra", strings.TrimPrefix(goURL, "http://")},
		{"go-to-node", a, b, "rb", strings.TrimPrefix(nodeURL, "http://")},
	} {
		deadline := time.Now().Add(clusterWait)
		for i := 0; ; i++ {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no broadcast within %v of the restart", sd.name, clusterWait)
			}
			sd.from.call(t, "to", sd.room, "x", fmt.Sprint("probe", i))
			if sd.to.poll(t, 200*time.Millisecond) != nil {
				break
			}
		}
		for i := range 20 {
			sd.from.emit(t, "to", sd.room, "x", i)
		}
		for i := range 20 {
			got := sd.to.next(t)
			for strings.HasPrefix(fmt.Sprint(got[1]), "probe") { // a late probe
				got = sd.to.next(t)
			}
			if fmt.Sprintf("%v", got) != fmt.Sprintf("%v", []any{"x", i}) {
				t.Fatalf("%s after the restart: got %v, want [x %d]", sd.name, got, i)
			}
		}
		waitUntil(t, sd.name+": server count 2", func() bool { return fmt.Sprint(sd.from.call(t, "server-count")) == "2" })
		if got := strs(sd.from.call(t, "sse", "after")); !slices.Equal(got, []string{sd.otherAddr + ":after"}) {
			t.Fatalf("%s: sse after the restart = %v, want [%s:after]", sd.name, got, sd.otherAddr)
		}
	}
}

// A Node node that stops answering (SIGSTOP: still subscribed, so still
// counted) makes requests time out after requestsTimeout, and broadcast
// acks after their timeout, with the answers of the nodes that did answer,
// on our nodes as on Node's (but Node's fetchSockets rejects where ours
// returns the sockets found with the error). Once it is killed, the count
// drops and the requests are answered by the live nodes.
func TestMixedClusterNodeStops(t *testing.T) {
	r := redistest.Start(t)
	goURL := startGoNode(t, r.URL)
	liveURL, _ := startNodeNode(t, r.URL)
	stoppedURL, stopped := startNodeNode(t, r.URL)
	c := startClients(t)
	a, b, gone := c.join(t, goURL, "websocket"), c.join(t, liveURL, "websocket"), c.join(t, stoppedURL, "websocket")
	for _, m := range []*member{a, b} {
		waitUntil(t, "server count 3", func() bool { return fmt.Sprint(m.call(t, "server-count")) == "3" })
	}
	for _, m := range []*member{a, b, gone} {
		m.call(t, "join", "all")
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
	want := []string{a.id, b.id}
	slices.Sort(want)
	// fetchSockets: ours gives the sockets found with ErrRequestTimeout;
	// Node's rejects, and its fixture then answers [].
	if got := strs(a.call(t, "fetch", "all")); !slices.Equal(got, want) {
		t.Fatalf("fetch from our node = %v, want the partial answer %v", got, want)
	}
	if got := strs(b.call(t, "fetch", "all")); len(got) != 0 {
		t.Fatalf("fetch from Node's node = %v, want [] (Node rejects on the timeout)", got)
	}
	for _, m := range []*member{a, b} {
		if got := strs(m.call(t, "bcast-ack", "all", "who")); !slices.Equal(got, want) {
			t.Fatalf("bcast-ack from %s = %v, want the partial answer %v", m.name, got, want)
		}
	}

	// Dead: its subscriptions go with its connections.
	if err := syscall.Kill(stopped.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*member{a, b} {
		waitUntil(t, "server count 2", func() bool { return fmt.Sprint(m.call(t, "server-count")) == "2" })
	}
	if got := strs(a.call(t, "sse", "p3")); !slices.Equal(got, []string{liveAddr + ":p3"}) {
		t.Fatalf("sse from our node after the kill = %v, want the live Node node's answer", got)
	}
	if got := strs(a.call(t, "fetch", "all")); !slices.Equal(got, want) {
		t.Fatalf("fetch from our node after the kill = %v, want %v", got, want)
	}
}
