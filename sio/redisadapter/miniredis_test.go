package redisadapter_test

import (
	"context"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// The adapter works on an in-process Redis (miniredis), as the lessons
// will use when no real one is given: broadcasts, PUBSUB NUMSUB, requests.
func TestMiniredis(t *testing.T) {
	m := miniredis.RunT(t)
	n1, n2 := newNode(t, m.Addr(), redisadapter.Config{}), newNode(t, m.Addr(), redisadapter.Config{})
	n2.io.OnServerSideEmit("sse", func(args []any, ack func(any)) { ack("n2") })
	_, eb := connect(t, n2.url, "x")
	if n, err := n1.io.ServerCount(context.Background()); err != nil || n != 2 {
		t.Fatalf("ServerCount = %d, %v", n, err)
	}
	if err := n1.io.Emit("x", "hi", []byte{1}); err != nil {
		t.Fatal(err)
	}
	if got := eb.next(t); got[1] != "hi" {
		t.Fatalf("got %v", got)
	}
	if ans, err := n1.io.ServerSideEmitWithAck(context.Background(), "sse"); err != nil || len(ans) != 1 || ans[0] != "n2" {
		t.Fatalf("sse = %v, %v", ans, err)
	}
}
