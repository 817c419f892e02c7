package sio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// The tests below run the server's timers on a synctest bubble's clock:
// each checks that a timer has not fired a moment before it is due, and
// that it has at its time, with no real waiting.

// A connection that joins no namespace within ConnectTimeout is closed; one
// that joined is not.
func TestConnectTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 10 * time.Second
		p := newPipeServer(t, sio.Config{ConnectTimeout: timeout})
		idle := p.dialRaw(t)
		joined := p.dialRaw(t)
		joined.connect("/", "")
		time.Sleep(timeout - time.Millisecond)
		synctest.Wait()
		if n := p.io.Engine().Count(); n != 2 {
			t.Fatalf("%d sessions open just before the timeout, want 2", n)
		}
		time.Sleep(time.Millisecond)
		idle.expectClosed()
		synctest.Wait()
		if n := p.io.Engine().Count(); n != 1 {
			t.Fatalf("%d sessions open after the timeout, want 1 (the one that joined)", n)
		}
	})
}

// Timeout bounds the wait for an acknowledgement: EmitWithAck returns
// ErrAckTimeout, an AckFunc receives it, a broadcast returns the answers
// that came with it.
func TestAckTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 5 * time.Second
		p := newPipeServer(t, sio.Config{})
		a, b := p.dialRaw(t), p.dialRaw(t)
		s := p.io.MainNamespace().Socket(a.connect("/", "")) // connected, so in its namespace
		b.connect("/", "")

		// due checks that got has nothing a moment before the timeout, and
		// something at it.
		due := func(what string, got func() bool) {
			t.Helper()
			time.Sleep(timeout - time.Millisecond)
			synctest.Wait()
			if got() {
				t.Fatalf("%s: timed out early", what)
			}
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if !got() {
				t.Fatalf("%s: no timeout at its time", what)
			}
		}

		errs := make(chan error, 1)
		go func() {
			_, err := s.Timeout(timeout).EmitWithAck(context.Background(), "silent")
			errs <- err
		}()
		var err error
		due("EmitWithAck", received(errs, &err))
		if !errors.Is(err, sio.ErrAckTimeout) {
			t.Fatalf("EmitWithAck: %v, want ErrAckTimeout", err)
		}

		if err := s.Timeout(timeout).Emit("silent", sio.AckFunc(func(_ []any, err error) { errs <- err })); err != nil {
			t.Fatal(err)
		}
		due("AckFunc", received(errs, &err))
		if !errors.Is(err, sio.ErrAckTimeout) {
			t.Fatalf("AckFunc: %v, want ErrAckTimeout", err)
		}

		// A broadcast: a answers, b stays silent.
		type result struct {
			res []any
			err error
		}
		results := make(chan result, 1)
		go func() {
			res, err := p.io.Timeout(timeout).EmitWithAck(context.Background(), "poll")
			results <- result{res, err}
		}()
		a.expect(`42`) // "silent", twice
		a.expect(`42`)
		q := a.expect(`42`)
		id := strings.TrimSuffix(strings.TrimPrefix(q, "42"), `["poll"]`)
		a.send("43" + id + `["a"]`)
		b.expect(`42`) // and never answers
		var r result
		due("broadcast", received(results, &r))
		if !errors.Is(r.err, sio.ErrAckTimeout) || len(r.res) != 1 || r.res[0] != "a" {
			t.Fatalf("broadcast: %v, %v; want [a] with ErrAckTimeout", r.res, r.err)
		}
	})
}

// received returns a function that reports whether ch has a value ready,
// which it then stores in v.
func received[T any](ch <-chan T, v *T) func() bool {
	return func() bool {
		select {
		case *v = <-ch:
			return true
		default:
			return false
		}
	}
}
