package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/internal/mailbox"
	"github.com/sioworkbook/workbook/sio/parser"
)

// ErrTimeout is the error a Manager reports (OnError, OnConnectError,
// OnReconnectError) when a connection could not be opened within
// Options.Timeout: "timeout" in the official client.
var ErrTimeout = errors.New("client: timeout")

// Options configures a Manager, and the Socket that New and Connect return.
// The zero value means the official client's defaults: every field says what
// its zero value means.
type Options struct {
	// Path is the server's endpoint. If empty, "/socket.io/" is used; a
	// trailing slash is added.
	Path string

	// Transports lists the transports to use, in order: the first opens the
	// connection, the others are upgrades. If nil, {"polling", "websocket"}
	// is used: the connection opens over HTTP long-polling and upgrades to
	// WebSocket. {"websocket"} connects over WebSocket directly.
	Transports []string
	// NoUpgrade keeps the first transport (upgrade: false).
	NoUpgrade bool
	// Query is added to the query of every request; the URL's own query is
	// kept. The server sees it as handshake.query.
	Query url.Values
	// Header is sent with every HTTP request and with the WebSocket
	// handshake (extraHeaders).
	Header http.Header
	// HTTPClient makes the polling requests. If nil, each connection uses a
	// client of its own, whose idle connections it closes when it ends.
	HTTPClient *http.Client
	// Dialer opens WebSockets. If nil, a dialer with the proxy of the
	// environment and a 45 second handshake timeout is used.
	Dialer *websocket.Dialer

	// Timeout bounds each attempt to open a connection (the Engine.IO
	// handshake). If zero, 20 seconds is used.
	Timeout time.Duration
	// NoReconnection turns automatic reconnection off (reconnection: false).
	NoReconnection bool
	// ReconnectionAttempts is how many attempts are made before giving up
	// (OnReconnectFailed). If zero, there is no limit.
	ReconnectionAttempts int
	// ReconnectionDelay is the delay before the first attempt; it doubles
	// with each attempt. If zero, 1 second is used.
	ReconnectionDelay time.Duration
	// ReconnectionDelayMax caps the delay. If zero, 5 seconds is used.
	ReconnectionDelayMax time.Duration
	// RandomizationFactor spreads the delays: each is moved by up to this
	// fraction of itself, up or down. If zero, 0.5 is used; a negative value
	// means no randomization.
	RandomizationFactor float64
	// NoAutoConnect leaves the Manager and its sockets closed until
	// Socket.Connect is called (autoConnect: false), so that handlers can be
	// added first.
	NoAutoConnect bool

	// ForceNew makes New and Connect use a Manager of their own instead of
	// the one shared by every socket of the same server (forceNew: true).
	ForceNew bool
	// Auth is the auth of the Socket returned by New and Connect; see
	// SocketOptions.Auth.
	Auth any
	// AckTimeout is the AckTimeout of the Socket returned by New and
	// Connect; see SocketOptions.AckTimeout.
	AckTimeout time.Duration

	// Logger receives the client's own log records (handler panics). If nil,
	// slog.Default() is used.
	Logger *slog.Logger
}

