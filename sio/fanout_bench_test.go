package sio_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/memtest"
	"github.com/sioworkbook/workbook/sio"
)

// fanoutPayload is the 64-byte string each broadcast of the fan-out
// benchmarks carries, as a chat message might.
var fanoutPayload = strings.Repeat("x", 64)

// fanoutFrameLen is the size on the wire of one broadcast of fanoutPayload:
// a 2-byte frame header, then 42["bench","xx…"].
var fanoutFrameLen = 2 + len(`42["bench",""]`) + len(fanoutPayload)

// discardClient reads a raw WebSocket connection into a fixed buffer and
// counts the bytes, so that the client side of a benchmark allocates
// nothing; it calls warm once the first frame has come, and done once all
// the frames (want bytes) have.
func discardClient(c net.Conn, want int64, warm, done func()) {
	buf := make([]byte, 32<<10)
	var got int64
	for {
		n, err := c.Read(buf)
		got += int64(n)
		if warm != nil && got >= int64(fanoutFrameLen) {
			warm()
			warm = nil
		}
		if done != nil && got >= want {
			done()
			done = nil
		}
		if err != nil {
			return
		}
	}
}

// BenchmarkBroadcastFanout measures one broadcast of a 64-byte event to N
// WebSocket sockets of the main namespace on loopback. The clients are bare
// connections that read into a fixed buffer, so what is measured is the
// server's side: each op is one io.Emit, and the clock stops once every
// client has read every frame. allocs/recipient is the process's
// allocations per op divided by N: the goal is 0 (what a broadcast
// allocates does not grow with its recipients).
func BenchmarkBroadcastFanout(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, n int) {
	// no pings during the run; queues that hold the whole run, as the
	// loop emits faster than loopback delivers
	ioSrv, srv := newServer(b, sio.Config{PingInterval: time.Hour, MaxBufferedPackets: 1 << 22, MaxBufferedBytes: 1 << 40})
	addr := strings.TrimPrefix(srv.URL, "http://")
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = rawSocket(b, addr)
	}
	for ioSrv.MainNamespace().Len() < n {
		time.Sleep(time.Millisecond)
	}
	// one warm-up broadcast, read by every client before the clock starts
	var warm, all sync.WaitGroup
	warm.Add(n)
	all.Add(n)
	for _, c := range conns {
		go discardClient(c, int64(b.N+1)*int64(fanoutFrameLen), warm.Done, all.Done)
	}
	if err := ioSrv.Emit("bench", fanoutPayload); err != nil {
		b.Fatal(err)
	}
	warm.Wait()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ioSrv.Emit("bench", fanoutPayload); err != nil {
			b.Fatal(err)
		}
	}
	all.Wait()
	b.StopTimer()
	runtime.ReadMemStats(&after)
	allocs := float64(after.Mallocs-before.Mallocs) / float64(b.N)
	b.ReportMetric(allocs/float64(n), "allocs/recipient")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "B/recipient")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/recipient")
	for _, c := range conns {
		c.Close()
	}
}

// rssBytes returns the process's resident set, as ps counts it, from
// /proc/self/statm.
func rssBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, errors.New("statm: short")
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize()), err
}

// BenchmarkIdleConnection measures what one idle Socket.IO connection (a
// WebSocket in the main namespace) costs the server: heap and stacks after
// a collection, and the growth of the process's resident memory, each per
// connection, with the client's end of each connection (a bare TCP
// connection in this process) taken off. Each op opens and keeps 1,000
// connections; the figures are averaged over all of them.
func BenchmarkIdleConnection(b *testing.B) {
	ioSrv, srv := newServer(b, sio.Config{})
	addr := strings.TrimPrefix(srv.URL, "http://")
	const n = 1000
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	pair := memtest.TCPPair(b, n)
	before := memtest.Measure()
	rss0, err := rssBytes()
	if err != nil {
		b.Skip("no /proc/self/statm:", err)
	}
	for i := 0; i < b.N; i++ {
		for range n {
			conns = append(conns, rawSocket(b, addr))
		}
		for ioSrv.MainNamespace().Len() < len(conns) {
			time.Sleep(time.Millisecond)
		}
	}
	u := memtest.Measure().Sub(before).Per(len(conns))
	rss1, _ := rssBytes()
	b.ReportMetric(float64(u.Total()-pair.Total()/2), "heap+stack-B/conn")
	b.ReportMetric(float64(rss1-rss0)/float64(len(conns))-float64(pair.Total())/2, "rss-B/conn")
}
