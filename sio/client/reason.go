package client

// Reason says why a connection or a socket was closed. Its value is the
// string the official JavaScript client reports for the same cause, so logs
// read the same on both sides.
type Reason string

// The reasons an Engine, a Manager or a Socket reports.
const (
	// ReasonTransportClose: the server closed the connection (a close packet,
	// a closed WebSocket), or the network did. The Manager reconnects.
	ReasonTransportClose Reason = "transport close"
	// ReasonTransportError: a request or a WebSocket failed, or the server
	// answered with an error status. The Manager reconnects.
	ReasonTransportError Reason = "transport error"
	// ReasonPingTimeout: no ping came from the server within
	// pingInterval+pingTimeout. The Manager reconnects.
	ReasonPingTimeout Reason = "ping timeout"
	// ReasonParseError: the server sent a packet that could not be decoded.
	// The Manager reconnects.
	ReasonParseError Reason = "parse error"
	// ReasonForcedClose: the connection was closed on purpose, by
	// Engine.Close or Manager.Close, or because its last socket left. No
	// reconnection follows.
	ReasonForcedClose Reason = "forced close"
	// ReasonIOServerDisconnect: the server disconnected the socket from its
	// namespace (a DISCONNECT packet). The socket does not reconnect by itself.
	ReasonIOServerDisconnect Reason = "io server disconnect"
	// ReasonIOClientDisconnect: Socket.Disconnect was called. The socket does
	// not reconnect by itself.
	ReasonIOClientDisconnect Reason = "io client disconnect"
)

// String returns the reason as the official client spells it.
func (r Reason) String() string { return string(r) }

// Reconnects reports whether a socket disconnected for r comes back by
// itself (when reconnection is on): true for the transport reasons, false
// for "io server disconnect", "io client disconnect" and "forced close".
func (r Reason) Reconnects() bool {
	switch r {
	case ReasonTransportClose, ReasonTransportError, ReasonPingTimeout, ReasonParseError:
		return true
	}
	return false
}
