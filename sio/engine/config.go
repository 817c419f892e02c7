package engine

import (
	"log/slog"
	"net/http"
	"time"
)

// Transport names, as they appear in the transport query parameter and in
// Session.Transport.
const (
	TransportPolling   = "polling"
	TransportWebSocket = "websocket"
)

// Config tunes a Server. The zero value is a valid configuration with the
// official server's defaults; every field says what its zero value means.
// A Config must not be changed after it is passed to NewServer.
type Config struct {
	// PingInterval is how long the server waits after the open packet, and
	// after each pong, before it sends a ping. If zero, 25 seconds is used.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong that answers a
	// ping before it closes the session with ReasonPingTimeout. If zero, 20
	// seconds is used.
	PingTimeout time.Duration
	// UpgradeTimeout is how long a probing WebSocket has to complete the
	// upgrade (send "5") before it is closed and polling goes on. If zero, 10
	// seconds is used.
	UpgradeTimeout time.Duration

	// MaxHTTPBufferSize is the largest polling POST body and the largest
	// WebSocket message accepted, in bytes; it is advertised to the client as
	// maxPayload. A larger POST gets 413, a larger frame closes the
	// WebSocket with 1009; both close the session. If zero, 1e6 is used.
	MaxHTTPBufferSize int64

	// Transports lists the enabled transports, "polling" and/or "websocket".
	// A request for another one gets error 0 "Transport unknown". If nil,
	// both are enabled.
	Transports []string
	// DisableUpgrades stops polling sessions from upgrading to WebSocket:
	// their open packet advertises no upgrades and a WebSocket with their sid
	// is refused.
	DisableUpgrades bool
	// DisableNetpoll gives every WebSocket session a goroutine that waits
	// for its next message, as on systems other than Linux. If false, on
	// Linux, one goroutine per Server waits in epoll for all idle
	// WebSockets, and an idle session holds no goroutine and no read
	// buffer; a connection that is not a plain socket (TLS) still has a
	// goroutine of its own.
	DisableNetpoll bool

	// MaxBufferedPackets bounds each session's outbound queue of messages.
	// Send returns ErrQueueFull, and closes the session, when it would go
	// past it. If zero, 4096 is used.
	MaxBufferedPackets int
	// MaxBufferedBytes bounds the bytes of message data each session holds
	// on its way out: the messages queued plus those the WebSocket writer is
	// writing. Send returns ErrQueueFull, and closes the session, when it
	// would go past it; a message larger than the bound is still accepted
	// when nothing else is held, so the bound is not a message size limit.
	// If zero, 8 MiB is used.
	MaxBufferedBytes int64

	// CompressionThreshold is the polling response size, in bytes, from
	// which the body is gzip (or deflate) compressed when the request's
	// Accept-Encoding allows it. If zero, 1024 is used; a negative value
	// turns compression off.
	CompressionThreshold int

	// HTTPRequestBodyTimeout is how long a polling POST has to deliver its
	// whole body, from when the engine starts reading it. A slower one gets
	// 408 and closes the session with ReasonTransportError, and its
	// connection is closed, as the official server's option of the same name
	// does. If zero, 30 seconds is used.
	HTTPRequestBodyTimeout time.Duration

	// CloseTimeout is how long a polling session closed by Session.Close
	// waits for a GET to carry away its last packets and the close packet
	// before it ends anyway. If zero, 30 seconds is used.
	CloseTimeout time.Duration

	// CORS, if non-nil, adds Access-Control-* headers to every response and
	// answers preflight OPTIONS requests with 204. If nil, no CORS header is
	// written and OPTIONS is treated like any other method.
	CORS *CORS

	// AllowRequest, if non-nil, is asked about each handshake request (one
	// without sid). A non-nil error refuses it with 403 and
	// {"code":4,"message":...}, the message being the error's text, or
	// "Forbidden" when that is empty. It is not asked about requests of
	// existing sessions.
	AllowRequest func(r *http.Request) error

	// AllowEIO3 accepts Engine.IO v3 clients (socket.io-client 2.x) beside
	// v4 ones, as the official server's allowEIO3: a handshake whose EIO
	// query parameter is not "4" opens a v3 session (Session.Protocol),
	// which the engine serves with the v3 framing (see DecodePayloadV3) and
	// heartbeat (the client pings, the server answers). If false, such a
	// handshake gets 400 {"code":5,"message":"Unsupported protocol
	// version"}.
	AllowEIO3 bool

	// Observer, if non-nil, is told about sessions, packets and debug lines
	// through the hooks it sets. If nil, nothing is computed for it. The
	// server keeps a copy: changing the Observer afterwards has no effect.
	Observer *Observer

	// Logger receives the engine's rare operational messages (a recovered
	// panic in a handler). If nil, slog.Default() is used.
	Logger *slog.Logger
}

