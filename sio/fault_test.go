package sio_test

import (
	"context"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// The engine's faults (engine.Faults: Drop, StopHeartbeat), seen through
// Socket.IO: a client reconnects by itself after each, with the reason a
// cut network or a silent server would give.
func TestEngineFaultsReconnect(t *testing.T) {
	for _, transports := range [][]string{{"websocket"}, {"polling"}} {
		t.Run(transports[0], func(t *testing.T) {
			io, srv := newServer(t, sio.Config{PingInterval: 100 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
			rs := newReasons()
			sockets := make(chan *sio.Socket, 8)
			io.OnConnection(func(s *sio.Socket) { rs.watch(s); sockets <- s })
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			c, err := client.New(srv.URL, client.Options{
				ForceNew: true, NoAutoConnect: true, Transports: transports,
				ReconnectionDelay: 20 * time.Millisecond, ReconnectionDelayMax: 50 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			gone := make(chan client.Reason, 4)
			c.OnDisconnect(func(r client.Reason) { gone <- r })
			if err := c.ConnectContext(ctx); err != nil {
				t.Fatal(err)
			}
			defer c.Disconnect()
			next := func() *sio.Socket {
				t.Helper()
				select {
				case s := <-sockets:
					return s
				case <-ctx.Done():
					t.Fatal("no connection")
				}
				return nil
			}
			reason := func() client.Reason {
				t.Helper()
				select {
				case r := <-gone:
					return r
				case <-ctx.Done():
					t.Fatal("the client did not disconnect")
				}
				return ""
			}
			session := func() {
				t.Helper()
				if n := len(io.Engine().Sessions()); n != 1 {
					t.Fatalf("%d sessions, want 1", n)
				}
			}

			first := next()
			session()
			io.Engine().Sessions()[0].Faults().Drop()
			if r := rs.wait(t, first.ID()); r != sio.ReasonTransportClose {
				t.Errorf("server side of a drop: %q", r)
			}
			if r := reason(); r != "transport close" && r != "transport error" {
				t.Errorf("client side of a drop: %q", r)
			}
			second := next()
			session()
			io.Engine().Sessions()[0].Faults().StopHeartbeat()
			if r := reason(); r != "ping timeout" {
				t.Errorf("client side of stopped pings: %q", r)
			}
			if r := rs.wait(t, second.ID()); r != sio.ReasonTransportClose {
				t.Errorf("server side of stopped pings: %q", r)
			}
			next()
		})
	}
}
