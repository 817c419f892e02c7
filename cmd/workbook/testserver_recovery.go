package main

import (
	"sort"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// roomEvents adds the fixture's room events to a socket, each namespace
// acting on itself: "join" (room) joins and acks true; "to" (room, event,
// ...args) emits event with args to the room's sockets and acks true;
// "rooms" acks the socket's rooms, sorted.
func roomEvents(s *sio.Socket) {
	s.On("join", func(e *sio.Event) {
		s.Join(e.String(0))
		_ = e.Ack(true)
	})
	s.On("to", func(e *sio.Event) {
		if args := e.Args(); len(args) >= 2 {
			_ = s.Namespace().To(e.String(0)).Emit(e.String(1), args[2:]...)
		}
		_ = e.Ack(true)
	})
	s.On("rooms", func(e *sio.Event) {
		rooms := s.Rooms()
		sort.Strings(rooms)
		_ = e.Ack(rooms)
	})
}

// withRecovery turns connection state recovery on in cfg for clients gone
// less than d, middlewares skipped as by default in Node; d <= 0 leaves cfg
// as it is.
func withRecovery(d time.Duration, cfg sio.Config) sio.Config {
	if d > 0 {
		cfg.ConnectionStateRecovery = &sio.RecoveryConfig{MaxDisconnectionDuration: d}
	}
	return cfg
}
