package client_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
)

// waitGoroutines waits until the number of goroutines is back to at most
// want, and fails with a dump of them otherwise.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", n, want, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Nothing of the client is left running once it is closed, whichever way:
// Manager.Close over each transport, the last Socket.Disconnect, a Close
// while reconnecting, a failed Connect. (Not parallel: it counts the
// goroutines of the whole process, our Go server's included.)
func TestGoroutinesAfterClose(t *testing.T) {
	for _, kind := range servers {
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
			use(client.Options{}, false) // warm up the servers' own goroutines
			waitGoroutines(t, runtime.NumGoroutine())
			time.Sleep(100 * time.Millisecond)
			base := runtime.NumGoroutine()

			for _, tr := range [][]string{nil, {client.TransportPolling}, {client.TransportWebSocket}} {
				use(client.Options{Transports: tr}, false)
				use(client.Options{Transports: tr}, true)
			}
			if kind == "node" { // the server's goroutines are in another process
				// An idle upgraded connection holds one goroutine: its reader.
				s, r := dial(t, srv.url, "/", client.Options{})
				r.next("manager:upgrade", wait)
				waitGoroutines(t, base+1)
				s.Manager().Close()
			}
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
			waitGoroutines(t, base)
		})
	}
}
