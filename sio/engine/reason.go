package engine

// Reason says why a session ended. The engine uses the five values below,
// with the words of the official server; Session.Close accepts any Reason, so
// a layer above may pass its own.
type Reason string

// The engine-level close reasons.
const (
	// ReasonTransportClose: the client went away: it sent a close packet, its
	// WebSocket closed, or it aborted a pending polling GET.
	ReasonTransportClose Reason = "transport close"
	// ReasonTransportError: the client broke the protocol (a second GET or
	// POST at once, a ping from the client, a binary POST, a body or frame
	// over MaxHTTPBufferSize, a POST body slower than HTTPRequestBodyTimeout,
	// invalid UTF-8 in a WebSocket text frame), a write failed, or the
	// outbound queue was full.
	ReasonTransportError Reason = "transport error"
	// ReasonPingTimeout: no pong arrived within PingTimeout of a ping.
	ReasonPingTimeout Reason = "ping timeout"
	// ReasonParseError: the client sent a packet that does not decode.
	ReasonParseError Reason = "parse error"
	// ReasonForcedClose: the server closed the session (Server.Close).
	ReasonForcedClose Reason = "forced close"
)