// withDefaults returns o with its zero values replaced.
func (o Options) withDefaults() Options {
	o.Path = normalizePath(o.Path)
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.ReconnectionDelay <= 0 {
		o.ReconnectionDelay = time.Second
	}
	if o.ReconnectionDelayMax <= 0 {
		o.ReconnectionDelayMax = 5 * time.Second
	}
	switch {
	case o.RandomizationFactor == 0:
		o.RandomizationFactor = 0.5
	case o.RandomizationFactor < 0:
		o.RandomizationFactor = 0
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func normalizePath(p string) string {
	if p == "" {
		return "/socket.io/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

type managerState uint8

const (
	managerClosed managerState = iota
	managerOpening
	managerOpen
)

// managerHandlers holds the callbacks of a Manager. Its slices only grow, so
// a copy of the struct may be read without the lock.
type managerHandlers struct {
	open           []func()
	close          []func(Reason)
	ping           []func()
	err            []func(error)
	upgrade        []func(string)
	attempt        []func(int)
	reconnect      []func(int)
	reconnectError []func(error)
	failed         []func()
}

// Manager is one Engine.IO connection to a server and the sockets that
// share it, one per namespace (socket.io in the official client: the
// Manager behind socket.io). It opens the connection, reconnects after it is
// lost, with exponential backoff and jitter, and reports what happens
// through its callbacks (OnOpen, OnClose, OnReconnectAttempt, ...).
//
// All methods may be called from any goroutine. The Manager's callbacks and
// the handlers of its sockets run one at a time, in order, on a goroutine of
// the Manager's own (see EventHandler).
type Manager struct {
	url    *url.URL // scheme, host and query of the server; Path is opts.Path
	urlErr error
	opts   Options
	mb     mailbox.Mailbox

	hmu sync.Mutex
	h   managerHandlers

	mu            sync.Mutex
	state         managerState
	gen           uint64 // counts opening attempts; an Engine's callbacks carry its own
	eng           *Engine
	nsps          map[string]*Socket
	skipReconnect bool
	reconnecting  bool
	attempts      int // reconnection attempts so far (the backoff's count)
	timer         *time.Timer
	timerSeq      uint64
	dialCancel    context.CancelFunc
	dialDone      chan struct{}
}

// NewManager returns a Manager for the server at rawURL (http, https, ws or
// wss; the path is ignored: Options.Path is the endpoint). Unless
// Options.NoAutoConnect is set, it starts opening the connection at once.
// An invalid URL is reported through OnError and OnConnectError.
func NewManager(rawURL string, opts Options) *Manager {
	m := &Manager{opts: opts.withDefaults(), nsps: make(map[string]*Socket)}
	m.mb.Log, m.mb.Name = m.opts.Logger, "client"
	u, err := url.Parse(rawURL)
	if err == nil && u.Host == "" {
		err = fmt.Errorf("no host in %q", rawURL)
	}
	if err != nil {
		m.urlErr = fmt.Errorf("client: %w", err)
		u = &url.URL{}
	}
	u.Path, u.RawPath, u.Fragment = m.opts.Path, "", ""
	m.url = u
	if !m.opts.NoAutoConnect {
		m.mu.Lock()
		m.openLocked(nil)
		m.mu.Unlock()
	}
	return m
}

// Socket returns the Manager's socket for namespace nsp ("/", "/admin"; a
// missing leading slash is added), creating it on first use. Unless
// Options.NoAutoConnect is set, the socket connects (or reconnects, if it
// was disconnected). opts count only when the socket is created.
func (m *Manager) Socket(nsp string, opts SocketOptions) *Socket {
	if !strings.HasPrefix(nsp, "/") {
		nsp = "/" + nsp
	}
	m.mu.Lock()
	s := m.nsps[nsp]
	created := s == nil
	if created {
		s = newSocket(m, nsp, opts)
		m.nsps[nsp] = s
	}
	m.mu.Unlock()
	if !m.opts.NoAutoConnect && (created || !s.Active()) {
		s.Connect()
	}
	return s
}

func (m *Manager) hasSocket(nsp string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nsps[nsp] != nil
}

// Engine returns the Engine.IO connection now open, or nil.
func (m *Manager) Engine() *Engine {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != managerOpen {
		return nil
	}
	return m.eng
}

// Close disconnects every socket of the Manager (reason "forced close"),
// stops reconnecting and closes the connection, after writing what was
// queued. It returns once the connection's goroutines have ended. A later
// Socket.Connect opens the Manager again.
func (m *Manager) Close() {
	m.mu.Lock()
	eng, dialDone := m.closeLocked()
	sockets := make([]*Socket, 0, len(m.nsps))
	for _, s := range m.nsps {
		sockets = append(sockets, s)
	}
	m.mu.Unlock()
	for _, s := range sockets {
		s.forceClose(ReasonForcedClose)
	}
	if eng != nil {
		eng.Close()
		<-eng.Done()
	}
	if dialDone != nil {
		<-dialDone
	}
}

// closeLocked stops everything without waiting: the official client's
// _close. It returns the Engine to close and the dial to wait for.
func (m *Manager) closeLocked() (*Engine, chan struct{}) {
	m.skipReconnect = true
	m.reconnecting = false
	m.timerSeq++
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	if m.dialCancel != nil {
		m.dialCancel()
	}
	eng, wasOpen := m.eng, m.state == managerOpen
	m.eng, m.state, m.attempts = nil, managerClosed, 0
	if wasOpen {
		m.fireClose(ReasonForcedClose)
	}
	return eng, m.dialDone
}

// destroy closes the Manager once none of its sockets is active.
func (m *Manager) destroy() {
	m.mu.Lock()
	for _, s := range m.nsps {
		if s.active.Load() {
			m.mu.Unlock()
			return
		}
	}
	eng, _ := m.closeLocked()
	m.mu.Unlock()
	if eng != nil {
		eng.Close()
	}
}

// ensureOpen opens the connection unless it is open, opening or waiting to
// reconnect; it returns the current generation and whether it is open.
func (m *Manager) ensureOpen() (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.reconnecting {
		m.openLocked(nil)
	}
	return m.gen, m.state == managerOpen
}

func (m *Manager) engineOptions() EngineOptions {
	return EngineOptions{
		Transports: m.opts.Transports,
		NoUpgrade:  m.opts.NoUpgrade,
		Query:      m.opts.Query,
		Header:     m.opts.Header,
		HTTPClient: m.opts.HTTPClient,
		Dialer:     m.opts.Dialer,
	}
}

// openLocked starts opening a connection unless one is open or opening.
// done, if not nil, is called with m.mu held when the attempt ends.
func (m *Manager) openLocked(done func(err error)) {
	if m.state != managerClosed {
		return
	}
	m.state = managerOpening
	m.skipReconnect = false
	m.gen++
	gen := m.gen
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Timeout)
	dialDone := make(chan struct{})
	m.dialCancel, m.dialDone = cancel, dialDone
	conn := &engineConn{m: m, gen: gen}
	go func() {
		defer close(dialDone)
		defer cancel()
		var eng *Engine
		err := m.urlErr
		if err == nil {
			eng, err = dialEngine(ctx, m.url, m.engineOptions(), conn)
		}
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", ErrTimeout, err)
		}
		m.onDialed(gen, eng, err, done)
	}()
}

// onDialed ends an attempt to open, on the dialing goroutine.
func (m *Manager) onDialed(gen uint64, eng *Engine, err error, done func(error)) {
	m.mu.Lock()
	if gen != m.gen || m.state != managerOpening {
		// Closed meanwhile.
		m.mu.Unlock()
		if eng != nil {
			eng.Close()
			<-eng.Done()
		}
		return
	}
	m.dialCancel = nil
	if err != nil {
		m.state = managerClosed
		m.fireErr(err)
		sockets := m.activeLocked()
		ce := &ConnectError{Message: err.Error(), Err: err}
		for _, s := range sockets {
			m.post(func() { s.runConnectError(ce) })
		}
		if m.urlErr != nil {
			m.skipReconnect = true
		}
		if done != nil {
			done(err)
		} else {
			m.maybeReconnectOnOpenLocked()
		}
		final := !m.reconnecting
		m.mu.Unlock()
		if final {
			for _, s := range sockets {
				s.resolveWaiters(ce)
			}
		}
		return
	}
	m.state, m.eng = managerOpen, eng
	m.fireOpen()
	if done != nil {
		done(nil)
	}
	sockets := m.activeLocked()
	m.mu.Unlock()
	eng.start()
	for _, s := range sockets {
		s.onopen(gen)
	}
}

func (m *Manager) activeLocked() []*Socket {
	var out []*Socket
	for _, s := range m.nsps {
		if s.active.Load() {
			out = append(out, s)
		}
	}
	return out
}

func (m *Manager) maybeReconnectOnOpenLocked() {
	if !m.reconnecting && !m.opts.NoReconnection && m.attempts == 0 {
		m.reconnectLocked()
	}
}

// reconnectLocked schedules the next reconnection attempt, or gives up.
func (m *Manager) reconnectLocked() {
	if m.reconnecting || m.skipReconnect {
		return
	}
	if max := m.opts.ReconnectionAttempts; max > 0 && m.attempts >= max {
		m.attempts = 0
		m.fireFailed()
		m.reconnecting = false
		return
	}
	delay := backoff(m.attempts, m.opts.ReconnectionDelay, m.opts.ReconnectionDelayMax, m.opts.RandomizationFactor, rand.Float64())
	m.attempts++
	m.reconnecting = true
	m.timerSeq++
	seq := m.timerSeq
	m.timer = time.AfterFunc(delay, func() { m.reconnectNow(seq) })
}

func (m *Manager) reconnectNow(seq uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq != m.timerSeq || m.skipReconnect || !m.reconnecting || m.state != managerClosed {
		return
	}
	m.timer = nil
	m.fireAttempt(m.attempts)
	m.openLocked(func(err error) {
		if err != nil {
			m.reconnecting = false
			m.reconnectLocked()
			m.fireReconnectError(err)
			return
		}
		n := m.attempts
		m.reconnecting, m.attempts = false, 0
		m.fireReconnect(n)
	})
}

// backoff returns the delay before reconnection attempt number attempt
// (from 0), as the official client's backo2 computes it:
// min(base·2^attempt ± r·factor·that, max), r in [0,1) deciding the sign too.
func backoff(attempt int, base, max time.Duration, factor, r float64) time.Duration {
	d := float64(base) * math.Pow(2, float64(min(attempt, 62)))
	if factor > 0 {
		dev := math.Floor(r * factor * d)
		if int(math.Floor(r*10))&1 == 0 {
			d -= dev
		} else {
			d += dev
		}
	}
	if d > float64(max) {
		return max
	}
	return time.Duration(d)
}

// engineConn is the handler of one Engine of the Manager.
type engineConn struct {
	m   *Manager
	gen uint64
	dec parser.Decoder
}

func (c *engineConn) Message(data []byte, binary bool) {
	p, err := c.dec.Decode(data, binary)
	if err != nil {
		c.m.onParseError(c.gen, err)
		return
	}
	if p != nil {
		c.m.onPacket(c.gen, p)
	}
}

func (c *engineConn) Ping() {
	if c.m.current(c.gen) {
		c.m.firePing()
	}
}

func (c *engineConn) Upgrade(transport string) {
	if c.m.current(c.gen) {
		c.m.fireUpgrade(transport)
	}
}

func (c *engineConn) Close(reason Reason, err error) { c.m.onEngineClose(c.gen, reason, err) }

// current reports whether gen is the open connection.
func (m *Manager) current(gen uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return gen == m.gen && m.state == managerOpen
}

func (m *Manager) onPacket(gen uint64, p *parser.Packet) {
	m.mu.Lock()
	if gen != m.gen || m.state != managerOpen {
		m.mu.Unlock()
		return
	}
	s := m.nsps[p.Namespace]
	m.mu.Unlock()
	if s != nil && s.active.Load() {
		s.onPacket(p)
	}
}

// onParseError closes the connection with "parse error": the server sent
// something the parser refuses.
func (m *Manager) onParseError(gen uint64, err error) {
	m.mu.Lock()
	eng := m.eng
	m.mu.Unlock()
	if m.onEngineClose(gen, ReasonParseError, err) {
		eng.Close()
	}
}

// onEngineClose handles the end of connection gen; it reports whether gen
// was the open connection.
func (m *Manager) onEngineClose(gen uint64, reason Reason, err error) bool {
	m.mu.Lock()
	if gen != m.gen || m.state != managerOpen {
		m.mu.Unlock()
		return false
	}
	m.eng, m.state, m.attempts = nil, managerClosed, 0
	if reason == ReasonTransportError && err != nil {
		m.fireErr(err)
	}
	m.fireClose(reason)
	sockets := m.activeLocked()
	m.mu.Unlock()
	for _, s := range sockets {
		s.onclose(reason)
	}
	m.mu.Lock()
	if gen == m.gen && m.state == managerClosed && !m.opts.NoReconnection {
		m.reconnectLocked()
	}
	m.mu.Unlock()
	return true
}

// sendPacket writes p on the open connection, if any, or on connection gen
// only when gen is not 0.
func (m *Manager) sendPacket(p *parser.Packet, gen uint64) error {
	m.mu.Lock()
	eng := m.eng
	if m.state != managerOpen || (gen != 0 && gen != m.gen) {
		eng = nil
	}
	m.mu.Unlock()
	if eng == nil {
		return ErrEngineClosed
	}
	msgs := make([]engine.Message, 0, 1+len(p.Attachments))
	msgs = append(msgs, engine.Message{Data: parser.AppendText(nil, p)})
	for _, a := range p.Attachments {
		msgs = append(msgs, engine.Message{Data: a, Binary: true})
	}
	return eng.Send(msgs...)
}

// connState reports whether a socket may write now: the connection is
// open and its heartbeat has not expired; and whether a write would go out
// at once (for volatile emits).
func (m *Manager) connState() (ok, writable bool) {
	m.mu.Lock()
	eng := m.eng
	m.mu.Unlock()
	if eng == nil {
		return false, false
	}
	if eng.pingExpired() {
		return false, false
	}
	return true, eng.Writable()
}

func (m *Manager) post(f func()) { m.mb.Post(f) }

// fire runs f with the callbacks as they are when it runs.
func (m *Manager) fire(f func(h *managerHandlers)) {
	m.post(func() {
		m.hmu.Lock()
		h := m.h
		m.hmu.Unlock()
		f(&h)
	})
}

func (m *Manager) fireOpen() {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.open {
			f()
		}
	})
}

