package jsserver_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/sio/client"
)

// The script's API forgets a socket once it is gone: refused by a
// middleware, or disconnected.
func TestSocketsAreForgotten(t *testing.T) {
	in, _, url := serve(t, `io.use((socket, next) => next(socket.handshake.auth.ok ? undefined : new Error("no")));
io.on("connection", (socket) => socket.on("ping", (cb) => cb("pong")));`, jsserver.Limits{})
	for range 5 {
		if _, err := connectTo(t, url, client.Options{}, nil); err == nil {
			t.Fatal("a client without ok was let in")
		}
	}
	s := dial(t, url, map[string]any{"ok": true})
	pong(t, s)
	s.Disconnect()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := in.ScriptSockets()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the script's API still keeps %d socket(s)", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
