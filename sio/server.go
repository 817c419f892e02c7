package sio

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Config holds a Server's settings. The zero value is a valid configuration:
// every field says what its zero value means.
type Config struct {
	// Path is where the server answers, with a trailing slash. If empty,
	// "/socket.io/" is used.
	Path string

	// PingInterval is how often the server pings a client. If zero, 25
	// seconds is used.
	PingInterval time.Duration
	// PingTimeout is how long a client has to answer a ping before the
	// connection is closed with "ping timeout". If zero, 20 seconds is used.
	PingTimeout time.Duration
	// UpgradeTimeout is how long an upgrade to WebSocket may take. If zero,
	// 10 seconds is used.
	UpgradeTimeout time.Duration
	// ConnectTimeout is how long a new connection may go without joining a
	// namespace before it is closed. If zero, 45 seconds is used.
	ConnectTimeout time.Duration
	// MaxHTTPBufferSize is the largest message, in bytes, a client may send
	// (maxHttpBufferSize in Node). If zero, 1e6 is used.
	MaxHTTPBufferSize int64
	// MaxAttachments is the largest number of binary attachments one packet
	// may carry. If zero, 10 is used.
	MaxAttachments int
	// MaxBufferedPackets bounds each connection's outgoing queue; a client
	// that lets it overflow is disconnected ("transport error") rather than
	// slowing anyone down. If zero, the engine's default (4096) is used.
	MaxBufferedPackets int
	// MaxBufferedBytes bounds the bytes each connection holds on its way
	// out, as MaxBufferedPackets bounds the packets; past it the client is
	// disconnected the same way. If zero, the engine's default (8 MiB) is
	// used.
	MaxBufferedBytes int64
	// CompressionThreshold is the polling response size from which bodies
	// are gzip or deflate compressed. If zero, 1024 bytes; negative turns
	// compression off.
	CompressionThreshold int
	// HTTPRequestBodyTimeout is how long a polling POST has to deliver its
	// body before it gets 408 and its connection is closed. If zero, 30
	// seconds is used.
	HTTPRequestBodyTimeout time.Duration
	// CloseTimeout is how long a polling connection closed by the server
	// waits for a GET to carry away its last packets. If zero, 30 seconds
	// is used.
	CloseTimeout time.Duration
	// MaxQueuedEvents bounds each connection's incoming queue: the packets
	// (events, and CONNECTs to namespaces) that have been read and wait for
	// the connection's handlers while an earlier one runs (a handler may
	// block). A client that overflows it is disconnected with "transport
	// error", as one that lets its outgoing queue overflow: the server
	// cannot stop reading instead, as the same reader carries the
	// acknowledgements a waiting handler may need. Acknowledgements
	// themselves are not queued. If zero, 4096 is used.
	MaxQueuedEvents int
	// MaxQueuedBytes bounds the same queue in bytes of packet data, binary
	// attachments included; a packet that finds the queue empty is always
	// taken, whatever its size. If zero, 8 MiB is used, or twice
	// MaxHTTPBufferSize if that is more.
	MaxQueuedBytes int64
	// MaxPendingAcks bounds, per socket, the acknowledgements the server
	// waits for (Emit with an AckFunc, EmitWithAck, broadcasts included),
	// so that a client that never answers cannot make them pile up. Past
	// it, Emit and EmitWithAck return ErrTooManyAcks for that socket, and a
	// broadcast's EmitWithAck leaves the socket out. If zero, 4096 is used.
	MaxPendingAcks int
	// Transports lists the transports clients may use: "polling",
	// "websocket". If nil, both are allowed.
	Transports []string
	// DisableUpgrades stops clients from upgrading from polling to WebSocket.
	DisableUpgrades bool
	// DisableNetpoll gives every WebSocket connection a goroutine that
	// waits for its next message. If false, on Linux, idle WebSockets wait
	// in epoll and hold no goroutine and no read buffer (see
	// engine.Config.DisableNetpoll).
	DisableNetpoll bool
	// CORS sets the cross-origin headers of polling responses. If nil, none
	// are sent (same-origin pages need none).
	CORS *engine.CORS
	// AllowRequest, if set, vets each handshake request (the first request
	// of a connection, polling or WebSocket, the one without a sid); an
	// error refuses it with 403 and the error's text. Later requests of an
	// accepted connection, its upgrade to WebSocket included, are not asked
	// about, as with the official server's allowRequest.
	AllowRequest func(r *http.Request) error

	// ConnectionStateRecovery, if set, lets a client whose connection
	// dropped come back as the same socket and receive the events it
	// missed (connectionStateRecovery in Node); see RecoveryConfig. If
	// nil, it is off.
	ConnectionStateRecovery *RecoveryConfig

	// AllowEIO3 accepts socket.io-client 2.x (Engine.IO v3) beside the
	// current clients, as the official server's allowEIO3: such a client is
	// connected to "/" as soon as it opens, passes its auth as the query of
	// a namespace ("/custom?token=x"; Handshake.Auth then holds the values
	// as strings), and its sockets' ids are the Engine.IO session id on "/"
	// and "<namespace>#<session id>" elsewhere. If false, such clients are
	// refused with "Unsupported protocol version".
	AllowEIO3 bool

	// NewAdapter makes the rooms adapter of each namespace. If nil, an
	// in-memory adapter (NewMemoryAdapter) is used.
	NewAdapter func(n *Namespace) Adapter

	// Observer, if set, sees every session, packet and debug line through
	// the hooks it sets. If nil, nothing is paid for observing. The server
	// keeps a copy: changing the Observer afterwards has no effect.
	Observer *Observer
	// Logger receives the server's own log records (handler panics, for
	// example). If nil, slog.Default() is used.
	Logger *slog.Logger

	// ClientScript, if set, is a browser client (the official
	// socket.io-client's dist/socket.io.min.js, or any build of it) served
	// as a classic script at <Path>socket.io.js and <Path>socket.io.min.js,
	// as the official server serves its client. If nil, those paths are not
	// answered specially.
	ClientScript []byte
	// ClientModule, if set, is the ES-module form of the client
	// (dist/socket.io.esm.min.js), served at <Path>socket.io.esm.min.js.
	ClientModule []byte
}

