package engine_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// TestLastMessageBeforeClose: a message the client sends right before its
// close frame is handed to the session before the session closes. (The
// reader, which reads the close frame while the frame handler still handles
// the message, ended the session on its own: the message was lost, and a
// Socket.IO client's DISCONNECT read as "transport close".)
func TestLastMessageBeforeClose(t *testing.T) {
	h := newTestHandler(t, false)
	e := newEnv(t, engine.Config{PingInterval: time.Minute, PingTimeout: time.Minute}, h)
	for i := range 300 {
		c := e.dial("EIO=4&transport=websocket")
		open, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		sid := parseOpen(t, open).SID
		c.send("4first")
		c.send("4last")
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		if err := c.c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			ev := h.next(t)
			if ev.sid != sid {
				continue
			}
			if ev.kind == "close" {
				break
			}
			got = append(got, ev.data)
		}
		if len(got) != 2 || got[1] != "last" {
			t.Fatalf("run %d: the session got %q before it closed, want [first last]", i, got)
		}
		c.c.Close()
	}
}
