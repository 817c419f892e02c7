package main

import (
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestTestServerAuthFirst: as the official fixture does, testserver emits
// "auth" in the connection handler, so it is the packet right after the
// CONNECT reply, before the answer to an event the client sent as soon as
// it was connected.
func TestTestServerAuthFirst(t *testing.T) {
	url := startTestServer(t)
	for _, nsp := range []string{"", "/custom,"} {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, never a slow one
		read := func() string {
			t.Helper()
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("namespace %q: %v", nsp, err)
			}
			return string(data)
		}
		if open := read(); !strings.HasPrefix(open, "0{") {
			t.Fatalf("open: %q", open)
		}
		if err := c.WriteMessage(websocket.TextMessage, []byte("40"+nsp+`{"token":"t"}`)); err != nil {
			t.Fatal(err)
		}
		if reply := read(); !strings.HasPrefix(reply, "40"+nsp+`{"sid":`) {
			t.Fatalf("namespace %q: CONNECT reply %q", nsp, reply)
		}
		if nsp == "" {
			// An event as soon as the client is connected, as the official
			// client sends what it buffered (/custom has no "message").
			if err := c.WriteMessage(websocket.TextMessage, []byte(`42["message",1]`)); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := read(), "42"+nsp+`["auth",{"token":"t"}]`; got != want {
			t.Errorf("namespace %q: %q after the CONNECT reply, want %q", nsp, got, want)
		}
		if nsp == "" {
			if got, want := read(), `42["message-back",1]`; got != want {
				t.Errorf("then %q, want %q", got, want)
			}
		}
		c.Close()
	}
}

// startTestServer serves the testserver's handlers, with a heartbeat slow
// enough that no ping comes between the packets a test reads, until the
// test ends; it returns the base URL.
func startTestServer(t *testing.T) string {
	t.Helper()
	ts := NewTestServer(TestServerConfig{PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second})
	srv := httptest.NewServer(ts)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return srv.URL
}

// v3Open is the official server's answer to a v3 handshake with the suites'
// settings: the length of the open packet, then the packet.
var v3Open = regexp.MustCompile(`^(\d+):(0\{"sid":"[\w-]{20}","upgrades":\["websocket"\],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000\})$`)

// testserver --allow-eio3 serves socket.io-client 2.x on /socket.io/, with
// the room events on "/custom"; without the flag, v3 is refused as upstream.
func TestTestServerAllowEIO3(t *testing.T) {
	plain := startCommand(t, "testserver", "--addr", "127.0.0.1:0")
	if code, body := get(t, plain+"/socket.io/?EIO=3&transport=polling"); code != 400 || body != `{"code":5,"message":"Unsupported protocol version"}` {
		t.Errorf("v3 handshake without --allow-eio3: %d %s", code, body)
	}

	base := startCommand(t, "testserver", "--addr", "127.0.0.1:0", "--allow-eio3")
	code, body := get(t, base+"/socket.io/?EIO=3&transport=polling")
	m := v3Open.FindStringSubmatch(body)
	if code != 200 || m == nil || m[1] != strconv.Itoa(len(m[2])) {
		t.Fatalf("v3 handshake: %d %q", code, body)
	}
	if code, body := get(t, base+"/socket.io/?EIO=4&transport=polling"); code != 200 || !strings.HasPrefix(body, `0{"sid":"`) {
		t.Errorf("v4 handshake with --allow-eio3: %d %q", code, body)
	}

	nodetest.Setup(t)
	for _, name := range []string{"v2-custom-query", "v2-v4-broadcast", "v2-raw-handshake"} {
		t.Run(name, func(t *testing.T) {
			out := nodetest.Run(t, "v2-scenarios.mjs", "--url", base, "--scenario", name)
			if !strings.Contains(out, "PASS "+name) {
				t.Errorf("no PASS line:\n%s", out)
			}
		})
	}
}
