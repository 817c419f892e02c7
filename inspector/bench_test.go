package inspector_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
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
	now := time.Now()
	sids := openBenchSessions(b, rec, "bench", sessions, now)
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

// BenchmarkRecorderPaced measures the recorder's CPU per packet at a
// chat's pace with many sessions: every 50 ms, one packet to each of 1,000
// sessions (a broadcast), for b.N rounds, in real time. With the batch
// window fixed at 100 ms, each batch writes about two packets per session,
// a chunk row and a session row for each; "adaptive" lets the window grow
// with the sessions a batch touches (gatherWindow).
//
//	go test -run '^$' -bench BenchmarkRecorderPaced -benchtime 100x ./inspector/
func BenchmarkRecorderPaced(b *testing.B) {
	for _, mode := range []string{"fixed", "adaptive"} {
		b.Run(mode, func(b *testing.B) {
			inspector.SetAdaptiveGather(b, mode == "adaptive")
			db := MustOpenDB(b)
			rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
			defer rec.Close()
			const sessions = 1000
			sids := openBenchSessions(b, rec, "paced", sessions, time.Now())
			p := engine.Packet{Type: engine.PacketMessage, Data: []byte(`2["bcast",{"t":1733560000000,"pad":"0123456789012345678901234567890123456789"}]`)}
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				<-tick.C
				at := time.Now()
				for _, sid := range sids {
					rec.PacketAt(at, sid, engine.Out, "websocket", p)
				}
			}
			if err := rec.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if d := rec.Dropped(); d != 0 {
				b.Fatalf("%d dropped", d)
			}
			var rows int
			raw, err := sql.Open("sqlite3", db.Path())
			if err != nil {
				b.Fatal(err)
			}
			defer raw.Close()
			if err := raw.QueryRow(`SELECT count(*) FROM packet_chunks`).Scan(&rows); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*sessions), "cpu-ns/packet")
			b.ReportMetric(float64(rows)/float64(b.N*sessions), "chunks/packet")
		})
	}
}

// openBenchSessions opens n WebSocket sessions whose ids start with
// prefix, at at, and waits until they are stored.
func openBenchSessions(b *testing.B, rec *inspector.Recorder, prefix string, n int, at time.Time) []string {
	sids := make([]string, n)
	for i := range sids {
		sids[i] = fmt.Sprintf("%s%0*d", prefix, 20-len(prefix), i)
		rec.OpenAt(at, sids[i], "/socket.io/", "client", "127.0.0.1", "bench", "websocket")
	}
	if err := rec.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	return sids
}

// BenchmarkRecordBroadcast measures everything recording adds to the
// process per broadcast delivery, at a broadcast server's pace: every
// 1/rate s one packet (its bytes shared by every delivery, as sio's
// broadcasts are) goes to each of 1,000 sessions, told to the recorder as
// the engine tells it, from 8 goroutines (the sessions' writers), for b.N
// broadcasts in real time. The CPU is the process's: the hook, the
// writer, SQLite and the garbage collector. "bare" runs the same driver
// with a hook that does nothing: what recording costs is the difference.
//
//	go test -run '^$' -bench BenchmarkRecordBroadcast -benchtime 200x -count 10 ./inspector/
func BenchmarkRecordBroadcast(b *testing.B) {
	for _, rate := range []int{20, 100} {
		for _, mode := range []string{"bare", "recorded"} {
			b.Run(fmt.Sprintf("rate=%d/%s", rate, mode), func(b *testing.B) {
				benchRecordBroadcast(b, rate, mode == "recorded")
			})
		}
	}
}

func benchRecordBroadcast(b *testing.B, rate int, record bool) {
	db := MustOpenDB(b)
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
	defer rec.Close()
	const sessions, writers = 1000, 8
	sids := openBenchSessions(b, rec, "bcast", sessions, time.Now())
	hook := rec.PacketNow
	if !record {
		hook = func(string, engine.Direction, string, engine.Packet) {}
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	broadcast := func() {
		<-tick.C
		data := fmt.Appendf(nil, `2["bcast",{"t":%d,"pad":"0123456789012345678901234567890123456789"}]`, time.Now().UnixMilli())
		p := engine.Packet{Type: engine.PacketMessage, Data: data}
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < sessions; k += writers {
					hook(sids[k], engine.Out, "websocket", p)
				}
			}()
		}
		wg.Wait()
	}
	// A second first, so that the queue's buffers and the batch window are
	// those of a server that has been running.
	for range rate {
		broadcast()
	}
	if err := rec.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		broadcast()
	}
	if err := rec.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if d := rec.Dropped(); d != 0 {
		b.Fatalf("%d dropped", d)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*sessions), "cpu-ns/delivery")
}
