package sio

import (
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Observers combines several observers into one whose every hook calls the
// same hook of each observer that sets it, in order. Nil observers are
// skipped; with none left it returns nil, so that nothing is paid, and with
// one it returns that one. A hook that no observer sets stays nil.
//
// The debug lines about every packet are written while any observer that
// sets Debug wants them (WantsDebug), and then go to every observer that
// sets Debug: one that wants none may drop them.
func Observers(list ...*Observer) *Observer {
	var keep []*Observer
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
	var all Observer
	if some(keep, func(o *Observer) bool { return o.Opened != nil }) {
		all.Opened = func(s *engine.Session) {
			for _, o := range keep {
				if o.Opened != nil {
					o.Opened(s)
				}
			}
		}
	}
	if some(keep, func(o *Observer) bool { return o.Upgraded != nil }) {
		all.Upgraded = func(s *engine.Session, transport string) {
			for _, o := range keep {
				if o.Upgraded != nil {
					o.Upgraded(s, transport)
				}
			}
		}
	}
	if some(keep, func(o *Observer) bool { return o.Closed != nil }) {
		all.Closed = func(s *engine.Session, reason engine.Reason) {
			for _, o := range keep {
				if o.Closed != nil {
					o.Closed(s, reason)
				}
			}
		}
	}
	if some(keep, func(o *Observer) bool { return o.Packet != nil }) {
		all.Packet = func(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
			for _, o := range keep {
				if o.Packet != nil {
					o.Packet(s, dir, transport, p)
				}
			}
		}
	}
	if some(keep, func(o *Observer) bool { return o.SocketPacket != nil }) {
		all.SocketPacket = func(sid string, dir engine.Direction, p *parser.Packet) {
			for _, o := range keep {
				if o.SocketPacket != nil {
					o.SocketPacket(sid, dir, p)
				}
			}
		}
	}
	if some(keep, func(o *Observer) bool { return o.Debug != nil }) {
		all.Debug = func(namespace, sid, format string, args ...any) {
			for _, o := range keep {
				if o.Debug != nil {
					o.Debug(namespace, sid, format, args...)
				}
			}
		}
		all.WantsDebug = func() bool {
			return some(keep, func(o *Observer) bool { return o.Debug != nil && wantsDebug(o) })
		}
	}
	return &all
}

// some reports whether f holds for an observer of list.
func some(list []*Observer, f func(*Observer) bool) bool {
	for _, o := range list {
		if f(o) {
			return true
		}
	}
	return false
}
