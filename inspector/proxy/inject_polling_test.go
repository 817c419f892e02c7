package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/proxy"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
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

// TestActOnEIO3Polling: through the proxy, a socket.io-client 2.x session
// on Engine.IO v3 long-polling (played here over raw HTTP, in v3's
// framing) gets an injected event, whose ack the proxy catches and the
// target never sees, and is then disconnected with its connection closed.
func TestActOnEIO3Polling(t *testing.T) {
	acks := make(chan uint64, 4)
	io := sio.NewServer(sio.Config{AllowEIO3: true, PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second,
		Observer: &sio.Observer{SocketPacket: func(_ string, dir engine.Direction, p *parser.Packet) {
			if dir == engine.In && (p.Type == parser.Ack || p.Type == parser.BinaryAck) {
				acks <- p.ID
			}
		}}})
	target := httptest.NewServer(io)
	t.Cleanup(func() { io.Close(); target.Close() })
	e := startProxy(t, target.URL)
	base := e.URL + "/socket.io/?EIO=3&transport=polling"
	poll := func(sid string) []engine.Packet {
		t.Helper()
		if sid != "" {
			// A v3 client pings, and the server's pong answers the GET: as
			// with v4's pings, the injected packets go out with it.
			resp, err := http.Post(base+"&sid="+sid, "text/plain;charset=UTF-8", strings.NewReader("1:2"))
			if err != nil {
				t.Fatal(err)
			}
			ioReadAll(resp)
		}
		ps, err := engine.DecodePayloadV3([]byte(pollingGet(t, base, sid)), false)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	// pollFor polls until a message whose data starts with prefix comes.
	pollFor := func(sid, prefix string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			for _, p := range poll(sid) {
				if p.Type == engine.PacketClose {
					t.Fatalf("closed while waiting for %q", prefix)
				}
				if p.Type == engine.PacketMessage && strings.HasPrefix(string(p.Data), prefix) {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no message %q", prefix)
			}
		}
	}
	ps := poll("")
	var open struct{ SID string }
	if len(ps) == 0 || ps[0].Type != engine.PacketOpen || json.Unmarshal(ps[0].Data, &open) != nil || open.SID == "" {
		t.Fatalf("handshake %+v", ps)
	}
	sid := open.SID
	waitFor(t, "the socket on the target", func() bool { return io.MainNamespace().Len() == 1 })

	type result struct {
		a   web.Answer
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := e.Proxy.Emit(context.Background(), web.Emission{SID: sid, Nsp: "/", To: web.ToSocket, Event: "hi", Args: []any{1.0}, Ack: 30 * time.Second})
		done <- result{a, err}
	}()
	pollFor(sid, fmt.Sprintf(`2%d["hi",1]`, proxy.InjectAckBase))
	body, _ := engine.AppendPayloadV3(nil, []engine.Packet{{Type: engine.PacketMessage, Data: []byte(fmt.Sprintf(`3%d["ok"]`, proxy.InjectAckBase))}}, false)
	resp, err := http.Post(base+"&sid="+sid, "text/plain;charset=UTF-8", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ioReadAll(resp); got != "ok" {
		t.Errorf("the POST of the ack got %q", got)
	}
	r := <-done
	if r.err != nil || len(r.a.Replies) != 1 || r.a.Replies[0] != "ok" {
		t.Fatalf("Emit: %+v %v", r.a, r.err)
	}

	if err := e.Proxy.Disconnect(context.Background(), sid, "/", true); err != nil {
		t.Fatal(err)
	}
	pollFor(sid, "1")
	if ps := poll(sid); len(ps) != 1 || ps[0].Type != engine.PacketClose {
		t.Fatalf("the GET after the DISCONNECT got %+v, want the close packet", ps)
	}
	waitFor(t, "the target to close the session", func() bool { return io.Engine().Count() == 0 })
	select {
	case id := <-acks:
		t.Errorf("the target got an ack, id %d", id)
	default:
	}
}
