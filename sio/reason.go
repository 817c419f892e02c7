package sio

import "github.com/sioworkbook/workbook/sio/engine"

// Reason says why a socket was disconnected. Its value is the string the
// official Node server reports for the same cause, so logs read the same.
type Reason string

// The disconnect reasons a Socket can report, as the official server names them.
const (
	// ReasonServerNamespaceDisconnect: the server called Socket.Disconnect.
	ReasonServerNamespaceDisconnect Reason = "server namespace disconnect"
	// ReasonClientNamespaceDisconnect: the client left the namespace (socket.disconnect() in the browser).
	ReasonClientNamespaceDisconnect Reason = "client namespace disconnect"
	// ReasonServerShuttingDown: Server.Close was called.
	ReasonServerShuttingDown Reason = "server shutting down"
	// ReasonPingTimeout: the client did not answer a ping in time.
	ReasonPingTimeout Reason = "ping timeout"
	// ReasonTransportClose: the connection was closed by the client or the network.
	ReasonTransportClose Reason = "transport close"
	// ReasonTransportError: the connection failed (a protocol error, an oversized message, a full queue).
	ReasonTransportError Reason = "transport error"
	// ReasonParseError: the client sent a packet that could not be decoded.
	ReasonParseError Reason = "parse error"
	// ReasonForcedClose: the server closed the connection on purpose, after
	// a packet the protocol's state forbids, or through the engine
	// (engine.Session.Close).
	ReasonForcedClose Reason = "forced close"
	// ReasonForcedServerClose is the official server's reason for the
	// sockets still attached to a connection it closes itself. This server
	// never reports it: CloseConnection disconnects every socket first
	// (ReasonServerNamespaceDisconnect), and the connect timeout closes
	// only connections that have no socket. It is kept so that code which
	// lists every reason of the official server compiles.
	ReasonForcedServerClose Reason = "forced server close"
)

// String returns the reason as the official server spells it.
func (r Reason) String() string { return string(r) }

func reasonFromEngine(r engine.Reason) Reason { return Reason(r) }
