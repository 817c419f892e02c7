package sio

import (
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Observer watches everything a Server does: it is the engine's observer
// (sessions, Engine.IO packets, debug lines of the engine) plus the decoded
// Socket.IO packets and the debug lines of the Socket.IO layer, written under
// the namespaces the official server uses ("socket.io:server",
// "socket.io:namespace", "socket.io:socket", "socket.io:client",
// "socket.io-parser").
//
// Its methods are called synchronously on the goroutines that handle the
// connection, so they must be quick and must not block; they must not call
// back into the Server. Data passed to them must be copied if kept. When
// Config.Observer is nil, nothing is formatted or allocated for it.
type Observer interface {
	engine.Observer
	// SocketPacket reports one Socket.IO packet of the engine session sid:
	// dir In once the packet is fully decoded (attachments included), dir Out
	// when it is handed to the engine.
	SocketPacket(sid string, dir engine.Direction, p *parser.Packet)
}
