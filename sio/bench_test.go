package sio_test

import (
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/sio"
)

// benchClient is a minimal WebSocket client that counts the events it gets.
type benchClient struct {
	ws     *websocket.Conn
	events atomic.Int64
	done   chan struct{}
}

func dialBench(b *testing.B, srv *httptest.Server) *benchClient {
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), nil)
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

// BenchmarkBroadcast measures one broadcast delivered to 100 WebSocket
// clients on loopback: each op is one io.Emit, and the clock stops once
// every client has read every event.
func BenchmarkBroadcast(b *testing.B) {
	const clients = 100
	io := sio.NewServer(sio.Config{MaxBufferedPackets: 1 << 20})
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
	b.ReportAllocs()
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
	for _, c := range cs {
		c.ws.Close()
		<-c.done
	}
}

// BenchmarkEchoWithAck measures closed-loop round trips: a client emits with
// an ack id and waits for the server's acknowledgement before the next one.
func BenchmarkEchoWithAck(b *testing.B) {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(e *sio.Event) { e.Ack(e.Raw()[0]) })
	})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	ws.ReadMessage()
	ws.WriteMessage(websocket.TextMessage, []byte("40"))
	ws.ReadMessage()
	b.ReportAllocs()
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
}
