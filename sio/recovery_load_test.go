package sio_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestRecoveryUnderBroadcast cuts a client's transport again and again
// while the server broadcasts numbered events without pause: every
// reconnect is recovered, and the client gets every number exactly once,
// in order, the replayed ones and the live ones alike (a restored socket
// takes its place while no event is logged, so none falls between the
// replay and the live stream, and none comes twice).
func TestRecoveryUnderBroadcast(t *testing.T) {
	cuts := 100
	if testing.Short() {
		cuts = 10
	}
	for _, transport := range []string{"polling", "websocket"} {
		t.Run(transport, func(t *testing.T) {
			io := sio.NewServer(sio.Config{
				PingInterval:            time.Second,
				PingTimeout:             10 * time.Second,
				ConnectionStateRecovery: &sio.RecoveryConfig{},
			})
			gone := make(chan string, 4)
			io.OnConnection(func(s *sio.Socket) {
				s.OnDisconnect(func(sio.Reason) { gone <- s.ID() })
			})
			srv := httptest.NewServer(io)
			t.Cleanup(func() {
				srv.Close()
				io.Close()
			})

			c, err := client.New(srv.URL, client.Options{
				Transports: []string{transport}, ForceNew: true, NoAutoConnect: true, NoReconnection: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Manager().Close)
			var (
				mu   sync.Mutex
				got  []float64
				more = make(chan struct{}, 1)
			)
			left := make(chan client.Reason, 4)
			c.OnDisconnect(func(r client.Reason) { left <- r })
			c.On("n", func(e *client.Event) {
				n, _ := e.Arg(0).(float64)
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
				select {
				case more <- struct{}{}:
				default:
				}
			})
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			if err := c.ConnectContext(ctx); err != nil {
				t.Fatal(err)
			}
			id := c.ID()

			// The broadcaster: a numbered event every 200 µs or so.
			stop := make(chan struct{})
			done := make(chan float64)
			go func() {
				n := 0.0
				tick := time.NewTicker(200 * time.Microsecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						done <- n
						return
					case <-tick.C:
						if err := io.Emit("n", n); err != nil {
							t.Error(err)
						}
						n++
					}
				}
			}()
			// An offset first: a client that has none is not restored.
			select {
			case <-more:
			case <-ctx.Done():
				t.Fatal("no event")
			}
			start := time.Now()
			recovered := 0
			for i := range cuts {
				c.Manager().Engine().Close()
				// Both sides must be done with the connection: the client, or
				// it would think it is still connected; the server, or the
				// session would not be kept yet.
				select {
				case <-left:
				case <-ctx.Done():
					t.Fatalf("cut %d: the client did not notice", i)
				}
				select {
				case <-gone:
				case <-ctx.Done():
					t.Fatalf("cut %d: the server did not let go", i)
				}
				if err := c.ConnectContext(ctx); err != nil {
					t.Fatal(err)
				}
				if c.Recovered() && c.ID() == id {
					recovered++
				}
			}
			close(stop)
			last := <-done
			// Wait until the last number has come.
			for {
				mu.Lock()
				n := len(got)
				end := n > 0 && got[n-1] == last-1
				mu.Unlock()
				if end {
					break
				}
				select {
				case <-more:
				case <-ctx.Done():
					t.Fatalf("got %d numbers, want %v", n, last)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if recovered != cuts {
				t.Errorf("%d of %d reconnects recovered", recovered, cuts)
			}
			first := got[0]
			for i, n := range got {
				if n != first+float64(i) {
					t.Fatalf("number %d is %v, want %v (a gap or a repeat)", i, n, first+float64(i))
				}
			}
			t.Logf("%s: %d cuts in %v, %d recovered; %v events, every one received once and in order",
				transport, cuts, time.Since(start).Round(time.Millisecond), recovered, len(got))
		})
	}
}