func (m *Manager) fireClose(r Reason) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.close {
			f(r)
		}
	})
}

func (m *Manager) firePing() {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.ping {
			f()
		}
	})
}

func (m *Manager) fireErr(err error) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.err {
			f(err)
		}
	})
}

func (m *Manager) fireUpgrade(t string) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.upgrade {
			f(t)
		}
	})
}

func (m *Manager) fireAttempt(n int) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.attempt {
			f(n)
		}
	})
}

func (m *Manager) fireReconnect(n int) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.reconnect {
			f(n)
		}
	})
}

func (m *Manager) fireReconnectError(err error) {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.reconnectError {
			f(err)
		}
	})
}

func (m *Manager) fireFailed() {
	m.fire(func(h *managerHandlers) {
		for _, f := range h.failed {
			f()
		}
	})
}

// OnOpen adds a callback run each time a connection opens ("open").
func (m *Manager) OnOpen(fn func()) {
	m.hmu.Lock()
	m.h.open = append(m.h.open, fn)
	m.hmu.Unlock()
}

// OnClose adds a callback run each time the connection closes, with the
// reason ("close").
func (m *Manager) OnClose(fn func(reason Reason)) {
	m.hmu.Lock()
	m.h.close = append(m.h.close, fn)
	m.hmu.Unlock()
}

