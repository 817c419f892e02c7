package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// The transport names of Engine.IO.
const (
	TransportPolling   = "polling"
	TransportWebSocket = "websocket"
)

// closePostTimeout bounds the POST that carries a close packet, and the
// WebSocket close frame, when an Engine closes.
const closePostTimeout = time.Second

// Errors of an Engine.
var (
	// ErrEngineClosed is returned by Engine.Send once the Engine is closing
	// or closed.
	ErrEngineClosed = errors.New("client: engine closed")
	// ErrNoTransport is returned by DialEngine when EngineOptions.Transports
	// names no transport this package knows ("polling", "websocket").
	ErrNoTransport = errors.New("client: no transports available")
)

// TransportError is a failed HTTP request or WebSocket of an Engine: the
// cause of a "transport error" close, and the error a Manager reports when
// it cannot open a connection.
type TransportError struct {
	// Op says what failed, in the words of the official client: "xhr poll
	// error" (a polling GET), "xhr post error" (a polling POST) or
	// "websocket error".
	Op string
	// StatusCode is the HTTP status of the server's answer, or 0 when none
	// came.
	StatusCode int
	// Body is the start of the answer's body, for instance
	// {"code":1,"message":"Session ID unknown"}.
	Body string
	// Err is the underlying error, if any.
	Err error
}

