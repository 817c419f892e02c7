package admin

import (
	"github.com/sioworkbook/workbook/sio"
)

// commands registers the UI's commands on its socket s. Each names a
// namespace and a filter: a room (a socket's id is one), or nothing for
// every socket of the namespace. A command that does not parse is logged
// and ignored, as is one for a namespace that does not exist.
//
//	emit(nsp, filter, event, ...args)
//	join(nsp, room, filter)
//	leave(nsp, room, filter)
//	_disconnect(nsp, close, filter)
func (a *Admin) commands(s *sio.Socket) {
	s.On("emit", func(e *sio.Event) {
		args := e.Args()
		nsp, ok1 := argString(args, 0)
		filter, ok2 := argFilter(args, 1)
		event, ok3 := argString(args, 2)
		if !ok1 || !ok2 || !ok3 || event == "" {
			a.refuse(s, "emit", "want (namespace, room or null, event, ...args)")
			return
		}
		n := a.namespace(nsp)
		if n == nil {
			a.refuse(s, "emit", "no namespace "+nsp)
			return
		}
		if err := selectSockets(n, filter).Emit(event, args[3:]...); err != nil {
			a.refuse(s, "emit", err.Error())
		}
	})
	rooms := func(name string, act func(t target, room string) error) {
		s.On(name, func(e *sio.Event) {
			args := e.Args()
			nsp, ok1 := argString(args, 0)
			room, ok2 := argString(args, 1)
			filter, ok3 := argFilter(args, 2)
			if !ok1 || !ok2 || !ok3 || room == "" {
				a.refuse(s, name, "want (namespace, room, room or null)")
				return
			}
			n := a.namespace(nsp)
			if n == nil {
				a.refuse(s, name, "no namespace "+nsp)
				return
			}
			if err := act(selectSockets(n, filter), room); err != nil {
				a.refuse(s, name, err.Error())
			}
		})
	}
	rooms("join", func(t target, room string) error { return t.SocketsJoin(room) })
	rooms("leave", func(t target, room string) error { return t.SocketsLeave(room) })
	s.On("_disconnect", func(e *sio.Event) {
		args := e.Args()
		nsp, ok1 := argString(args, 0)
		closeConn, ok2 := e.Arg(1).(bool)
		filter, ok3 := argFilter(args, 2)
		if !ok1 || !ok2 || !ok3 {
			a.refuse(s, "_disconnect", "want (namespace, close, room or null)")
			return
		}
		n := a.namespace(nsp)
		if n == nil {
			a.refuse(s, "_disconnect", "no namespace "+nsp)
			return
		}
		t := selectSockets(n, filter)
		act := t.DisconnectSockets
		if closeConn {
			act = t.CloseSockets
		}
		if err := act(); err != nil {
			a.refuse(s, "_disconnect", err.Error())
		}
	})
}

func (a *Admin) refuse(s *sio.Socket, command, why string) {
	a.log.Warn("admin: command ignored", "command", command, "reason", why, "ui", s.ID())
}

func argString(args []any, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	v, ok := args[i].(string)
	return v, ok
}

// argFilter reads an optional room: a string, or null or nothing for every
// socket.
func argFilter(args []any, i int) (string, bool) {
	if i >= len(args) || args[i] == nil {
		return "", true
	}
	v, ok := args[i].(string)
	return v, ok
}

// target is what a command acts on: a namespace, or the sockets of a room
// in it. With a cluster adapter, the command reaches every node, as Node's
// instrument does.
type target interface {
	Emit(event string, args ...any) error
	SocketsJoin(rooms ...string) error
	SocketsLeave(rooms ...string) error
	DisconnectSockets() error
	CloseSockets() error
}

// selectSockets returns the sockets of n in room, or all of them when room
// is empty.
func selectSockets(n *sio.Namespace, room string) target {
	if room == "" {
		return n
	}
	return n.In(room)
}
