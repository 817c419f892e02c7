package inspector_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// benchPackets is a mix of what a chat exchanges: events with a small
// object, acks, heartbeats.
var benchPackets = []engine.Packet{
	{Type: engine.PacketMessage, Data: []byte(`2["chat message",{"user":"ana","text":"hello everyone, how are you?","n":12345}]`)},
	{Type: engine.PacketMessage, Data: []byte(`217["echo",{"hello":"world"}]`)},
	{Type: engine.PacketMessage, Data: []byte(`317[{"hello":"world"}]`)},
	{Type: engine.PacketMessage, Data: []byte(`2/admin,["stats",{"clients":42,"rooms":["a","b","c"]}]`)},
	{Type: engine.PacketPing},
	{Type: engine.PacketPong},
}

// BenchmarkRecorder measures how many packets per second the recorder
// stores: the producer keeps the queue fed (waiting when it is half full,
// so that nothing is dropped) and the clock stops when all are committed.
//
//	go test -run '^$' -bench BenchmarkRecorder -benchtime 1000000x ./inspector/
func BenchmarkRecorder(b *testing.B) {
	db := MustOpenDB(b)
	const queue = 1 << 16
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{QueueSize: queue})
	defer rec.Close()
	const sessions = 100
	sids := make([]string, sessions)
	now := time.Now()
	for i := range sids {
		sids[i] = fmt.Sprintf("bench%015d", i)
		rec.OpenAt(now, sids[i], "/socket.io/", "client", "127.0.0.1", "bench", "websocket")
	}
	rec.Flush(context.Background())
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%1024 == 0 {
			for rec.Queued() > queue/2 {
				time.Sleep(100 * time.Microsecond)
			}
		}
		rec.PacketAt(now.Add(time.Duration(i)*time.Microsecond), sids[i%sessions], engine.Direction(i&1), "websocket", benchPackets[i%len(benchPackets)])
	}
	if err := rec.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if d := rec.Dropped(); d != 0 {
		b.Fatalf("%d dropped", d)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/packet")
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
