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
// CONNECT reply, before the answer to an event the client sent right after
// its CONNECT.
func TestTestServerAuthFirst(t *testing.T) {
	ts := NewTestServer(TestServerConfig{PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second})
	srv := httptest.NewServer(ts)
	defer srv.Close()
	defer ts.Close()
	for _, nsp := range []string{"", "/custom,"} {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, never a slow one
		read := func() string {
			t.Helper()
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
		if open := read(); !strings.HasPrefix(open, "0{") {
			t.Fatalf("open: %q", open)
		}
		// The event right behind the CONNECT, as a client that does not
		// wait for the reply. Only "/" answers "message".
		if err := c.WriteMessage(websocket.TextMessage, []byte("40"+nsp+`{"token":"t"}`)); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMessage(websocket.TextMessage, []byte(`42["message",1]`)); err != nil {
			t.Fatal(err)
		}
		want := []string{"40" + nsp + `{"sid":`, "42" + nsp + `["auth",{"token":"t"}]`}
		if nsp == "" {
			want = append(want, `42["message-back",1]`)
		}
		for i, w := range want {
			if got := read(); !strings.HasPrefix(got, w) {
				t.Errorf("namespace %q, packet %d: %q, want %q", nsp, i+1, got, w)
			}
		}
		c.Close()
	}
}
