package jsserver_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/sioworkbook/workbook/internal/memtest"
	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// BenchmarkAckRoundTrip is one event with an ack, from a Go client over
// WebSocket, answered by a JavaScript handler (js) or by the same handler
// in Go (go): what the engine and the event loop add.
func BenchmarkAckRoundTrip(b *testing.B) {
	for _, kind := range []string{"js", "go"} {
		b.Run(kind, func(b *testing.B) {
			var srv *httptest.Server
			if kind == "js" {
				in, err := jsserver.Start(jsserver.Config{Log: step.NewLog(nil),
					Source: `io.on("connection", (s) => s.on("add", (a, b, cb) => cb(a + b)));`})
				if err != nil {
					b.Fatal(err)
				}
				defer in.Close()
				srv = httptest.NewServer(in)
			} else {
				io := sio.NewServer(sio.Config{})
				io.OnConnection(func(s *sio.Socket) {
					s.On("add", func(e *sio.Event) {
						var x, y float64
						_ = e.Bind(&x, &y)
						_ = e.Ack(x + y)
					})
				})
				defer io.Close()
				srv = httptest.NewServer(io)
			}
			defer srv.Close()
			ctx := context.Background()
			s, err := client.Connect(ctx, srv.URL, client.Options{Transports: []string{"websocket"}, ForceNew: true, Auth: map[string]any{}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Manager().Close()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.EmitWithAck(ctx, "add", 2, 3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestInstanceMemory reports what an idle instance of the chat step costs
// (heap and stacks, after GC), for the bounds of Manager. It asserts
// nothing: run it with -v to read the figure.
func TestInstanceMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a measure, not a check")
	}
	src, err := lessons.StepServerJS("chat/app")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	before := memtest.Measure()
	var all []*jsserver.Instance
	for range n {
		in, err := jsserver.Start(jsserver.Config{Source: src, Log: step.NewLog(nil)})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, in)
	}
	per := memtest.Measure().Sub(before).Per(n)
	for _, in := range all {
		in.Close()
	}
	t.Logf("an idle chat/app instance: %d KiB heap, %d KiB stack", per.Heap>>10, per.Stack>>10)
}