// CORS configures cross-origin headers, like the cors npm package the
// official server uses.
type CORS struct {
	// Origins lists the allowed origins, e.g. "https://example.com". "*"
	// allows any origin: the header is then "*", or the request's origin
	// echoed back when Credentials is set. If Origins is empty and
	// AllowOrigin is nil, any origin is allowed, as with "*".
	Origins []string
	// AllowOrigin, if non-nil, is asked about origins not in Origins.
	AllowOrigin func(origin string) bool
	// Methods is sent as Access-Control-Allow-Methods in preflight
	// responses. If nil, "GET,HEAD,PUT,PATCH,POST,DELETE" is sent.
	Methods []string
	// AllowedHeaders is sent as Access-Control-Allow-Headers in preflight
	// responses. If nil, the request's Access-Control-Request-Headers is
	// echoed back.
	AllowedHeaders []string
	// ExposedHeaders, if non-nil, is sent as Access-Control-Expose-Headers.
	ExposedHeaders []string
	// Credentials sends Access-Control-Allow-Credentials: true.
	Credentials bool
	// MaxAge, if positive, is sent (in seconds) as Access-Control-Max-Age in
	// preflight responses.
	MaxAge time.Duration
}

// settings is a Config with its defaults applied, plus values computed once.
type settings struct {
	Config
	polling, websocket bool
	openPolling        []byte // the open packet JSON after the sid, for polling sessions
	openWebSocket      []byte // the same for WebSocket sessions
	logger             *slog.Logger
}

func newSettings(cfg Config) *settings {
	st := &settings{Config: cfg}
	c := &st.Config
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	if c.MaxHTTPBufferSize <= 0 {
		c.MaxHTTPBufferSize = 1e6
	}
	if c.Transports == nil {
		c.Transports = []string{TransportPolling, TransportWebSocket}
	}
	for _, t := range c.Transports {
		switch t {
		case TransportPolling:
			st.polling = true
		case TransportWebSocket:
			st.websocket = true
		}
	}
	if c.MaxBufferedPackets <= 0 {
		c.MaxBufferedPackets = 4096
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = 8 << 20
	}
	if c.HTTPRequestBodyTimeout <= 0 {
		c.HTTPRequestBodyTimeout = 30 * time.Second
	}
	if c.CompressionThreshold == 0 {
		c.CompressionThreshold = 1024
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
	st.logger = c.Logger
	if st.logger == nil {
		st.logger = slog.Default()
	}
	upgrades := `[]`
	if st.websocket && !c.DisableUpgrades {
		upgrades = `["websocket"]`
	}
	st.openPolling = openTail(upgrades, c)
	st.openWebSocket = openTail(`[]`, c)
	return st
}

// openTail is the part of the open packet after the sid value.
func openTail(upgrades string, c *Config) []byte {
	b := []byte(`","upgrades":`)
	b = append(b, upgrades...)
	b = append(b, `,"pingInterval":`...)
	b = appendInt(b, c.PingInterval.Milliseconds())
	b = append(b, `,"pingTimeout":`...)
	b = appendInt(b, c.PingTimeout.Milliseconds())
	b = append(b, `,"maxPayload":`...)
	b = appendInt(b, c.MaxHTTPBufferSize)
	return append(b, '}')
}

func (st *settings) enabled(transport string) bool {
	switch transport {
	case TransportPolling:
		return st.polling
	case TransportWebSocket:
		return st.websocket
	}
	return false
}

// writeTimeout bounds one WebSocket write: a client that does not read for
// that long cannot have answered a ping either.
func (st *settings) writeTimeout() time.Duration {
	return st.PingInterval + st.PingTimeout
}
