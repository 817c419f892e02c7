package redisadapter_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/redistest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// BenchmarkBroadcastThroughRedis: one broadcast per op from one node to the
// 100 clients of another, through a real Redis; an op ends when every
// client has it. Clients and servers share the process, so read the
// profile (-cpuprofile) for the adapter's share rather than the time.
func BenchmarkBroadcastThroughRedis(b *testing.B) {
	r := redistest.Start(b)
	from, to := newNodeWith(b, r.Addr, redisadapter.Config{}, sio.Config{}), newNodeWith(b, r.Addr, redisadapter.Config{}, sio.Config{})
	const clients = 100
	var got atomic.Int64
	for range clients {
		s, err := client.New(to.url, client.Options{ForceNew: true, NoAutoConnect: true, Transports: []string{"websocket"}})
		if err != nil {
			b.Fatal(err)
		}
		s.On("x", func(*client.Event) { got.Add(1) })
		if err := s.ConnectContext(b.Context()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(s.Disconnect)
	}
	payload := map[string]any{"text": "héllo, a broadcast of a few dozen bytes", "n": 42}
	b.ResetTimer()
	for i := range b.N {
		if err := from.io.Emit("x", payload); err != nil {
			b.Fatal(err)
		}
		want := int64(i+1) * clients
		deadline := time.Now().Add(waitLimit)
		for got.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("op %d: %d deliveries of %d", i, got.Load(), want)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.ReportMetric(float64(clients), "deliveries/op")
}
