package sio_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// lockingAdapter is the memory adapter behind one more lock, which it holds
// while it calls Select's fn, as an adapter may that guards its own state
// with a plain mutex. Calling back into it from fn would deadlock.
type lockingAdapter struct {
	*sio.MemoryAdapter
	mu sync.Mutex
}

func (a *lockingAdapter) AddAll(id string, rooms ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.MemoryAdapter.AddAll(id, rooms...)
}

func (a *lockingAdapter) Del(id, room string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.MemoryAdapter.Del(id, room)
}

func (a *lockingAdapter) Select(opts sio.BroadcastOptions, fn func(id string)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.MemoryAdapter.Select(opts, fn)
}

// SocketsJoin, SocketsLeave and DisconnectSockets never call into the
// adapter from inside Select's callback, so an adapter that holds its lock
// there does not deadlock.
func TestSocketsJoinWithLockingAdapter(t *testing.T) {
	a := &lockingAdapter{MemoryAdapter: sio.NewMemoryAdapter()}
	io, srv := newServer(t, sio.Config{NewAdapter: func(*sio.Namespace) sio.Adapter { return a }})
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.SocketsJoin("x")
		io.In("x").SocketsLeave("x")
		io.SocketsJoin("y")
	}()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("SocketsJoin did not return: it calls the adapter from inside Select")
	}
	s := io.Sockets().Socket(id)
	if got := s.Rooms(); len(got) != 2 || got[1] != "y" {
		t.Fatalf("rooms = %v, want [%s y]", got, id)
	}
}