// OnPing adds a callback run for every ping of the server ("ping").
func (m *Manager) OnPing(fn func()) {
	m.hmu.Lock()
	m.h.ping = append(m.h.ping, fn)
	m.hmu.Unlock()
}

// OnError adds a callback run when a connection cannot be opened, or fails
// with "transport error" ("error"). err is a *TransportError, or wraps
// ErrTimeout.
func (m *Manager) OnError(fn func(err error)) {
	m.hmu.Lock()
	m.h.err = append(m.h.err, fn)
	m.hmu.Unlock()
}

// OnUpgrade adds a callback run when the connection has switched to
// another transport ("websocket"): the engine's "upgrade" event.
func (m *Manager) OnUpgrade(fn func(transport string)) {
	m.hmu.Lock()
	m.h.upgrade = append(m.h.upgrade, fn)
	m.hmu.Unlock()
}

// OnReconnectAttempt adds a callback run before each reconnection attempt,
// with its number, from 1 ("reconnect_attempt").
func (m *Manager) OnReconnectAttempt(fn func(attempt int)) {
	m.hmu.Lock()
	m.h.attempt = append(m.h.attempt, fn)
	m.hmu.Unlock()
}

// OnReconnect adds a callback run when a reconnection attempt succeeded,
// with the number of attempts it took ("reconnect").
func (m *Manager) OnReconnect(fn func(attempts int)) {
	m.hmu.Lock()
	m.h.reconnect = append(m.h.reconnect, fn)
	m.hmu.Unlock()
}

// OnReconnectError adds a callback run when a reconnection attempt failed
// ("reconnect_error").
func (m *Manager) OnReconnectError(fn func(err error)) {
	m.hmu.Lock()
	m.h.reconnectError = append(m.h.reconnectError, fn)
	m.hmu.Unlock()
}

// OnReconnectFailed adds a callback run when Options.ReconnectionAttempts
// attempts have failed and the Manager gives up ("reconnect_failed").
func (m *Manager) OnReconnectFailed(fn func()) {
	m.hmu.Lock()
	m.h.failed = append(m.h.failed, fn)
	m.hmu.Unlock()
}
