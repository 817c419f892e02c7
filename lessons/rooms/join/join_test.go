package join_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/rooms/join"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// countingAdapter counts the adapter's Select calls: what a room lookup
// (FetchSockets, a broadcast) costs.
type countingAdapter struct {
	sio.Adapter
	selects *atomic.Int64
}

func (a countingAdapter) Select(opts sio.BroadcastOptions, fn func(id string)) {
	a.selects.Add(1)
	a.Adapter.Select(opts, fn)
}

// TestJoinCostsTheSameForEveryClient: placing a client in a room costs
// as much for the 2,000th client as for the first: the server does not
// look every room up to find a free place. The times it logs are the
// figures of docs/RELIABILITY.md; only the lookups are checked.
func TestJoinCostsTheSameForEveryClient(t *testing.T) {
	var selects atomic.Int64
	io := sio.NewServer(sio.Config{NewAdapter: func(n *sio.Namespace) sio.Adapter {
		return countingAdapter{sio.NewMemoryAdapter(), &selects}
	}})
	checker := step.NewChecker(join.Tasks, func(string, string) {})
	checker.Start(io)
	join.Setup(io, step.NewLog(func(step.Line) {}))
	join.Check(io, checker)
	srv := httptest.NewServer(io)
	t.Cleanup(func() {
		checker.Close()
		io.Close()
		srv.Close()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	connect := func(i int) {
		s, err := client.Connect(ctx, srv.URL, client.Options{
			ForceNew: true, NoReconnection: true, Transports: []string{"websocket"},
			Header: http.Header{"Cookie": {fmt.Sprintf("wb_client=b%d", i)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Disconnect)
	}
	const first, total = 250, 2000
	start := time.Now()
	for i := range first {
		connect(i)
	}
	firstTook := time.Since(start)
	early := selects.Load()
	var lastTook time.Duration
	for i := first; i < total; i++ {
		if i == total-first {
			start = time.Now()
		}
		connect(i)
	}
	lastTook = time.Since(start)
	then := total - first
	perEarly := float64(early) / first
	perLate := float64(selects.Load()-early) / float64(then)
	t.Logf("room lookups per connection: %.1f for the first %d clients, %.1f for the next %d; the first %d connects took %v, the last %d %v",
		perEarly, first, perLate, then, first, firstTook.Round(time.Millisecond), first, lastTook.Round(time.Millisecond))
	if perLate > perEarly+2 {
		t.Errorf("a connection costs %.1f room lookups after %d clients, %.1f at first", perLate, first, perEarly)
	}
}
