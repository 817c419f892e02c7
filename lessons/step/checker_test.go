package step_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// An OnSentTo handler hears of an event to a client that has left by the
// time the checker's goroutine gets to it (a chat client given a name and
// closed at once: its "reuse" task went missing), with no socket but with
// the session and browser the event went to.
func TestOnSentToAfterTheClientLeft(t *testing.T) {
	c := step.NewChecker([]string{"a"}, nil)
	t.Cleanup(c.Close)
	io := sio.NewServer(sio.Config{Observer: c.Observer()})
	srv := httptest.NewServer(io)
	t.Cleanup(func() { io.Close(); srv.Close() })
	c.Start(io)

	// "hold" keeps the checker's goroutine busy until released: what is
	// sent behind it waits in the checker's queue.
	holding, release := make(chan struct{}), make(chan struct{})
	c.OnSent("hold", func(*sio.Socket, []json.RawMessage) {
		close(holding)
		<-release
	})
	got := make(chan step.Sent, 1)
	c.OnSentTo("hello", func(ev step.Sent) { got <- ev })
	connected := make(chan *sio.Socket, 1)
	io.OnConnection(func(s *sio.Socket) { connected <- s })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	header := http.Header{"Cookie": {step.BrowserCookie + "=b1"}}
	cl, err := client.Connect(ctx, srv.URL, client.Options{NoReconnection: true, ForceNew: true, Header: header})
	if err != nil {
		t.Fatal(err)
	}
	s := <-connected
	session := s.SessionID()
	s.Emit("hold")
	<-holding
	s.Emit("hello", "world")
	cl.Disconnect()
	for len(io.MainNamespace().Sockets()) > 0 {
		if ctx.Err() != nil {
			t.Fatal("the socket never left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	select {
	case ev := <-got:
		if ev.Socket != nil || ev.SessionID != session || ev.Browser != "b1" || len(ev.Args) != 1 || string(ev.Args[0]) != `"world"` {
			t.Errorf("OnSentTo got %+v; want no socket, session %s, browser b1, args [\"world\"]", ev, session)
		}
	case <-ctx.Done():
		t.Fatal("the event sent to a client that has since left never reached its OnSentTo handler")
	}
}
