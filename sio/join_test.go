package sio_test

import (
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

// slowJoinAdapter is the memory adapter, except that putting a socket into
// room "late" waits for the test: a Join caught between its check that
// the socket is connected and the adapter's update.
type slowJoinAdapter struct {
	*sio.MemoryAdapter
	entered, proceed chan struct{}
}

func (a *slowJoinAdapter) AddAll(id string, rooms ...string) {
	if len(rooms) == 1 && rooms[0] == "late" {
		close(a.entered)
		<-a.proceed
	}
	a.MemoryAdapter.AddAll(id, rooms...)
}

// A Join from another goroutine that races with the socket's disconnect
// leaves no room behind, though the adapter's update lands after the
// socket has left its rooms.
func TestJoinRacingDisconnectLeavesNoRoom(t *testing.T) {
	a := &slowJoinAdapter{MemoryAdapter: sio.NewMemoryAdapter(), entered: make(chan struct{}), proceed: make(chan struct{})}
	io, srv := newServer(t, sio.Config{NewAdapter: func(*sio.Namespace) sio.Adapter { return a }})
	rs := newReasons()
	io.OnConnection(rs.watch)
	c := dialRaw(t, srv)
	id := c.connect("/", "")
	s := io.MainNamespace().Socket(id)
	joined := make(chan struct{})
	go func() {
		defer close(joined)
		s.Join("late")
	}()
	<-a.entered
	c.close()
	rs.wait(t, id) // the socket has left its rooms
	close(a.proceed)
	<-joined
	if rooms := a.Rooms(); len(rooms) != 0 {
		t.Fatalf("rooms left: %v", rooms)
	}
}
