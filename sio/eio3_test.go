package sio_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio"
)

// dialV3 opens an Engine.IO v3 WebSocket session by hand and returns it with
// its session id.
func dialV3(t *testing.T, srv *httptest.Server) (*websocket.Conn, string) {
	t.Helper()
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/socket.io/?EIO=3&transport=websocket"
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	var open struct{ SID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(readText(t, ws), "0")), &open); err != nil || open.SID == "" {
		t.Fatalf("open packet: %v", err)
	}
	return ws, open.SID
}

func readText(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(data)
}

func sendText(t *testing.T, ws *websocket.Conn, s string) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

// The Socket.IO side of a socket.io-client 2.x, as the official server
// treats it: connected to "/" by the server with a bare 40, auth in the
// namespace's query, socket ids made of the session id, and middleware
// refusals that carry the error's data or message alone.
func TestEIO3Namespaces(t *testing.T) {
	io := sio.NewServer(sio.Config{AllowEIO3: true})
	defer io.Close()
	sockets := make(chan *sio.Socket, 4)
	io.OnConnection(func(s *sio.Socket) { sockets <- s })
	io.Of("/custom").OnConnection(func(s *sio.Socket) { sockets <- s })
	io.Of("/admin").Use(func(*sio.Socket) error {
		return &sio.ConnectError{Message: "not authorized", Data: map[string]any{"reason": "bad token"}}
	})
	io.Of("/plain").Use(func(*sio.Socket) error { return errors.New("nope") })
	srv := httptest.NewServer(io)
	defer srv.Close()

	ws, sid := dialV3(t, srv)
	if got := readText(t, ws); got != "40" {
		t.Fatalf("after the open packet: %q, want the server's own CONNECT to / (40)", got)
	}
	root := <-sockets
	if root.ID() != sid || len(root.Handshake().Auth) != 0 || root.Handshake().RawAuth != nil {
		t.Errorf("socket on /: id %q (session %q), auth %v", root.ID(), sid, root.Handshake().Auth)
	}

	sendText(t, ws, "40/custom?token=v2&n=7&n=8&x=%C3%A9+y,")
	if got := readText(t, ws); got != "40/custom," {
		t.Fatalf("CONNECT reply on /custom = %q", got)
	}
	custom := <-sockets
	if custom.ID() != "/custom#"+sid {
		t.Errorf("socket id on /custom = %q, want /custom#%s", custom.ID(), sid)
	}
	if raw := string(custom.Handshake().RawAuth); raw != `{"token":"v2","n":"8","x":"é y"}` {
		t.Errorf("auth on /custom = %s", raw)
	}
	if got := custom.Handshake().Auth["n"]; got != "8" {
		t.Errorf("Auth[n] = %v", got)
	}

	sendText(t, ws, "40/admin,")
	if got := readText(t, ws); got != `44/admin,{"reason":"bad token"}` {
		t.Errorf("refusal with data = %q", got)
	}
	sendText(t, ws, "40/plain?a=1,")
	if got := readText(t, ws); got != `44/plain,"nope"` {
		t.Errorf("refusal without data = %q", got)
	}

	// events, binary included, go both ways as for any client
	custom.On("hi", func(e *sio.Event) { e.Ack(e.Args()...) })
	sendText(t, ws, `451-/custom,3["hi",{"_placeholder":true,"num":0}]`)
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte{4, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, ws); got != `461-/custom,3[{"_placeholder":true,"num":0}]` {
		t.Errorf("binary ack = %q", got)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if mt, data, err := ws.ReadMessage(); err != nil || mt != websocket.BinaryMessage || string(data) != "\x04\x01\x02" {
		t.Errorf("attachment = %d %q %v, want a binary frame 04 01 02", mt, data, err)
	}
}

func TestEIO3RefusedByDefault(t *testing.T) {
	io := sio.NewServer(sio.Config{})
	defer io.Close()
	srv := httptest.NewServer(io)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/socket.io/?EIO=3&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Code    int
		Message string
	}
	json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != 400 || body.Code != 5 || body.Message != "Unsupported protocol version" {
		t.Errorf("v3 handshake without AllowEIO3 = %d %+v", res.StatusCode, body)
	}
}