// Error returns "client: " and Op, with the status, body and cause when
// known.
func (e *TransportError) Error() string {
	msg := "client: " + e.Op
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(": status %d", e.StatusCode)
		if e.Body != "" {
			msg += ": " + e.Body
		}
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns Err.
func (e *TransportError) Unwrap() error { return e.Err }

// EngineOptions configures an Engine. The zero value connects over
// HTTP long-polling and upgrades to WebSocket when the server offers it.
type EngineOptions struct {
	// Transports lists the transports to use, in order: the first opens the
	// connection, the others are upgrades. If nil, {"polling", "websocket"}
	// is used; {"websocket"} connects over WebSocket directly.
	Transports []string
	// NoUpgrade keeps the first transport even when the server offers an
	// upgrade.
	NoUpgrade bool
	// Query is added to the query of every request (the URL's own query is
	// kept). The server sees it as the handshake query.
	Query url.Values
	// Header is sent with every HTTP request and with the WebSocket
	// handshake (extraHeaders in the official client).
	Header http.Header
	// HTTPClient makes the polling requests. If nil, the Engine uses a client
	// of its own, whose idle connections it closes when it ends.
	HTTPClient *http.Client
	// Dialer opens WebSockets. If nil, a dialer with the proxy of the
	// environment and a 45 second handshake timeout is used.
	Dialer *websocket.Dialer
}

// EngineHandler receives what an Engine reads. Its methods are called one at
// a time, in the order the packets arrived, on the Engine's own goroutines;
// they should return quickly, since the Engine reads nothing meanwhile. They
// may call Send and Close. No method is called after Close.
type EngineHandler interface {
	// Message receives one message: text, or binary when binary is set.
	// data belongs to the callee.
	Message(data []byte, binary bool)
	// Ping is called for every ping of the server, after the pong is queued.
	Ping()
	// Upgrade is called once the Engine has switched to transport.
	Upgrade(transport string)
	// Close is called once, last, with the reason the Engine closed and the
	// error that caused it, if any.
	Close(reason Reason, err error)
}

type engineState uint8

const (
	engineOpen engineState = iota
	engineClosing
	engineClosed
)

// Engine is an Engine.IO v4 client connection: a session with a server over
// HTTP long-polling or WebSocket, kept alive by the server's pings, carrying
// text and binary messages both ways.
//
// It opens over the first of its transports and, when that is polling and
// the server offers WebSocket, upgrades in the background: it probes the
// WebSocket ("2probe", "3probe"), stops polling, lets the POST in flight
// finish, sends the upgrade packet and moves its queue there. No message is
// lost or repeated on the way. Over polling it keeps at most one GET and one
// POST in flight, and keeps each POST under the server's maxPayload. It
// answers each ping at once and closes with "ping timeout" when no ping has
// come for pingInterval+pingTimeout (up to 50 ms later when its own process
// was starved of CPU past that deadline, so that a ping waiting unread is
// not mistaken for the server's silence).
//
// All methods may be called from any goroutine. An idle Engine holds one
// goroutine of its own (its poll loop, or its WebSocket reader), plus over
// polling those net/http keeps for its connections; writers run only while
// there is something to write.
type Engine struct {
	h          EngineHandler
	base       url.URL // http or https, path with its trailing slash, no query
	query      url.Values
	header     http.Header
	httpc      *http.Client
	ownTr      *http.Transport // the transport of httpc when the Engine made it
	dialer     *websocket.Dialer
	transports []string
	noUpgrade  bool

	// Set by the handshake; immutable afterwards.
	id           string
	upgrades     []string
	pingInterval time.Duration
	pingTimeout  time.Duration
	maxPayload   int

	ctx    context.Context // canceled when the Engine closes
	cancel context.CancelFunc

	// cbMu serializes the handler's calls; cbClosed is set once Close has
	// been called.
	cbMu     sync.Mutex
	cbClosed bool

	mu           sync.Mutex
	cond         *sync.Cond // on mu; signaled when polling, writing or state change
	state        engineState
	started      bool
	transport    string
	ws           *websocket.Conn // the WebSocket transport, once in use
	probeWS      *websocket.Conn // the WebSocket being probed
	writeBuf     []engine.Packet
	writing      bool // a writer goroutine runs (a POST or WebSocket writes in flight)
	polling      bool // the poll loop runs (a GET in flight or being handled)
	pausing      bool // polling must stop after the current GET
	upgrading    bool // writes wait: the switch to WebSocket is under way
	finishing    bool // the close sequence has started
	pingTimer    *time.Timer
	pingDeadline time.Time
	pingGraced   bool // the late timer's grace was given for this deadline
	reason       Reason
	err          error
	closeCalled  bool // the handler's Close has returned
	running      int  // goroutines of the Engine still running
	exited       bool
	done         chan struct{}
	initial      []engine.Packet // packets that came with the open packet
}

// DialEngine opens an Engine.IO session with the server at rawURL, whose
// path is the server's endpoint ("/engine.io/" when empty; a trailing slash
// is added). The scheme may be http, https, ws or wss. ctx bounds the
// handshake only. Once DialEngine returns, h receives the session's
// messages.
func DialEngine(ctx context.Context, rawURL string, opts EngineOptions, h EngineHandler) (*Engine, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if u.Path == "" {
		u.Path = "/engine.io/"
	}
	e, err := dialEngine(ctx, u, opts, h)
	if err != nil {
		return nil, err
	}
	e.start()
	return e, nil
}

// dialEngine runs the handshake; the Engine reads nothing until start.
func dialEngine(ctx context.Context, u *url.URL, opts EngineOptions, h EngineHandler) (*Engine, error) {
	e := &Engine{h: h, header: opts.Header, dialer: opts.Dialer, noUpgrade: opts.NoUpgrade, done: make(chan struct{})}
	e.cond = sync.NewCond(&e.mu)
	e.base = *u
	switch e.base.Scheme {
	case "http", "ws", "":
		e.base.Scheme = "http"
	case "https", "wss":
		e.base.Scheme = "https"
	default:
		return nil, fmt.Errorf("client: unsupported scheme %q", u.Scheme)
	}
	if e.base.Host == "" {
		return nil, fmt.Errorf("client: no host in %q", u.String())
	}
	if !strings.HasSuffix(e.base.Path, "/") {
		e.base.Path += "/"
	}
	e.base.RawPath = ""
	e.query = u.Query()
	for k, vs := range opts.Query {
		e.query[k] = append([]string(nil), vs...)
	}
	e.base.RawQuery, e.base.Fragment = "", ""
	for _, t := range opts.Transports {
		if (t == TransportPolling || t == TransportWebSocket) && !slices.Contains(e.transports, t) {
			e.transports = append(e.transports, t)
		}
	}
	if opts.Transports == nil {
		e.transports = []string{TransportPolling, TransportWebSocket}
	}
	if len(e.transports) == 0 {
		return nil, ErrNoTransport
	}
	e.httpc = opts.HTTPClient
	if e.httpc == nil {
		e.ownTr = http.DefaultTransport.(*http.Transport).Clone()
		e.httpc = &http.Client{Transport: e.ownTr}
	}
	if e.dialer == nil {
		e.dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second}
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())

	var err error
	if e.transports[0] == TransportPolling {
		err = e.handshakePolling(ctx)
	} else {
		err = e.handshakeWebSocket(ctx)
	}
	if err != nil {
		e.cancel()
		if e.ownTr != nil {
			e.ownTr.CloseIdleConnections()
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, err
	}
	return e, nil
}

// handshake holds the open packet's fields.
type handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// ErrHandshake is returned by DialEngine when the server's first packet is
// not a valid open packet.
var ErrHandshake = errors.New("client: invalid handshake")

func (e *Engine) onOpenPacket(p engine.Packet) error {
	if p.Type != engine.PacketOpen {
		return fmt.Errorf("%w: first packet is %v", ErrHandshake, p.Type)
	}
	var hs handshake
	if err := json.Unmarshal(p.Data, &hs); err != nil || hs.SID == "" {
		return fmt.Errorf("%w: %q", ErrHandshake, p.Data)
	}
	e.id = hs.SID
	for _, u := range hs.Upgrades {
		if slices.Contains(e.transports, u) {
			e.upgrades = append(e.upgrades, u)
		}
	}
	e.pingInterval = time.Duration(hs.PingInterval) * time.Millisecond
	e.pingTimeout = time.Duration(hs.PingTimeout) * time.Millisecond
	e.maxPayload = int(hs.MaxPayload)
	return nil
}

// start arms the heartbeat and starts reading.
func (e *Engine) start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started || e.state == engineClosed {
		return
	}
	e.started = true
	e.resetPingLocked()
	if e.transport == TransportPolling {
		initial := e.initial
		e.initial = nil
		e.goLocked(func() { e.pollLoop(initial) })
		if !e.noUpgrade && slices.Contains(e.upgrades, TransportWebSocket) {
			e.goLocked(e.probe)
		}
	} else {
		ws := e.ws
		e.goLocked(func() { e.readLoop(ws) })
	}
	e.flushLocked()
}

