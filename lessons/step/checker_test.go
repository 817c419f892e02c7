package step_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// An OnSent handler gets the socket an event went to even when that client
// has left by the time the checker's goroutine gets to the event (as a chat
// client given a name and closed at once: its "reuse" task went missing).
func TestOnSentAfterTheClientLeft(t *testing.T) {
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
	got := make(chan *sio.Socket, 1)
	c.OnSent("hello", func(s *sio.Socket, _ []json.RawMessage) { got <- s })
	connected := make(chan *sio.Socket, 1)
	io.OnConnection(func(s *sio.Socket) { connected <- s })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := client.Connect(ctx, srv.URL, client.Options{NoReconnection: true, ForceNew: true})
	if err != nil {
		t.Fatal(err)
	}
	s := <-connected
	s.Emit("hold")
	<-holding
	s.Emit("hello")
	cl.Disconnect()
	for len(io.MainNamespace().Sockets()) > 0 {
		if ctx.Err() != nil {
			t.Fatal("the socket never left")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	select {
	case g := <-got:
		if g != s {
			t.Errorf("OnSent got socket %v, want %v", g, s)
		}
	case <-ctx.Done():
		t.Fatal("the event sent to a client that has since left never reached its OnSent handler")
	}
}