// Server is a Socket.IO server: an http.Handler that speaks Engine.IO v4
// and Socket.IO v5 to the official clients. Mount it at its Path:
//
//	io := sio.NewServer(sio.Config{})
//	io.OnConnection(func(s *sio.Socket) { ... })
//	http.Handle("/socket.io/", io)
//
// Several servers may live in one process under different paths. A Server is
// safe for use by multiple goroutines.
type Server struct {
	cfg    Config
	path   string
	engine *engine.Server
	obs    *Observer // Config.Observer's hooks, SocketPacket and Debug set; nil when neither is
	log    *slog.Logger
	root   *Namespace
	client map[string]*clientFile // by name under path; see clientscript.go

	// connectHook, set by tests only (export_test.go), runs on the
	// connection's handler goroutine once a connecting socket is registered
	// with its connection and before it is added to its namespace.
	connectHook func(*Socket)

	mu      sync.RWMutex
	nsps    map[string]*Namespace
	parents []*ParentNamespace
	closed  bool

	// liveMu guards live and idle: live counts the connections from their
	// Open until their last handler (disconnect handlers included) has
	// returned; idle, made by Shutdown, is closed when live drops to zero.
	liveMu sync.Mutex
	live   int
	idle   chan struct{}

	// lastBroadcast is when the last broadcast's fan-out ended, in
	// nanoseconds since broadcastClock (see Local.Broadcast).
	lastBroadcast atomic.Int64
}

// NewServer returns a server with the main namespace "/" ready.
func NewServer(cfg Config) *Server {
	s := &Server{cfg: cfg, obs: cfg.Observer.hooks(), log: cfg.Logger, nsps: make(map[string]*Namespace)}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.path = cfg.Path
	if s.path == "" {
		s.path = "/socket.io/"
	}
	if !strings.HasSuffix(s.path, "/") {
		s.path += "/"
	}
	ecfg := engine.Config{
		PingInterval:       cfg.PingInterval,
		PingTimeout:        cfg.PingTimeout,
		UpgradeTimeout:     cfg.UpgradeTimeout,
		MaxHTTPBufferSize:  cfg.MaxHTTPBufferSize,
		Transports:         cfg.Transports,
		DisableUpgrades:    cfg.DisableUpgrades,
		DisableNetpoll:     cfg.DisableNetpoll,
		MaxBufferedPackets: cfg.MaxBufferedPackets,
		MaxBufferedBytes:   cfg.MaxBufferedBytes,

		CompressionThreshold:   cfg.CompressionThreshold,
		HTTPRequestBodyTimeout: cfg.HTTPRequestBodyTimeout,
		CloseTimeout:           cfg.CloseTimeout,
		CORS:                   cfg.CORS,
		AllowRequest:           cfg.AllowRequest,
		AllowEIO3:              cfg.AllowEIO3,
		Logger:                 s.log,
	}
	ecfg.Observer = cfg.Observer.engineObserver()
	s.engine = engine.NewServer(ecfg, engineHandler{s})
	s.client = clientFiles(cfg.ClientScript, cfg.ClientModule)
	s.root = s.Of("/")
	return s
}