// ID returns the session id the server gave.
func (e *Engine) ID() string { return e.id }

// Transport returns the transport in use: "polling" or "websocket".
func (e *Engine) Transport() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.transport
}

// Send queues messages, all together, and returns at once; they are written
// in order by the Engine's writer. Data must not be modified afterwards. Send
// returns ErrEngineClosed once Close was called or the Engine closed.
func (e *Engine) Send(msgs ...engine.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != engineOpen {
		return ErrEngineClosed
	}
	for _, m := range msgs {
		e.writeBuf = append(e.writeBuf, engine.Packet{Type: engine.PacketMessage, Data: m.Data, Binary: m.Binary})
	}
	e.flushLocked()
	return nil
}

// Writable reports whether a message sent now would be written at once:
// the Engine is open, not upgrading and not writing. Volatile emits use it.
func (e *Engine) Writable() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state == engineOpen && e.started && !e.upgrading && !e.writing
}

// Close closes the Engine with reason "forced close": what is queued is
// written first, then a close packet, then the connection is closed. Close
// returns at once; Done tells when it is over. Later calls do nothing.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != engineOpen {
		return
	}
	e.state = engineClosing
	if !e.started {
		e.writeBuf = nil // never started: nothing was read, nothing is written
	}
	if e.readyToFinishLocked() {
		e.goLocked(e.finishClose)
	}
}

// Done returns a channel closed once the Engine has closed, its handler's
// Close has returned and every goroutine of the Engine has ended.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Reason returns why the Engine closed, and the error behind it if any; ""
// while it is open.
func (e *Engine) Reason() (Reason, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason, e.err
}

