package sio

import (
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Observer holds the hooks through which an inspector, a trace or a test
// watches everything a Server does: the hooks of engine.Observer (sessions,
// Engine.IO packets, the engine's debug lines), plus the decoded Socket.IO
// packets, and the debug lines of the Socket.IO layer under the namespaces
// the official server uses ("socket.io:server", "socket.io:namespace",
// "socket.io:socket", "socket.io:client", "socket.io-parser").
//
// Every field is optional: a nil hook is not called, and a nil *Observer in
// Config costs nothing. Set the hooks you need by name; fields may be added
// in later versions, as in net/http/httptrace.ClientTrace. Observers
// combines several.
//
// Hooks are called synchronously on the goroutines that handle the
// connection, so they must be quick and must not block; they must not call
// back into the Server. Data passed to them must be copied if kept.
type Observer struct {
	// Opened, Upgraded, Closed and Packet are engine.Observer's: a session
	// opened, upgraded to a transport, or closed, and an Engine.IO packet
	// received or written.
	Opened   func(s *engine.Session)
	Upgraded func(s *engine.Session, transport string)
	Closed   func(s *engine.Session, reason engine.Reason)
	Packet   func(s *engine.Session, dir engine.Direction, transport string, p engine.Packet)

	// SocketPacket reports one Socket.IO packet of the engine session sid:
	// dir In once the packet is fully decoded (attachments included), dir
	// Out when it is handed to the engine. p belongs to the server.
	SocketPacket func(sid string, dir engine.Direction, p *parser.Packet)

	// Debug receives the debug lines of both layers, unformatted, under the
	// rules of engine.Observer.Debug; sid is empty when no session is
	// concerned.
	Debug func(namespace, sid, format string, args ...any)
	// WantsDebug, if set, is asked before the debug lines written about
	// every packet: while it returns false they are skipped (see
	// engine.Observer.WantsDebug).
	WantsDebug func() bool
}

// engineObserver returns the hooks of o that the engine calls, or nil.
func (o *Observer) engineObserver() *engine.Observer {
	if o == nil {
		return nil
	}
	return &engine.Observer{
		Opened:     o.Opened,
		Upgraded:   o.Upgraded,
		Closed:     o.Closed,
		Packet:     o.Packet,
		Debug:      o.Debug,
		WantsDebug: o.WantsDebug,
	}
}

// hooks returns the observer the Socket.IO layer calls: nil if o sets none
// of its hooks, so that the server's "obs != nil" checks skip everything,
// or else a copy of o whose SocketPacket and Debug are never nil (without
// Debug, WantsDebug says no).
func (o *Observer) hooks() *Observer {
	if o == nil || o.SocketPacket == nil && o.Debug == nil {
		return nil
	}
	h := *o
	if h.SocketPacket == nil {
		h.SocketPacket = func(string, engine.Direction, *parser.Packet) {}
	}
	if h.Debug == nil {
		h.Debug = func(string, string, string, ...any) {}
		h.WantsDebug = func() bool { return false }
	}
	return &h
}

// wantsDebug reports whether o wants the debug lines about each packet now.
func wantsDebug(o *Observer) bool { return o.WantsDebug == nil || o.WantsDebug() }
