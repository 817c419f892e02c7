package inspector_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// The server benchmarks of sio/bench_test.go, each run twice: without an
// observer ("bare") and with a Recorder ("recorded"), to measure what
// recording costs the server:
//
//	go test -run '^$' -bench 'BenchmarkServer' -count 5 ./inspector/

// benchClient is a minimal WebSocket client that counts the events it gets.
type benchClient struct {
	ws     *websocket.Conn
	events atomic.Int64
	done   chan struct{}
}

func benchWSURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/socket.io/?EIO=4&transport=websocket"
}

func dialBench(b *testing.B, srv *httptest.Server) *benchClient {
	ws, _, err := websocket.DefaultDialer.Dial(benchWSURL(srv), nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &benchClient{ws: ws, done: make(chan struct{})}
	ws.ReadMessage() // open
	ws.WriteMessage(websocket.TextMessage, []byte("40"))
	ws.ReadMessage() // CONNECT reply
	go func() {
		defer close(c.done)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			switch {
			case string(data) == "2":
				ws.WriteMessage(websocket.TextMessage, []byte("3"))
			case strings.HasPrefix(string(data), "42"):
				c.events.Add(1)
			}
		}
	}()
	return c
}

// benchModes: no observer, an observer that does nothing (what the server
// itself pays to describe its work: debug lines are formatted only when an
// observer is set), and the Recorder.
var benchModes = []string{"bare", "null", "recorded"}

// nullObserver sets every hook, and each discards what it is told.
var nullObserver = &sio.Observer{
	Opened:       func(*engine.Session) {},
	Upgraded:     func(*engine.Session, string) {},
	Closed:       func(*engine.Session, engine.Reason) {},
	Packet:       func(*engine.Session, engine.Direction, string, engine.Packet) {},
	Debug:        func(string, string, string, ...any) {},
	SocketPacket: func(string, engine.Direction, *parser.Packet) {},
}

// benchObserver returns the recorder of a recorded run (nil for a bare one)
// and the Observer to give the server.
func benchObserver(b *testing.B, mode string) (*inspector.Recorder, *sio.Observer) {
	switch mode {
	case "bare":
		return nil, nil
	case "null":
		return nil, nullObserver
	}
	quiet := slog.New(slog.DiscardHandler)
	rec := inspector.NewRecorder(MustOpenDB(b), inspector.RecorderOptions{Logger: quiet})
	b.Cleanup(func() { rec.Close() })
	return rec, rec.Observer()
}

func reportRecorder(b *testing.B, rec *inspector.Recorder) {
	if rec == nil {
		return
	}
	b.ReportMetric(float64(rec.Stored())/b.Elapsed().Seconds(), "stored/s")
	b.ReportMetric(float64(rec.Dropped())/b.Elapsed().Seconds(), "dropped/s")
}

// BenchmarkServerBroadcast is sio's BenchmarkBroadcast: one io.Emit
// delivered to 100 WebSocket clients per op.
func BenchmarkServerBroadcast(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			const clients = 100
			rec, obs := benchObserver(b, mode)
			io := sio.NewServer(sio.Config{MaxBufferedPackets: 1 << 20, Observer: obs})
			srv := httptest.NewServer(io)
			defer srv.Close()
			defer io.Close()
			cs := make([]*benchClient, clients)
			for i := range cs {
				cs[i] = dialBench(b, srv)
			}
			for io.MainNamespace().Len() < clients {
				time.Sleep(time.Millisecond)
			}
			if rec != nil {
				rec.Flush(context.Background()) // the handshakes
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				io.Emit("news", "hello", i, map[string]any{"n": i})
			}
			for _, c := range cs {
				for c.events.Load() < int64(b.N) {
					time.Sleep(100 * time.Microsecond)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*clients)/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*clients), "cpu-ns/delivery")
			reportRecorder(b, rec)
			for _, c := range cs {
				c.ws.Close()
				<-c.done
			}
		})
	}
}

// BenchmarkServerEcho is sio's BenchmarkEchoWithAck: closed-loop round
// trips, a client emitting with an ack id and waiting for the answer.
func BenchmarkServerEcho(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			rec, obs := benchObserver(b, mode)
			io := sio.NewServer(sio.Config{Observer: obs})
			io.OnConnection(func(s *sio.Socket) {
				s.On("echo", func(e *sio.Event) { e.Ack(e.Raw()[0]) })
			})
			srv := httptest.NewServer(io)
			defer srv.Close()
			defer io.Close()
			ws, _, err := websocket.DefaultDialer.Dial(benchWSURL(srv), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer ws.Close()
			ws.ReadMessage()
			ws.WriteMessage(websocket.TextMessage, []byte("40"))
			ws.ReadMessage()
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ws.WriteMessage(websocket.TextMessage, []byte(`421["echo",{"hello":"world"}]`))
				for {
					_, data, err := ws.ReadMessage()
					if err != nil {
						b.Fatal(err)
					}
					if string(data) == "2" {
						ws.WriteMessage(websocket.TextMessage, []byte("3"))
						continue
					}
					break
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/roundtrip")
			reportRecorder(b, rec)
		})
	}
}
