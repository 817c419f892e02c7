package sio_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
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

// fanoutCounter counts the broadcasts the clients of a fan-out benchmark
// have read in all, and signals reached whenever they are at target or
// past it.
type fanoutCounter struct {
	frames  atomic.Int64
	target  atomic.Int64
	reached chan struct{} // buffered 1; a signal may be stale
}

// wait sets the target and returns once the clients have read that many
// frames; emit runs in between. A stale signal only makes it look again;
// a signal dropped because one was pending comes after its count, which
// the look sees.
func (f *fanoutCounter) wait(target int64, emit func()) {
	f.target.Store(target)
	emit()
	for f.frames.Load() < target {
		<-f.reached
	}
}

// discardClient reads a raw WebSocket connection into a fixed buffer and
// counts whole frames, so that the client side of a benchmark allocates
// nothing.
func (f *fanoutCounter) discardClient(c net.Conn) {
	buf := make([]byte, 32<<10)
	var got, counted int64
	for {
		n, err := c.Read(buf)
		got += int64(n)
		if d := got/int64(fanoutFrameLen) - counted; d > 0 {
			counted += d
			if f.frames.Add(d) >= f.target.Load() {
				select {
				case f.reached <- struct{}{}:
				default:
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// BenchmarkBroadcastFanout measures one broadcast of a 64-byte event to N
// WebSocket sockets of the main namespace on loopback. The clients are bare
// connections that read into a fixed buffer and count frames, so that what
// is measured is mostly the server's side. Each op is one io.Emit.
//
// "paced": each broadcast is read by every client, then 10 ms pass before
// the next is sent: 100 broadcasts a second at most, a chat room's pace,
// when every writer is idle and every client waits. "closed": the next
// broadcast goes as soon as every client has read the last. "flood": the
// broadcasts are sent back to back and the clock stops once every client
// has read them all: the server at saturation. The clock counts the
// pauses; cpu-ns/recipient does not.
//
// allocs/recipient is the process's allocations per op divided by N: the
// goal is 0 (what a broadcast allocates does not grow with its
// recipients). cpu-ns/recipient is the process's CPU time (user and
// system, the clients' reads included) per delivery: steadier than the
// clock on a busy machine.
func BenchmarkBroadcastFanout(b *testing.B) {
	for _, mode := range []string{"paced", "closed", "flood"} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s/sockets=%d", mode, n), func(b *testing.B) { benchFanout(b, n, mode) })
		}
	}
}

// fanoutPause is the pause between two broadcasts of the "paced" mode.
const fanoutPause = 10 * time.Millisecond

func benchFanout(b *testing.B, n int, mode string) {
	// no pings during the run; queues that hold the whole run, as the
	// flood emits faster than loopback delivers
	ioSrv, srv := newServer(b, sio.Config{PingInterval: time.Hour, MaxBufferedPackets: 1 << 22, MaxBufferedBytes: 1 << 40})
	addr := strings.TrimPrefix(srv.URL, "http://")
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = rawSocket(b, addr)
	}
	for ioSrv.MainNamespace().Len() < n {
		time.Sleep(time.Millisecond)
	}
	f := &fanoutCounter{reached: make(chan struct{}, 1)}
	for _, c := range conns {
		go f.discardClient(c)
	}
	emit := func() {
		if err := ioSrv.Emit("bench", fanoutPayload); err != nil {
			b.Fatal(err)
		}
	}
	f.wait(int64(n), emit) // a warm-up broadcast, read before the clock starts
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	b.ResetTimer()
	if mode == "flood" {
		f.wait(int64(b.N+1)*int64(n), func() {
			for range b.N {
				emit()
			}
		})
	} else {
		for i := range b.N {
			if mode == "paced" {
				time.Sleep(fanoutPause) // the pace, not a wait for anything
			}
			f.wait(int64(i+2)*int64(n), emit)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	allocs := float64(after.Mallocs-before.Mallocs) / float64(b.N)
	b.ReportMetric(allocs/float64(n), "allocs/recipient")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "B/recipient")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/recipient")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/recipient")
	for _, c := range conns {
		c.Close()
	}
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// TestBroadcastFanoutAllocs checks, without the race detector, that a
// broadcast allocates nothing per recipient: 200 broadcasts to 500 sockets,
// at a chat room's pace, allocate less than 0.05 times per delivery (what a
// broadcast allocates once, the encoding, its frame and the selection of
// sockets, is shared by its 500 deliveries).
func TestBroadcastFanoutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	const n, rounds = 500, 200
	res := testing.Benchmark(func(b *testing.B) {
		b.N = rounds
		benchFanout(b, n, "paced")
	})
	per := res.Extra["allocs/recipient"]
	t.Logf("%.3f allocations per delivery (%d broadcasts to %d sockets)", per, res.N, n)
	if per > 0.05 {
		t.Errorf("%.3f allocations per delivery, want 0 (at most 0.05)", per)
	}
}
