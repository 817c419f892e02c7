package proxy_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio"
)

// pollingGet answers one polling GET of session sid through the proxy at
// base, or "" with its error.
func pollingGet(t *testing.T, base, sid string) string {
	t.Helper()
	resp, err := http.Get(base + "&sid=" + sid)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestDisconnectOnPolling: through the proxy, a long-polling client is
// disconnected from a namespace (the DISCONNECT with the target's next
// answer, and the target told at once), or has its connection closed (the
// close packet in an answer of its own, after the DISCONNECT, and the
// target told once it went out), with our server as the target.
func TestDisconnectOnPolling(t *testing.T) {
	for _, closeConn := range []bool{false, true} {
		t.Run(map[bool]string{false: "namespace", true: "connection"}[closeConn], func(t *testing.T) {
			io := sio.NewServer(sio.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second})
			target := httptest.NewServer(io)
			t.Cleanup(func() { io.Close(); target.Close() })
			e := startProxy(t, target.URL)
			base := e.URL + "/socket.io/?EIO=4&transport=polling"
			resp, err := http.Get(base)
			if err != nil {
				t.Fatal(err)
			}
			open, _ := ioReadAll(resp)
			var sid string
			if rest, ok := strings.CutPrefix(open, `0{"sid":"`); ok {
				sid, _, _ = strings.Cut(rest, `"`)
			}
			if sid == "" {
				t.Fatalf("open packet %q", open)
			}
			resp, err = http.Post(base+"&sid="+sid, "text/plain;charset=UTF-8", strings.NewReader("40"))
			if err != nil {
				t.Fatal(err)
			}
			ioReadAll(resp)
			if got := pollingGet(t, base, sid); !strings.HasPrefix(got, "40{") {
				t.Fatalf("CONNECT reply %q", got)
			}
			waitFor(t, "the socket on the target", func() bool { return io.MainNamespace().Len() == 1 })

			if err := e.Proxy.Disconnect(context.Background(), sid, "/", closeConn); err != nil {
				t.Fatal(err)
			}
			// The DISCONNECT goes out with the target's next answer (its
			// ping, at the latest).
			deadline := time.Now().Add(30 * time.Second)
			for got := ""; !strings.Contains(got, "41"); got = pollingGet(t, base, sid) {
				if strings.Contains(got, "\x1e1") || got == "1" {
					t.Fatalf("the close came with or before the DISCONNECT: %q", got)
				}
				if time.Now().After(deadline) {
					t.Fatal("no DISCONNECT for the client")
				}
			}
			if !closeConn {
				// The target let go of the socket, not of the connection.
				waitFor(t, "the socket to leave the target", func() bool { return io.MainNamespace().Len() == 0 })
				if io.Engine().Count() != 1 {
					t.Errorf("the target has %d sessions, want 1", io.Engine().Count())
				}
				return
			}
			if got := pollingGet(t, base, sid); got != "1" {
				t.Fatalf("the GET after the DISCONNECT got %q, want the close packet", got)
			}
			waitFor(t, "the target to close the session", func() bool { return io.Engine().Count() == 0 })
			e.flush(t)
			ps, err := e.DB.Packets(t.Context(), inspector.PacketFilter{SID: sid, Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			if !has(ps, "out", "polling", "1") || !has(ps, "in", "polling", "1") || !has(ps, "out", "polling", "41") {
				t.Errorf("recorded:\n%s", dump(ps))
			}
		})
	}
}

func ioReadAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