// goLocked runs f on a goroutine counted in running.
func (e *Engine) goLocked(f func()) {
	e.running++
	go func() {
		defer e.exit()
		f()
	}()
}

func (e *Engine) exit() {
	e.mu.Lock()
	e.running--
	fin := e.finalLocked()
	e.mu.Unlock()
	if fin {
		e.finalize()
	}
}

// finalLocked reports, once, that the Engine is closed and idle.
func (e *Engine) finalLocked() bool {
	if e.running > 0 || !e.closeCalled || e.exited {
		return false
	}
	e.exited = true
	return true
}

func (e *Engine) finalize() {
	if e.ownTr != nil {
		e.ownTr.CloseIdleConnections()
	}
	close(e.done)
}

// readyToFinishLocked reports, once, that a closing Engine has written
// everything and may send its close packet.
func (e *Engine) readyToFinishLocked() bool {
	if e.state != engineClosing || e.writing || e.upgrading || len(e.writeBuf) > 0 || e.finishing {
		return false
	}
	e.finishing = true
	return true
}

// finishClose ends a Close: the close packet, then the shutdown.
func (e *Engine) finishClose() {
	e.mu.Lock()
	transport := e.transport
	e.mu.Unlock()
	if transport == TransportPolling {
		ctx, cancel := context.WithTimeout(e.ctx, closePostTimeout)
		e.request(ctx, http.MethodPost, engine.AppendPayload(nil, []engine.Packet{{Type: engine.PacketClose}}))
		cancel()
	}
	e.shutdown(ReasonForcedClose, nil)
}

// shutdown closes the Engine for reason; only the first call counts. It
// must not be called with cbMu held.
func (e *Engine) shutdown(reason Reason, err error) {
	e.mu.Lock()
	if e.state == engineClosed {
		e.mu.Unlock()
		return
	}
	if e.finishing {
		// Close started this: whatever the server does meanwhile (answer
		// the pending GET, drop the WebSocket) is its consequence.
		reason, err = ReasonForcedClose, nil
	}
	e.state = engineClosed
	e.reason, e.err = reason, err
	if e.pingTimer != nil {
		e.pingTimer.Stop()
	}
	transport, ws, probe := e.transport, e.ws, e.probeWS
	e.writeBuf = nil
	e.cond.Broadcast()
	if reason == ReasonPingTimeout && transport == TransportPolling && e.started {
		// Tell the server, as the official client does, without holding up
		// the close.
		e.goLocked(func() {
			ctx, cancel := context.WithTimeout(context.Background(), closePostTimeout)
			defer cancel()
			e.request(ctx, http.MethodPost, engine.AppendPayload(nil, []engine.Packet{{Type: engine.PacketClose}}))
		})
	}
	e.mu.Unlock()

	e.cancel()
	if ws != nil {
		if reason == ReasonForcedClose {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closePostTimeout))
		}
		ws.Close()
	}
	if probe != nil {
		probe.Close()
	}

	e.cbMu.Lock()
	e.cbClosed = true
	e.h.Close(reason, err)
	e.cbMu.Unlock()

	e.mu.Lock()
	e.closeCalled = true
	fin := e.finalLocked()
	e.mu.Unlock()
	if fin {
		e.finalize()
	}
}

// deliver calls f with the handler unless the Engine has closed.
func (e *Engine) deliver(f func(h EngineHandler)) bool {
	e.cbMu.Lock()
	defer e.cbMu.Unlock()
	if e.cbClosed {
		return false
	}
	f(e.h)
	return true
}

// handlePacket acts on one packet from the server; false means the Engine
// has closed and the reader must stop.
func (e *Engine) handlePacket(p engine.Packet) bool {
	switch p.Type {
	case engine.PacketPing:
		e.mu.Lock()
		if e.state == engineClosed {
			e.mu.Unlock()
			return false
		}
		if e.state == engineOpen {
			e.writeBuf = append(e.writeBuf, engine.Packet{Type: engine.PacketPong})
			e.flushLocked()
		}
		e.resetPingLocked()
		e.mu.Unlock()
		return e.deliver(func(h EngineHandler) { h.Ping() })
	case engine.PacketMessage:
		data := p.Data
		return e.deliver(func(h EngineHandler) { h.Message(data, p.Binary) })
	case engine.PacketClose:
		e.shutdown(ReasonTransportClose, nil)
		return false
	}
	// open, pong, upgrade, noop: nothing to do.
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state != engineClosed
}

