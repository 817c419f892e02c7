package redisadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/internal/redistest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// frames records, per node, where the bytes of each "x" event written to a
// socket live: one address for all of a node's sockets means the node
// encoded the broadcast once for all of them.
type frames struct {
	mu    sync.Mutex
	addrs map[string][]uintptr // node -> one entry per socket written to
}

func (f *frames) observer(node string) *sio.Observer {
	return &sio.Observer{Packet: func(_ *engine.Session, dir engine.Direction, _ string, p engine.Packet) {
		if dir != engine.Out || p.Type != engine.PacketMessage || !bytes.Contains(p.Data, []byte(`"x"`)) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.addrs[node] = append(f.addrs[node], uintptr(unsafe.Pointer(unsafe.SliceData(p.Data))))
	}}
}

// publishes is how many PUBLISH commands the Redis server has run.
func publishes(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_publish:calls="); ok {
			n, _ := strconv.Atoi(strings.Split(rest, ",")[0])
			return n
		}
	}
	return 0
}

// A broadcast through Redis is encoded once: the sending node publishes one
// message, whatever the number of nodes and sockets (counted by the Redis
// server itself), and each node, the sender included, writes the same
// encoded bytes to every one of its sockets.
func TestBroadcastEncodedOnce(t *testing.T) {
	r := redistest.Start(t)
	f := &frames{addrs: map[string][]uintptr{}}
	const nodes, perNode, broadcasts = 3, 4, 5
	var sender *node
	var clients []events
	for i := range nodes {
		name := fmt.Sprint("n", i)
		n := newNodeWith(t, r.Addr, redisadapter.Config{}, sio.Config{Observer: f.observer(name)})
		if i == 0 {
			sender = n
		}
		for range perNode {
			_, ch := connect(t, n.url, "x")
			clients = append(clients, ch)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer rdb.Close()
	waitFor(t, "every node subscribed", func() bool {
		n, err := sender.io.ServerCount(context.Background())
		return err == nil && n == nodes
	})

	for b := range broadcasts {
		f.mu.Lock()
		clear(f.addrs)
		f.mu.Unlock()
		before := publishes(t, rdb)
		if err := sender.io.Emit("x", b, strings.Repeat("é", 100)); err != nil {
			t.Fatal(err)
		}
		for _, ch := range clients {
			if got := ch.next(t); fmt.Sprint(got[1]) != fmt.Sprint(b) {
				t.Fatalf("broadcast %d: got %v", b, got[:2])
			}
		}
		// The observer may hear of a frame just after its client has it.
		waitFor(t, "every frame observed", func() bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, addrs := range f.addrs {
				n += len(addrs)
			}
			return n >= nodes*perNode
		})
		if d := publishes(t, rdb) - before; d != 1 {
			t.Errorf("broadcast %d: %d PUBLISH commands, want 1", b, d)
		}
		f.mu.Lock()
		for node, addrs := range f.addrs {
			if len(addrs) != perNode {
				t.Errorf("broadcast %d: %s wrote %d frames, want %d", b, node, len(addrs), perNode)
			}
			for _, a := range addrs[1:] {
				if a != addrs[0] {
					t.Errorf("broadcast %d: %s encoded it more than once (%d frames at different addresses)", b, node, len(addrs))
					break
				}
			}
		}
		if len(f.addrs) != nodes {
			t.Errorf("broadcast %d: frames from %d nodes, want %d", b, len(f.addrs), nodes)
		}
		f.mu.Unlock()
	}
}
