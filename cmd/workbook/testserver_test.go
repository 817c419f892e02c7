package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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
