package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/sioworkbook/workbook/sio"
)

// ServersActor is the Actor of the sio servers of this process (workbook
// serve: the main one and every lesson step's). Servers returns them as
// they are now; a session is acted on in the server whose sockets carry
// it. Everything goes through sio's own API (Socket.Emit, Join,
// Disconnect, Namespace.In(room).Emit...), as the Admin UI's commands do
// (sio/admin), so the recorder sees the packets as it sees any other, and
// a join or leave as the debug line sio writes for it ("join room [r]").
type ServersActor func() []*sio.Server

var _ Actor = ServersActor(nil)

// find returns the socket of session sid in namespace nsp, or nil; held
// reports whether sid has a connected socket in any namespace.
func (f ServersActor) find(sid, nsp string) (sock *sio.Socket, held bool) {
	for _, srv := range f() {
		for _, n := range srv.Namespaces() {
			for _, s := range n.Sockets() {
				if s.SessionID() != sid || !s.Connected() {
					continue
				}
				held = true
				if n.Name() == nsp {
					return s, true
				}
			}
		}
	}
	return nil, held
}

// socket is find, with an error that says what is missing.
func (f ServersActor) socket(sid, nsp string) (*sio.Socket, error) {
	s, held := f.find(sid, nsp)
	if s != nil {
		return s, nil
	}
	if held {
		return nil, fmt.Errorf("the session has no socket in namespace %s", nsp)
	}
	return nil, fmt.Errorf("%w: no socket of this process carries it", ErrNotLive)
}

// Abilities implements Actor: a session with a connected socket in any
// namespace of the servers is live.
func (f ServersActor) Abilities(sid string) Abilities {
	if _, held := f.find(sid, ""); !held {
		return Abilities{Why: "no socket of this process carries it (it ended, or another process serves it)"}
	}
	return Abilities{Live: true}
}

// Emit implements Actor. To a room or everyone, the event goes through the
// namespace of the socket's own server, and so through its adapter to the
// other nodes of a cluster, as io.to(room).emit does.
func (f ServersActor) Emit(ctx context.Context, e Emission) (Answer, error) {
	s, err := f.socket(e.SID, e.Nsp)
	if err != nil {
		return Answer{}, err
	}
	var replies []any
	if e.To == ToSocket {
		if e.Ack <= 0 {
			return Answer{}, s.Emit(e.Event, e.Args...)
		}
		replies, err = s.Timeout(e.Ack).EmitWithAck(ctx, e.Event, e.Args...)
	} else {
		b := s.Namespace().Timeout(e.Ack)
		if e.To == ToRoom {
			b = b.In(e.Room)
		}
		if e.Ack <= 0 {
			return Answer{}, b.Emit(e.Event, e.Args...)
		}
		replies, err = b.EmitWithAck(ctx, e.Event, e.Args...)
	}
	if errors.Is(err, sio.ErrAckTimeout) {
		return Answer{Replies: replies, TimedOut: true}, nil
	}
	return Answer{Replies: replies}, err
}

// Disconnect implements Actor.
func (f ServersActor) Disconnect(_ context.Context, sid, nsp string, closeConn bool) error {
	s, err := f.socket(sid, nsp)
	if err != nil {
		return err
	}
	if closeConn {
		s.CloseConnection()
	} else {
		s.Disconnect()
	}
	return nil
}

// Join implements Actor.
func (f ServersActor) Join(_ context.Context, sid, nsp, room string) error {
	s, err := f.socket(sid, nsp)
	if err != nil {
		return err
	}
	s.Join(room)
	return nil
}

// Leave implements Actor.
func (f ServersActor) Leave(_ context.Context, sid, nsp, room string) error {
	s, err := f.socket(sid, nsp)
	if err != nil {
		return err
	}
	s.Leave(room)
	return nil
}