type engineHandler struct{ s *Server }

func (h engineHandler) Open(sess *engine.Session) engine.SessionHandler {
	h.s.liveMu.Lock()
	h.s.live++
	h.s.liveMu.Unlock()
	c := newConn(h.s, sess)
	if c.v3() {
		c.connectRoot()
	}
	return c
}

// connDone is called on a connection's handler goroutine once the last of
// its handlers has returned.
func (s *Server) connDone() {
	s.liveMu.Lock()
	s.live--
	if s.live == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
	s.liveMu.Unlock()
}

// Path returns the path the server answers at, with its trailing slash.
func (s *Server) Path() string { return s.path }

// Engine returns the Engine.IO server underneath.
func (s *Server) Engine() *engine.Server { return s.engine }

// ServeHTTP answers the Engine.IO requests under Path, and 404 elsewhere.
// With Config.ClientScript set it also serves the browser client under Path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, s.path) && r.URL.Path != strings.TrimSuffix(s.path, "/") {
		http.NotFound(w, r)
		return
	}
	if f := s.client[strings.TrimPrefix(r.URL.Path, s.path)]; f != nil {
		f.ServeHTTP(w, r)
		return
	}
	s.engine.ServeHTTP(w, r)
}

func (s *Server) connectTimeout() time.Duration {
	if s.cfg.ConnectTimeout > 0 {
		return s.cfg.ConnectTimeout
	}
	return 45 * time.Second
}

func (s *Server) maxQueuedEvents() int {
	if s.cfg.MaxQueuedEvents > 0 {
		return s.cfg.MaxQueuedEvents
	}
	return 4096
}

func (s *Server) maxQueuedBytes() int64 {
	if s.cfg.MaxQueuedBytes > 0 {
		return s.cfg.MaxQueuedBytes
	}
	n := s.cfg.MaxHTTPBufferSize
	if n <= 0 {
		n = 1e6
	}
	return max(8<<20, 2*n)
}

func (s *Server) maxPendingAcks() int {
	if s.cfg.MaxPendingAcks > 0 {
		return s.cfg.MaxPendingAcks
	}
	return 4096
}

// debugf passes a debug line, unformatted, to the observer (see
// engine.Observer.Debug): the arguments must not change afterwards.
func (s *Server) debugf(namespace, sid, format string, args ...any) {
	if s.obs != nil {
		s.obs.Debug(namespace, sid, format, args...)
	}
}

// Of returns the namespace called name ("/admin"; a missing leading slash is
// added), creating it on first use.
func (s *Server) Of(name string) *Namespace {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nsps[name]; n != nil {
		return n
	}
	if s.obs != nil {
		s.debugf("socket.io:server", "", "initializing namespace %s", name)
	}
	n := newNamespace(s, name, nil)
	s.nsps[name] = n
	return n
}

// OfFunc declares dynamic namespaces: every name for which match returns
// true exists, and is created when a client first connects to it. Names
// declared with Of take precedence.
func (s *Server) OfFunc(match func(name string) bool) *ParentNamespace {
	p := &ParentNamespace{server: s, match: match}
	s.mu.Lock()
	s.parents = append(s.parents, p)
	s.mu.Unlock()
	return p
}

// OfRegexp declares dynamic namespaces whose names match re.
func (s *Server) OfRegexp(re *regexp.Regexp) *ParentNamespace { return s.OfFunc(re.MatchString) }

// namespaceFor finds or creates the namespace a client asked for.
func (s *Server) namespaceFor(name string) (*Namespace, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nsps[name]; n != nil {
		return n, true
	}
	for _, p := range s.parents {
		if p.match(name) {
			n := newNamespace(s, name, p)
			s.nsps[name] = n
			p.mu.Lock()
			p.children = append(p.children, n)
			p.mu.Unlock()
			return n, true
		}
	}
	return nil, false
}

// MainNamespace returns the main namespace "/" (io.sockets in Node), the one
// that OnConnection, Use, Emit, To and the other namespace methods of Server
// act on. It is what Of("/") returns.
func (s *Server) MainNamespace() *Namespace { return s.root }

// Sockets returns the main namespace "/".
//
// Deprecated: use MainNamespace; io.Sockets().Sockets() read as if it
// returned sockets twice.
func (s *Server) Sockets() *Namespace { return s.root }

