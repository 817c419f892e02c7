package sio_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// Shutdown returns once the connections' handlers are done, disconnect
// handlers included, as http.Server.Shutdown waits for its handlers.
func TestShutdownWaitsForHandlers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPipeServer(t, sio.Config{})
		release := make(chan struct{})
		releaseAll := sync.OnceFunc(func() { close(release) })
		defer releaseAll() // a failing test ends its bubble too
		var finished atomic.Int32
		p.io.OnConnection(func(s *sio.Socket) {
			s.On("slow", func(e *sio.Event) {
				e.Ack()
				<-release // an event handler still running at shutdown
				finished.Add(1)
			})
			s.OnDisconnect(func(sio.Reason) {
				<-release
				finished.Add(1)
			})
		})
		c := p.dialRaw(t)
		c.connect("/", "")
		c.send(`421["slow"]`)
		c.expect(`431[]`)
		done := make(chan error, 1)
		go func() { done <- p.io.Shutdown(context.Background()) }()
		synctest.Wait() // all that can run has run: the handlers wait for release
		select {
		case err := <-done:
			t.Fatalf("Shutdown returned (%v) while handlers were running", err)
		default:
		}
		releaseAll()
		if err := <-done; err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		if n := finished.Load(); n != 2 {
			t.Fatalf("%d handlers finished before Shutdown returned, want 2", n)
		}
	})
}

// A handler that never returns holds Shutdown up to its context's end.
func TestShutdownBoundedByContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPipeServer(t, sio.Config{})
		release := make(chan struct{})
		defer close(release)
		p.io.OnConnection(func(s *sio.Socket) {
			s.OnDisconnect(func(sio.Reason) { <-release })
		})
		c := p.dialRaw(t)
		c.connect("/", "")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		if err := p.io.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v, want context.DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("Shutdown returned after %v of the bubble's clock, want 1m", waited)
		}
	})
}
