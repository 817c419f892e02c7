package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/internal/redistest"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestServeRedis: `serve --redis URL` joins the two nodes of the scaling
// chapter on that Redis, not on an embedded one: a client of each node,
// a message from node A reaching node B's client, two nodes counted, the
// step's channels in the real redis-server, and the page naming it.
func TestServeRedis(t *testing.T) {
	r := redistest.Start(t)
	p := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "wb.db"), "--redis", r.URL)
	if want := "scaling chapter: Redis at " + r.URL; !strings.Contains(p.Stdout.String(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, p.Stdout)
	}
	res, err := http.Get(p.URL + "/lessons/scaling/two-nodes/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if want := "<strong>" + r.URL + "</strong>"; !strings.Contains(string(page), want) {
		t.Errorf("the step page does not name its Redis (%s)", want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan string, 16)
	nodeB := connectNode(ctx, t, p.URL, "/lessons/scaling/two-nodes/node-b/socket.io/")
	nodeB.On("chat message", func(e *client.Event) { got <- fmt.Sprint(e.Args()...) })
	nodeA := connectNode(ctx, t, p.URL, "/lessons/scaling/two-nodes/socket.io/")
	if err := nodeA.Emit("chat message", "across the real Redis"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-got:
		if msg != "across the real Redis" {
			t.Errorf("node B's client got %q", msg)
		}
	case <-ctx.Done():
		t.Fatal("node B's client got nothing from node A")
	}
	ans, err := nodeA.EmitWithAck(ctx, "nodes")
	if err != nil || len(ans) != 1 || fmt.Sprint(ans[0]) != "map[nodes:2]" {
		t.Errorf("nodes = %v, %v; want map[nodes:2]", ans, err)
	}

	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer rdb.Close()
	channels, err := rdb.PubSubChannels(ctx, "wb#scaling/two-nodes*").Result()
	if err != nil || len(channels) == 0 {
		t.Errorf("the real Redis has no channel of the step: %v, %v", channels, err)
	}
}

// TestServeRedisNotAnswering: a --redis that does not answer stops serve
// at once, with the URL (without its password) in the error.
func TestServeRedisNotAnswering(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, _, err = runErr("serve", "--addr", "127.0.0.1:0", "--no-record", "--db", filepath.Join(t.TempDir(), "wb.db"),
		"--redis", "redis://learner:s3cret@"+addr+"/0")
	if err == nil || !strings.Contains(err.Error(), "redis://learner@"+addr+"/0 does not answer") {
		t.Fatalf("serve --redis with no Redis there: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// connectNode connects a client of the workbook at base to the Socket.IO
// server at path, until the test ends.
func connectNode(ctx context.Context, t *testing.T, base, path string) *client.Socket {
	t.Helper()
	s, err := client.New(base, client.Options{Path: path, ForceNew: true, NoAutoConnect: true, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatalf("connecting to %s: %v", path, err)
	}
	t.Cleanup(s.Disconnect)
	return s
}
