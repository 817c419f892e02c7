package admin_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/admin"
	"github.com/sioworkbook/workbook/sio/client"
)

// BenchmarkBroadcast measures what the Admin costs a server that
// broadcasts to 100 WebSocket clients: each op is one io.Emit, and the
// clock stops once every client has read every event. "off" has no Admin,
// "attached" one with no UI connected, "watching" one UI connected (it is
// told of every event each socket is sent, as in Node, up to the queue's
// bound).
func BenchmarkBroadcast(b *testing.B) {
	for _, mode := range []string{"off", "attached", "watching"} {
		b.Run(mode, func(b *testing.B) { benchBroadcast(b, mode) })
	}
}

func benchBroadcast(b *testing.B, mode string) {
	const clients = 100
	cfg := sio.Config{MaxBufferedPackets: 1 << 20}
	var adm *admin.Admin
	if mode != "off" {
		var err error
		if adm, err = admin.New(admin.Options{Logger: slog.New(slog.DiscardHandler)}); err != nil {
			b.Fatal(err)
		}
		cfg = adm.Config(cfg)
	}
	io := sio.NewServer(cfg)
	if adm != nil {
		if err := adm.Attach(io); err != nil {
			b.Fatal(err)
		}
		defer adm.Close()
	}
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()
	if mode == "watching" {
		ui, err := client.New(srv.URL+"/admin", client.Options{ForceNew: true, NoAutoConnect: true, NoReconnection: true})
		if err != nil {
			b.Fatal(err)
		}
		var sent atomic.Int64
		ui.On("event_sent", func(*client.Event) { sent.Add(1) })
		if err := ui.ConnectContext(b.Context()); err != nil {
			b.Fatal(err)
		}
		defer func() {
			b.ReportMetric(float64(sent.Load())/float64(b.N*clients), "shown/delivery")
			ui.Disconnect()
		}()
	}
	var got []*atomic.Int64
	var conns []*websocket.Conn
	for range clients {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, ws)
		ws.ReadMessage() // open
		ws.WriteMessage(websocket.TextMessage, []byte("40"))
		ws.ReadMessage() // CONNECT reply
		n := new(atomic.Int64)
		got = append(got, n)
		go func() {
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if strings.HasPrefix(string(data), "42") {
					n.Add(1)
				}
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		io.Emit("news", "hello", i, map[string]any{"n": i})
	}
	for _, n := range got {
		for n.Load() < int64(b.N) {
			time.Sleep(100 * time.Microsecond)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*clients)/b.Elapsed().Seconds(), "deliveries/s")
	for _, ws := range conns {
		ws.Close()
	}
}
