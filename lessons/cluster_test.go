package lessons_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestStepContractTwoNodesInJavaScript: the learner's own server.js of
// scaling/two-nodes runs on both nodes, joined on the browser's own
// channels, and passes the step's contract with the official client on
// each node: the message and the room cross, both count two nodes.
func TestStepContractTwoNodesInJavaScript(t *testing.T) {
	contractInJavaScript(t, "scaling/two-nodes")
}

const (
	twoNodes  = "scaling/two-nodes"
	nodeAPath = "/lessons/scaling/two-nodes/socket.io/"
	nodeBPath = "/lessons/scaling/two-nodes/node-b/socket.io/"
)

// TestTwoNodesKeepApart: two browsers running their own server.js and the
// step's own nodes share one Redis (Options.Redis) and never hear each
// other: each cluster counts two nodes, not six; a browser's message
// crosses to its own node B; DELETE stops both of its nodes and their
// subscriptions, and its clients reach the step's nodes again.
func TestTwoNodesKeepApart(t *testing.T) {
	m := miniredis.RunT(t)
	_, base := startSite(t, lessons.Options{Redis: "redis://" + m.Addr()})
	src, err := lessons.StepServerJS(twoNodes)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"learner-x", "learner-y"} {
		if status, body := putSource(t, base, twoNodes, b, src, nil); status != http.StatusOK {
			t.Fatalf("PUT for %s = %d %s", b, status, body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	xa, _ := dialNode(ctx, t, base, nodeAPath, "learner-x")
	_, xbGot := dialNode(ctx, t, base, nodeBPath, "learner-x")
	yb, _ := dialNode(ctx, t, base, nodeBPath, "learner-y")
	step, _ := dialNode(ctx, t, base, nodeAPath, "")
	for name, s := range map[string]*client.Socket{"x on node A": xa, "y on node B": yb, "the step's node A": step} {
		if n := nodes(ctx, t, s); n != 2 {
			t.Errorf("%s counts %d nodes, want 2 (its own pair only)", name, n)
		}
	}
	if err := xa.Emit("chat message", "from x"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-xbGot:
		if msg != "from x" {
			t.Errorf("x's client on node B got %q", msg)
		}
	case <-ctx.Done():
		t.Fatal("x's message did not cross to x's node B")
	}

	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	xRequests := "wb#scaling/two-nodes#learner-x-request#/#"
	if subs := numSub(ctx, t, rdb, xRequests); subs != 2 {
		t.Errorf("%s has %d subscribers, want x's two nodes", xRequests, subs)
	}
	if res, body := request(t, http.MethodDelete, base+"/lessons/"+twoNodes+"/server.js", cookie("learner-x")); res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE = %d %s", res.StatusCode, body)
	}
	// The instance stops, then its adapters close (Config.Stopped), and
	// Redis hears of the unsubscriptions: soon, not at once.
	deadline := time.Now().Add(15 * time.Second)
	for subs := numSub(ctx, t, rdb, xRequests); subs != 0; subs = numSub(ctx, t, rdb, xRequests) {
		if time.Now().After(deadline) {
			t.Fatalf("after DELETE, %s has %d subscribers: x's nodes' adapters are still open", xRequests, subs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	again, _ := dialNode(ctx, t, base, nodeBPath, "learner-x")
	if n := nodes(ctx, t, again); n != 2 {
		t.Errorf("x's client on node B after DELETE counts %d nodes, want the step's 2", n)
	}
}

// dialNode connects a client of browser ("" for none) to the node at path
// and returns it with the chat messages it receives.
func dialNode(ctx context.Context, t *testing.T, base, path, browser string) (*client.Socket, chan string) {
	t.Helper()
	opts := client.Options{Path: path, ForceNew: true, NoAutoConnect: true, NoReconnection: true}
	if browser != "" {
		opts.Header = cookie(browser)
	}
	s, err := client.New(base, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 16)
	s.On("chat message", func(e *client.Event) {
		select {
		case got <- fmt.Sprint(e.Args()...):
		default:
		}
	})
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatalf("connecting to %s: %v", path, err)
	}
	t.Cleanup(s.Disconnect)
	return s, got
}

// nodes asks s's node how many nodes its cluster has.
func nodes(ctx context.Context, t *testing.T, s *client.Socket) int {
	t.Helper()
	ans, err := s.EmitWithAck(ctx, "nodes")
	if err != nil || len(ans) != 1 {
		t.Fatalf("nodes: %v, %v", ans, err)
	}
	m, _ := ans[0].(map[string]any)
	n, ok := m["nodes"].(float64)
	if !ok {
		t.Fatalf("nodes answered %v", ans[0])
	}
	return int(n)
}

func numSub(ctx context.Context, t *testing.T, rdb *redis.Client, channel string) int64 {
	t.Helper()
	subs, err := rdb.PubSubNumSub(ctx, channel).Result()
	if err != nil {
		t.Fatal(err)
	}
	return subs[channel]
}
