package sio

import (
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Observers combines several observers into one that tells each of them
// everything, in order. Nil entries are skipped; with none left it returns
// nil, so that nothing is paid.
func Observers(list ...Observer) Observer {
	var keep multiObserver
	for _, o := range list {
		if o != nil {
			keep = append(keep, o)
		}
	}
	switch len(keep) {
	case 0:
		return nil
	case 1:
		return keep[0]
	}
	return keep
}

type multiObserver []Observer

// WantsDebug implements engine.DebugGate: the lines about every packet are
// written while any of the observers wants them.
func (m multiObserver) WantsDebug() bool {
	for _, o := range m {
		if wantsDebug(o) {
			return true
		}
	}
	return false
}

// wantsDebug reports whether o wants debug lines now: unless it says
// otherwise (engine.DebugGate), it does.
func wantsDebug(o Observer) bool {
	g, ok := o.(engine.DebugGate)
	return !ok || g.WantsDebug()
}

func (m multiObserver) Opened(s *engine.Session) {
	for _, o := range m {
		o.Opened(s)
	}
}

func (m multiObserver) Upgraded(s *engine.Session, transport string) {
	for _, o := range m {
		o.Upgraded(s, transport)
	}
}

func (m multiObserver) Closed(s *engine.Session, reason engine.Reason) {
	for _, o := range m {
		o.Closed(s, reason)
	}
}

func (m multiObserver) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	for _, o := range m {
		o.Packet(s, dir, transport, p)
	}
}

func (m multiObserver) Debug(namespace, sid, format string, args ...any) {
	for _, o := range m {
		o.Debug(namespace, sid, format, args...)
	}
}

func (m multiObserver) SocketPacket(sid string, dir engine.Direction, p *parser.Packet) {
	for _, o := range m {
		o.SocketPacket(sid, dir, p)
	}
}
