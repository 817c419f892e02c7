package client_test

import (
	"context"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/client"
)

// recoveryWait bounds the waits of the recovery tests: generous, as the
// machines that run them are busy; it only matters when a test fails.
const recoveryWait = 30 * time.Second

// recoveryTarget starts a server with connection state recovery (ours, or
// the official one: recovery-server.mjs) serving "auth", "join", "to" and
// "rooms" on "/", and returns its URL and the sockets it lets go of.
func recoveryTarget(t *testing.T, kind string) (string, *nodetest.Departures) {
	t.Helper()
	if kind == "node" {
		s := nodetest.StartRecoveryServer(t, time.Minute)
		return s.URL, s.Gone
	}
	gone := &nodetest.Departures{}
	io := fixture.Recovery(time.Minute, gone.Mark)
	srv := httptest.NewServer(io)
	t.Cleanup(func() {
		srv.Close()
		io.Close()
	})
	return srv.URL, gone
}

// TestRecovery: sio/client keeps the pid and the last offset, sends them
// when it reconnects after its transport was cut, and reports Recovered,
// against our server and the official one, on both transports, twice in a
// row: same id, the missed events in order with their offsets last, rooms
// kept. After its own Disconnect it is not recovered.
func TestRecovery(t *testing.T) {
	for _, kind := range servers {
		for _, transport := range []string{"polling", "websocket"} {
			t.Run(kind+"/"+transport, func(t *testing.T) {
				url, gone := recoveryTarget(t, kind)
				opts := client.Options{Transports: []string{transport}, NoReconnection: true}
				a, ra := dial(t, url, "/", opts)
				id := ra.connected()
				if a.Recovered() {
					t.Fatal("recovered at first")
				}
				ra.next("auth", recoveryWait) // an offset
				equal(t, "join", ack1(t, a, "join", "room-a"), true)
				b, rb := dial(t, url, "/", opts)
				rb.connected()
				ctx, cancel := context.WithTimeout(t.Context(), recoveryWait)
				defer cancel()
				for round := 1.0; round <= 2; round++ {
					a.Manager().Engine().Close() // the transport, cut from this side
					ra.next("disconnect", recoveryWait)
					if err := gone.Wait(ctx, id); err != nil {
						t.Fatal(err)
					}
					ack(t, b, "to", "room-a", "m", round, "room")
					ack(t, b, "to", "elsewhere", "m", round, "never")
					ack(t, b, "to", id, "m", round, "own room")
					if err := a.ConnectContext(ctx); err != nil {
						t.Fatal(err)
					}
					if !a.Recovered() || a.ID() != id {
						t.Fatalf("round %v: recovered %v, id %s (was %s)", round, a.Recovered(), a.ID(), id)
					}
					for _, want := range []string{"room", "own room"} {
						args := ra.next("m", recoveryWait)
						if len(args) != 3 || args[0] != round || args[1] != want {
							t.Fatalf("round %v: m %s, want [%v %q offset]", round, show(args), round, want)
						}
						if _, ok := args[2].(string); !ok {
							t.Fatalf("round %v: no offset last in %s", round, show(args))
						}
					}
					rooms := []string{id, "room-a"}
					sort.Strings(rooms)
					equal(t, "rooms", ack1(t, a, "rooms"), []any{rooms[0], rooms[1]})
				}
				// A socket that leaves by itself is not restored. (A fresh
				// one: the official server keeps a restored session in its
				// store, so a socket restored before comes back even
				// after its own disconnect there; ours forgets it.)
				c, rc := dial(t, url, "/", opts)
				cid := rc.connected()
				rc.next("auth", recoveryWait)
				c.Disconnect()
				if err := gone.Wait(ctx, cid); err != nil {
					t.Fatal(err)
				}
				if err := c.ConnectContext(ctx); err != nil {
					t.Fatal(err)
				}
				if c.Recovered() || c.ID() == cid {
					t.Fatalf("after Disconnect: recovered %v, id %s (was %s)", c.Recovered(), c.ID(), cid)
				}
			})
		}
	}
}
