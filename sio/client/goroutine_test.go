package client_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/internal/leaktest"
)

// clientCode names the goroutines that run this package's code.
var clientCode = []string{"workbook/sio/client."}

// Nothing of the client is left running once it is closed, whichever way:
// Manager.Close over each transport, the last Socket.Disconnect, a Close
// while reconnecting, a failed Connect. (Not parallel: it counts the
// goroutines of the whole process, our Go server's included.)
func TestGoroutinesAfterClose(t *testing.T) {
	for _, kind := range servers {
		base := runtime.NumGoroutine() // before the server starts
		t.Run(kind, func(t *testing.T) {
			srv := startServer(t, kind)
			use := func(opts client.Options, closeWithDisconnect bool) {
				t.Helper()
				m := client.NewManager(srv.url, quick(opts))
				main, custom := m.Socket("/", client.SocketOptions{}), m.Socket("/custom", client.SocketOptions{})
				rmain := record(t, main)
				main.Connect()
				if err := custom.ConnectContext(context.Background()); err != nil {
					t.Fatal(err)
				}
				rmain.connected()
				if opts.Transports == nil {
					rmain.next("manager:upgrade", wait)
				}
				equal(t, "echo", ack1(t, main, "echo", []byte{1, 2}), []byte{1, 2})
				main.Emit("message", "bye") // queued as the connection closes
				if closeWithDisconnect {
					eng := m.Engine()
					custom.Disconnect()
					main.Disconnect()
					<-eng.Done()
				} else {
					m.Close()
				}
			}
			for _, tr := range [][]string{nil, {client.TransportPolling}, {client.TransportWebSocket}} {
				use(client.Options{Transports: tr}, false)
				use(client.Options{Transports: tr}, true)
			}
			leaktest.WaitMatching(t, 0, clientCode...)
			// An idle upgraded connection holds one goroutine: its reader.
			idle, ir := dial(t, srv.url, "/", client.Options{})
			ir.next("manager:upgrade", wait)
			leaktest.WaitMatching(t, 1, clientCode...)
			if n := len(leaktest.Matching(clientCode...)); n != 1 {
				t.Errorf("an idle connection runs %d goroutines of the client, want 1", n)
			}
			idle.Manager().Close()
			// Closed while waiting to reconnect to a server that is not there.
			m := client.NewManager("http://127.0.0.1:1", quick(client.Options{}))
			r := record(t, m.Socket("/", client.SocketOptions{}))
			m.Socket("/", client.SocketOptions{}).Connect()
			r.next("manager:reconnect_attempt", wait)
			m.Close()
			// A Connect that fails.
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			if _, err := client.Connect(ctx, "http://127.0.0.1:1", quick(client.Options{})); err == nil {
				t.Fatal("connected to nothing")
			}
			cancel()
			leaktest.WaitMatching(t, 0, clientCode...)
		})
		// The subtest's cleanups stopped the server: the process is back
		// to where it was before.
		leaktest.Wait(t, base)
	}
}
