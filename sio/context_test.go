package sio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// A handler that blocks stops when its socket goes: the socket's context
// is cancelled on disconnect, with a cause that says why. Before that, a
// middleware and the connection handler see it live.
func TestSocketContextEndsWithTheSocket(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	live := make(chan error, 2)
	io.Use(func(s *sio.Socket) error {
		live <- s.Context().Err()
		return nil
	})
	causes := make(chan error, 1)
	sockets := make(chan *sio.Socket, 1)
	io.OnConnection(func(s *sio.Socket) {
		live <- s.Context().Err()
		s.On("block", func(e *sio.Event) {
			e.Ack()
			<-s.Context().Done() // as a handler in a long query would
			causes <- context.Cause(s.Context())
		})
		sockets <- s
	})
	c := dialRaw(t, srv)
	c.connect("/", "")
	for range 2 {
		if err := <-live; err != nil {
			t.Fatalf("the context of a connecting socket: %v", err)
		}
	}
	s := <-sockets
	c.send(`421["block"]`)
	c.expect(`431[]`)
	c.close()
	select {
	case err := <-causes:
		if !errors.Is(err, sio.ErrDisconnected) || !strings.Contains(err.Error(), string(sio.ReasonTransportClose)) {
			t.Fatalf("cause %v, want ErrDisconnected with %q", err, sio.ReasonTransportClose)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked handler was not released by the disconnect")
	}
	if s.Context().Err() == nil {
		t.Fatal("the context of a disconnected socket is live")
	}
}

// A socket a middleware refuses never connects: a context taken in the
// middleware ends all the same, so nothing waits on it forever.
func TestSocketContextOfARefusedSocket(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	ctxs := make(chan context.Context, 1)
	io.Use(func(s *sio.Socket) error {
		ctxs <- s.Context()
		return errors.New("no")
	})
	c := dialRaw(t, srv)
	c.send("40")
	c.expect(`44{"message":"no"}`)
	ctx := <-ctxs
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context of a refused socket is still live")
	}
}