// Namespaces returns every namespace that exists now, dynamic children
// included.
func (s *Server) Namespaces() []*Namespace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Namespace, 0, len(s.nsps))
	for _, n := range s.nsps {
		out = append(out, n)
	}
	return out
}

// OnConnection adds a connection handler to the main namespace.
func (s *Server) OnConnection(fn func(sock *Socket)) { s.root.OnConnection(fn) }

// Use adds a middleware to the main namespace.
func (s *Server) Use(m Middleware) { s.root.Use(m) }

// Emit sends an event to every socket of the main namespace.
func (s *Server) Emit(event string, args ...any) error { return s.root.Emit(event, args...) }

// Send emits "message" to every socket of the main namespace.
func (s *Server) Send(args ...any) error { return s.root.Send(args...) }

// To selects the sockets of the main namespace in rooms.
func (s *Server) To(rooms ...string) *BroadcastOperator { return s.root.To(rooms...) }

// In is To.
func (s *Server) In(rooms ...string) *BroadcastOperator { return s.root.In(rooms...) }

// Except leaves out the sockets of the main namespace in rooms.
func (s *Server) Except(rooms ...string) *BroadcastOperator { return s.root.Except(rooms...) }

// Volatile drops events for the sockets that cannot take them right now.
func (s *Server) Volatile() *BroadcastOperator { return s.root.Volatile() }

// Timeout sets how long EmitWithAck waits for acknowledgements.
func (s *Server) Timeout(d time.Duration) *BroadcastOperator { return s.root.Timeout(d) }

// FetchSockets returns the sockets of the main namespace on this node.
func (s *Server) FetchSockets() []*Socket { return s.root.FetchSockets() }

// FetchRemoteSockets returns the sockets of the main namespace on every
// node.
func (s *Server) FetchRemoteSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return s.root.FetchRemoteSockets(ctx)
}

// SocketsJoin puts every socket of the main namespace, on every node, into
// rooms.
func (s *Server) SocketsJoin(rooms ...string) error { return s.root.SocketsJoin(rooms...) }

// SocketsLeave takes every socket of the main namespace, on every node, out
// of rooms.
func (s *Server) SocketsLeave(rooms ...string) error { return s.root.SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket of the main namespace, on
// every node.
func (s *Server) DisconnectSockets() error { return s.root.DisconnectSockets() }

// CloseSockets disconnects every socket of the main namespace, on every
// node, and closes their connections.
func (s *Server) CloseSockets() error { return s.root.CloseSockets() }

// OnServerSideEmit adds a handler, on the main namespace, for an event the
// other nodes send with ServerSideEmit.
func (s *Server) OnServerSideEmit(event string, fn ServerSideHandler) {
	s.root.OnServerSideEmit(event, fn)
}

// ServerSideEmit sends an event to the other nodes (main namespace); see
// Namespace.ServerSideEmit.
func (s *Server) ServerSideEmit(event string, args ...any) error {
	return s.root.ServerSideEmit(event, args...)
}

// ServerSideEmitWithAck sends an event to the other nodes and waits for
// their answers; see Namespace.ServerSideEmitWithAck.
func (s *Server) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	return s.root.ServerSideEmitWithAck(ctx, event, args...)
}

// ServerCount returns the number of nodes of the cluster, this one
// included.
func (s *Server) ServerCount(ctx context.Context) (int, error) { return s.root.ServerCount(ctx) }

// Close disconnects every socket of every namespace with reason "server
// shutting down" (their contexts are cancelled, and their disconnect
// handlers queued) and closes every Engine.IO session. It does not wait
// for handlers: Shutdown does. The handler stays mounted; later requests
// are refused as unknown sessions. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	for _, n := range s.Namespaces() {
		for _, sock := range n.Sockets() {
			sock.onClose(ReasonServerShuttingDown)
		}
		if a, ok := n.adapter.(interface{ closeRecovery() }); ok {
			a.closeRecovery() // its sweeps; the sessions just kept are of no use now
		}
	}
	s.engine.Close()
	return nil
}

// Shutdown closes the server like Close, then waits until the handlers of
// every connection have returned: the event handlers running or queued, and
// the disconnect handlers that Close set off, as http.Server.Shutdown waits
// for its handlers. Sockets' contexts (Socket.Context) are cancelled by
// Close, so handlers that watch them end early. If ctx ends first, Shutdown
// returns ctx.Err(); the handlers still running go on, and the server is
// closed all the same.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.Close(); err != nil {
		return err
	}
	s.liveMu.Lock()
	if s.live == 0 {
		s.liveMu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.liveMu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
