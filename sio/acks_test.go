package sio_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

// A client that never answers cannot make the server's pending
// acknowledgements pile up: past MaxPendingAcks, emits that ask for one
// fail with ErrTooManyAcks, and work again once answers come.
func TestPendingAcksBound(t *testing.T) {
	io, srv := newServer(t, sio.Config{MaxPendingAcks: 2})
	c := dialRaw(t, srv)
	s := io.MainNamespace().Socket(c.connect("/", ""))
	answered := make(chan error, 2)
	noted := sio.AckFunc(func(_ []any, err error) { answered <- err })
	for i := range 2 {
		if err := s.Emit("q", noted); err != nil {
			t.Fatalf("emit %d: %v", i, err)
		}
	}
	first := c.expect("42")
	c.expect("42")
	if err := s.Emit("q", noted); !errors.Is(err, sio.ErrTooManyAcks) {
		t.Fatalf("third Emit = %v, want ErrTooManyAcks", err)
	}
	if _, err := s.EmitWithAck(context.Background(), "q"); !errors.Is(err, sio.ErrTooManyAcks) {
		t.Fatalf("EmitWithAck = %v, want ErrTooManyAcks", err)
	}
	res, err := io.MainNamespace().EmitWithAck(context.Background(), "q")
	if err != nil || len(res) != 0 {
		t.Fatalf("broadcast EmitWithAck = %v, %v; want no answers: the socket is left out", res, err)
	}
	c.send("43" + ackID(first, "q") + "[]")
	if err := <-answered; err != nil {
		t.Fatalf("the answer to the first: %v", err)
	}
	// The answer freed a place: the next EmitWithAck goes out.
	type result struct {
		res []any
		err error
	}
	results := make(chan result, 1)
	go func() {
		res, err := s.EmitWithAck(context.Background(), "q")
		results <- result{res, err}
	}()
	c.send("43" + ackID(c.expect("42"), "q") + `["ok"]`)
	if r := <-results; r.err != nil || len(r.res) != 1 || r.res[0] != "ok" {
		t.Fatalf("EmitWithAck after an answer = %v, %v", r.res, r.err)
	}
}

// ackID returns the ack id of the EVENT frame 42<id>["event"].
func ackID(frame, event string) string {
	return strings.TrimSuffix(strings.TrimPrefix(frame, "42"), `["`+event+`"]`)
}