// resetPingLocked re-arms the pingInterval+pingTimeout deadline.
func (e *Engine) resetPingLocked() {
	d := e.pingInterval + e.pingTimeout
	if d <= 0 {
		return
	}
	e.pingDeadline = time.Now().Add(d)
	e.pingGraced = false
	if e.pingTimer == nil {
		e.pingTimer = time.AfterFunc(d, e.onPingTimer)
	} else {
		e.pingTimer.Reset(d)
	}
}

// A ping timer that fires more than pingLate after its deadline means this
// process was starved of CPU: a ping may be waiting, unread, behind the
// timer. The reader then gets pingGrace to catch up before the Engine gives
// up, once per deadline. A timer on time closes at once.
const (
	pingLate  = 10 * time.Millisecond
	pingGrace = 50 * time.Millisecond
)

func (e *Engine) onPingTimer() {
	e.mu.Lock()
	if e.state == engineClosed || time.Until(e.pingDeadline) > 0 {
		e.mu.Unlock()
		return // stale: a ping came meanwhile
	}
	if late := time.Since(e.pingDeadline); late > pingLate && !e.pingGraced {
		e.pingGraced = true
		e.pingTimer.Reset(pingGrace)
		e.mu.Unlock()
		return
	}
	e.mu.Unlock()
	e.shutdown(ReasonPingTimeout, nil)
}

// pingExpired reports whether the ping deadline has passed (the timer may
// not have fired yet).
func (e *Engine) pingExpired() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state == engineClosed || (!e.pingDeadline.IsZero() && time.Now().After(e.pingDeadline))
}

// flushLocked starts the writer if there is something to write and the
// transport may take it.
func (e *Engine) flushLocked() {
	if e.state == engineClosed || !e.started || e.writing || e.upgrading || len(e.writeBuf) == 0 {
		return
	}
	e.writing = true
	e.goLocked(e.writeLoop)
}

// writeLoop writes the queue until it is empty: one POST at a time over
// polling, frame by frame over WebSocket.
func (e *Engine) writeLoop() {
	for {
		e.mu.Lock()
		if e.state == engineClosed || e.upgrading || len(e.writeBuf) == 0 {
			e.writing = false
			e.cond.Broadcast()
			fin := e.readyToFinishLocked()
			e.mu.Unlock()
			if fin {
				e.finishClose()
			}
			return
		}
		transport, ws := e.transport, e.ws
		var batch []engine.Packet
		if transport == TransportPolling {
			n := e.writableLocked()
			batch, e.writeBuf = e.writeBuf[:n:n], e.writeBuf[n:]
		} else {
			batch, e.writeBuf = e.writeBuf, nil
		}
		e.mu.Unlock()

		var err error
		if transport == TransportPolling {
			_, err = e.request(e.ctx, http.MethodPost, engine.AppendPayload(nil, batch))
		} else {
			err = writeFrames(ws, batch)
		}
		if err != nil {
			e.shutdown(ReasonTransportError, err)
		}
	}
}

// writableLocked returns how many queued packets fit in one POST under the
// server's maxPayload (at least one).
func (e *Engine) writableLocked() int {
	if e.maxPayload <= 0 || len(e.writeBuf) <= 1 {
		return len(e.writeBuf)
	}
	size := 0
	for i, p := range e.writeBuf {
		n := 1 + len(p.Data)
		if p.Binary {
			n = 1 + base64.StdEncoding.EncodedLen(len(p.Data))
		}
		if i > 0 {
			n++ // the record separator
			if size+n > e.maxPayload {
				return i
			}
		}
		size += n
	}
	return len(e.writeBuf)
}
