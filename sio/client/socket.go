package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/internal/listeners"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Errors returned by Socket methods and passed to acknowledgement callbacks.
var (
	// ErrReservedEvent: Emit was called with a name the protocol reserves
	// ("connect", "connect_error", "disconnect", "disconnecting",
	// "newListener", "removeListener").
	ErrReservedEvent = errors.New("client: reserved event name")
	// ErrDisconnected: the socket disconnected while an acknowledgement was
	// pending ("socket has been disconnected", as in the official client),
	// or while ConnectContext waited.
	ErrDisconnected = errors.New("socket has been disconnected")
	// ErrAckTimeout: no acknowledgement came in time ("operation has timed
	// out", as in the official client).
	ErrAckTimeout = errors.New("operation has timed out")
)

// v2Message is what the official client reports when a CONNECT reply has
// no sid: the server speaks Socket.IO protocol 4 (socket.io v2).
const v2Message = "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"

// ConnectError is what OnConnectError handlers receive, and what
// ConnectContext and Connect return when a socket cannot connect: either
// the server refused it (a CONNECT_ERROR packet, with the message and data
// the server's middleware gave), or the connection could not be opened
// (Err is then set).
type ConnectError struct {
	// Message is the server's message ("Invalid namespace", "not
	// authorized"), or the text of Err.
	Message string
	// Data is the data the server attached, decoded as by Event.Args (nil
	// when none).
	Data any
	// Err is the error that kept the connection from opening (a
	// *TransportError, ErrTimeout); nil when the server refused.
	Err error
}

// Error returns Message.
func (e *ConnectError) Error() string { return e.Message }

// Unwrap returns Err.
func (e *ConnectError) Unwrap() error { return e.Err }

// SocketOptions configures a Socket.
type SocketOptions struct {
	// Auth is sent with every CONNECT of the socket, and the server sees it
	// as handshake.auth. It is a value that encodes to a JSON object (a
	// map[string]any, a struct), or a func() any (or func()
	// map[string]any) called before each CONNECT, whose result is sent; it
	// runs on the goroutine that sends the CONNECT (not the handler
	// goroutine), so it should not block. If nil, none is sent and the
	// server sees {}.
	Auth any
	// AckTimeout is the timeout of acknowledgements asked for without one
	// (by Emit with an AckFunc, or by EmitWithAck with a context without
	// deadline). If zero, they wait until they come or the socket
	// disconnects.
	AckTimeout time.Duration
}

// AckFunc receives the arguments of an acknowledgement, or an error
// (ErrAckTimeout, ErrDisconnected). Passed as the last argument of Emit, it
// asks the server for an acknowledgement, as a callback does in JavaScript.
// It runs on the Manager's handler goroutine, like an EventHandler.
type AckFunc func(args []any, err error)

type pendingAck struct {
	fn       AckFunc
	ch       chan ackResult
	timer    *time.Timer
	buffered bool // the packet waits in sendBuf and was never written
}

type ackResult struct {
	args []any
	err  error
}

// Socket is the client side of one namespace ("/", "/admin") on a
// Manager's connection: it joins the namespace (CONNECT), emits and
// receives events, and acknowledges them both ways.
//
// A Socket emits while disconnected too: its events wait and go out, in
// order, once it connects. Events that arrive before the server's CONNECT
// reply (a server restoring a session sends the missed ones first) are held
// and handled once it connects, before its OnConnect handlers run.
//
// All methods may be called from any goroutine. Handlers run one at a time
// on the Manager's handler goroutine (see EventHandler).
type Socket struct {
	m      *Manager
	nsp    string
	active atomic.Bool // connecting, connected, or to reconnect

	mu           sync.Mutex
	connected    bool
	id           string
	pid          string // private id (connection state recovery)
	lastOffset   string
	recovered    bool
	epoch        uint64 // counts connections
	sentGen      uint64 // the connection our CONNECT went on
	auth         any
	ackTimeout   time.Duration
	ids          uint64
	acks         map[uint64]*pendingAck
	sendBuf      []*parser.Packet
	recvBuf      []*Event
	handlers     listeners.Set[EventHandler]
	onConnect    []func()
	onConnErr    []func(*ConnectError)
	onDisconnect []func(Reason)
	waiters      []chan error
}

func newSocket(m *Manager, nsp string, opts SocketOptions) *Socket {
	return &Socket{m: m, nsp: nsp, auth: opts.Auth, ackTimeout: opts.AckTimeout}
}

// ID returns the socket's id, given by the server on each connection; ""
// while disconnected.
func (s *Socket) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Namespace returns the socket's namespace, such as "/" or "/admin".
func (s *Socket) Namespace() string { return s.nsp }

// Manager returns the Manager the socket belongs to (socket.io in
// JavaScript).
func (s *Socket) Manager() *Manager { return s.m }

// Connected reports whether the socket is connected to its namespace.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// Active reports whether the socket is connected or will try to be: false
// after Disconnect, after the server disconnected or refused it, and after
// Manager.Close.
func (s *Socket) Active() bool { return s.active.Load() }

// Recovered reports whether the last connection restored the previous
// session (connection state recovery on the server).
func (s *Socket) Recovered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recovered
}

// SetAuth replaces the auth sent with the next CONNECT (see
// SocketOptions.Auth).
func (s *Socket) SetAuth(auth any) {
	s.mu.Lock()
	s.auth = auth
	s.mu.Unlock()
}

// On adds a handler for event and returns a function that removes it. Every
// handler of an event runs, in the order they were added.
func (s *Socket) On(event string, fn EventHandler) (remove func()) {
	return s.handlers.On(event, fn, false)
}

// Once adds a handler that runs for the next event of that name only.
func (s *Socket) Once(event string, fn EventHandler) (remove func()) {
	return s.handlers.On(event, fn, true)
}

// Off removes every handler of the events named; with no name it removes
// the handlers of every event (not OnAny's, OnConnect's, OnConnectError's
// or OnDisconnect's).
func (s *Socket) Off(event ...string) { s.handlers.Off(event...) }

// OnAny adds a handler that runs for every event, before the handlers of
// that event, and returns a function that removes it.
func (s *Socket) OnAny(fn EventHandler) (remove func()) { return s.handlers.OnAny(fn) }

// OnConnect adds a handler run each time the socket connects ("connect"),
// after the server's CONNECT reply.
func (s *Socket) OnConnect(fn func()) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, fn)
	s.mu.Unlock()
}

// OnConnectError adds a handler run when the socket cannot connect
// ("connect_error"): the server refused it (no automatic retry follows), or
// the connection could not be opened (the Manager retries, unless
// reconnection is off).
func (s *Socket) OnConnectError(fn func(err *ConnectError)) {
	s.mu.Lock()
	s.onConnErr = append(s.onConnErr, fn)
	s.mu.Unlock()
}

// OnDisconnect adds a handler run each time the socket disconnects
// ("disconnect"). After ReasonIOServerDisconnect and
// ReasonIOClientDisconnect the socket stays disconnected until Connect is
// called; after the transport reasons the Manager reconnects it.
func (s *Socket) OnDisconnect(fn func(reason Reason)) {
	s.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, fn)
	s.mu.Unlock()
}

// Connect connects the socket: it opens the Manager's connection if needed
// and joins the namespace. It returns at once; OnConnect or OnConnectError
// handlers tell how it went. It does nothing if the socket is connected.
func (s *Socket) Connect() {
	s.mu.Lock()
	if s.connected {
		s.mu.Unlock()
		return
	}
	s.active.Store(true)
	s.mu.Unlock()
	if gen, open := s.m.ensureOpen(); open {
		s.onopen(gen)
	}
}

// ConnectContext connects the socket as Connect does and waits until it is
// connected. It returns a *ConnectError when the server refuses the socket,
// or when the connection cannot be opened and the Manager will not retry;
// ErrDisconnected when Disconnect or Manager.Close is called meanwhile; and
// ctx.Err() when ctx ends first (the socket goes on trying).
func (s *Socket) ConnectContext(ctx context.Context) error {
	ch := make(chan error, 1)
	s.mu.Lock()
	if s.connected {
		s.mu.Unlock()
		return nil
	}
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	s.Connect()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		s.mu.Lock()
		s.waiters = slices.DeleteFunc(s.waiters, func(c chan error) bool { return c == ch })
		s.mu.Unlock()
		select {
		case err := <-ch:
			return err
		default:
			return ctx.Err()
		}
	}
}

// Disconnect leaves the namespace (a DISCONNECT packet) with reason "io
// client disconnect". The socket does not reconnect until Connect is
// called. When no socket of the Manager is left active, the Manager closes
// its connection, after writing what was queued.
func (s *Socket) Disconnect() {
	s.mu.Lock()
	was := s.connected
	if was {
		s.m.sendPacket(&parser.Packet{Type: parser.Disconnect, Namespace: s.nsp}, 0)
	}
	s.deactivateLocked()
	failed := s.closeLocked()
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	s.m.destroy()
	s.failAcks(failed)
	if was {
		s.postDisconnect(ReasonIOClientDisconnect)
	}
	for _, w := range waiters {
		w <- ErrDisconnected
	}
}

// Emit sends an event. Arguments are encoded with encoding/json; []byte
// values (at the top level or inside []any and map[string]any) travel as
// binary attachments. If the last argument is an AckFunc (or a
// func([]any, error)), the server is asked for an acknowledgement and the
// function receives it. While the socket is disconnected the event waits,
// and is sent once it connects.
func (s *Socket) Emit(event string, args ...any) error {
	return s.emit(event, args, emitFlags{})
}

// Send emits the "message" event, like socket.send in JavaScript.
func (s *Socket) Send(args ...any) error { return s.Emit("message", args...) }

// EmitWithAck emits an event and waits for the server's acknowledgement,
// returning its arguments. It returns ErrAckTimeout when ctx's deadline (or
// SocketOptions.AckTimeout) passes first, ctx.Err() when ctx is canceled,
// and ErrDisconnected when the socket disconnects after sending it. An
// event still waiting to be sent when it gives up is not sent.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	return s.emitWithAck(ctx, event, args, emitFlags{})
}

// Timeout returns an emitter whose acknowledgements fail with ErrAckTimeout
// after d: socket.timeout(ms) in JavaScript.
func (s *Socket) Timeout(d time.Duration) Emitter {
	return Emitter{s: s, flags: emitFlags{timeout: d}}
}

// Volatile returns an emitter whose events are dropped when they cannot be
// written at once (disconnected, upgrading, a write in flight):
// socket.volatile in JavaScript.
func (s *Socket) Volatile() Emitter { return Emitter{s: s, flags: emitFlags{volatile: true}} }

// Emitter emits on one socket with the flags set by Socket.Timeout and
// Socket.Volatile. It is a value; its methods may be chained.
type Emitter struct {
	s     *Socket
	flags emitFlags
}

type emitFlags struct {
	volatile bool
	timeout  time.Duration
}

// Timeout sets the acknowledgement timeout.
func (e Emitter) Timeout(d time.Duration) Emitter { e.flags.timeout = d; return e }

// Volatile marks the events as droppable.
func (e Emitter) Volatile() Emitter { e.flags.volatile = true; return e }

// Emit is Socket.Emit with the emitter's flags.
func (e Emitter) Emit(event string, args ...any) error { return e.s.emit(event, args, e.flags) }

// EmitWithAck is Socket.EmitWithAck with the emitter's flags.
func (e Emitter) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	return e.s.emitWithAck(ctx, event, args, e.flags)
}

// ackFuncOf takes an acknowledgement callback off the end of args.
func ackFuncOf(args []any) ([]any, AckFunc) {
	if n := len(args); n > 0 {
		switch f := args[n-1].(type) {
		case AckFunc:
			return args[:n-1], f
		case func([]any, error):
			return args[:n-1], f
		}
	}
	return args, nil
}

func (s *Socket) emit(event string, args []any, flags emitFlags) error {
	if parser.IsReservedEvent(event) {
		return fmt.Errorf("%w: %q", ErrReservedEvent, event)
	}
	args, fn := ackFuncOf(args)
	var pa *pendingAck
	timeout := flags.timeout
	if fn != nil {
		pa = &pendingAck{fn: fn}
		if timeout <= 0 {
			timeout = s.ackTimeout
		}
	}
	_, err := s.emitPacket(event, args, flags.volatile, pa, timeout)
	return err
}

func (s *Socket) emitWithAck(ctx context.Context, event string, args []any, flags emitFlags) ([]any, error) {
	if parser.IsReservedEvent(event) {
		return nil, fmt.Errorf("%w: %q", ErrReservedEvent, event)
	}
	timeout := flags.timeout
	if _, ok := ctx.Deadline(); !ok && timeout <= 0 {
		timeout = s.ackTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	ch := make(chan ackResult, 1)
	id, err := s.emitPacket(event, args, flags.volatile, &pendingAck{ch: ch}, 0)
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.args, r.err
	case <-ctx.Done():
		s.takeAck(id)
		select {
		case r := <-ch:
			return r.args, r.err
		default:
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrAckTimeout
		}
		return nil, ctx.Err()
	}
}

// emitPacket encodes and sends (or buffers) an event; with pa it asks for
// an acknowledgement and returns the ack id.
func (s *Socket) emitPacket(event string, args []any, volatile bool, pa *pendingAck, timeout time.Duration) (uint64, error) {
	data, atts, err := parser.MarshalEvent(event, args)
	if err != nil {
		return 0, fmt.Errorf("client: encoding %q: %w", event, err)
	}
	p := &parser.Packet{Type: parser.Event, Namespace: s.nsp, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryEvent
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pa != nil {
		p.HasID, p.ID = true, s.ids
		s.ids++
		s.addAckLocked(p.ID, pa, timeout)
	}
	ok, writable := false, false
	if s.connected {
		ok, writable = s.m.connState()
	}
	switch {
	case volatile && !writable:
		// Dropped, as the official client drops it.
	case ok:
		s.m.sendPacket(p, 0)
	default:
		s.sendBuf = append(s.sendBuf, p)
		if pa != nil {
			pa.buffered = true
		}
	}
	return p.ID, nil
}

func (s *Socket) addAckLocked(id uint64, pa *pendingAck, timeout time.Duration) {
	if s.acks == nil {
		s.acks = make(map[uint64]*pendingAck)
	}
	s.acks[id] = pa
	if timeout > 0 {
		pa.timer = time.AfterFunc(timeout, func() {
			if p := s.takeAck(id); p != nil {
				s.deliverAck(p, ackResult{err: ErrAckTimeout})
			}
		})
	}
}

// takeAck removes a pending acknowledgement, and its packet if it was
// never sent.
func (s *Socket) takeAck(id uint64) *pendingAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.acks[id]
	if p == nil {
		return nil
	}
	delete(s.acks, id)
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.buffered {
		s.sendBuf = slices.DeleteFunc(s.sendBuf, func(q *parser.Packet) bool { return q.HasID && q.ID == id })
	}
	return p
}

func (s *Socket) deliverAck(p *pendingAck, r ackResult) {
	if p.ch != nil {
		p.ch <- r // buffered, and delivered once
		return
	}
	s.m.post(func() { p.fn(r.args, r.err) })
}

func (s *Socket) failAcks(ps []*pendingAck) {
	for _, p := range ps {
		s.deliverAck(p, ackResult{err: ErrDisconnected})
	}
}

// sendAck answers an event of connection epoch.
func (s *Socket) sendAck(epoch, id uint64, args []any) error {
	data, atts, err := parser.MarshalArgs(args)
	if err != nil {
		return fmt.Errorf("client: encoding ack: %w", err)
	}
	p := &parser.Packet{Type: parser.Ack, Namespace: s.nsp, HasID: true, ID: id, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryAck
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected || s.epoch != epoch {
		return ErrDisconnected
	}
	return s.m.sendPacket(p, 0)
}

// onopen sends the CONNECT packet on connection gen, once.
func (s *Socket) onopen(gen uint64) {
	s.mu.Lock()
	if !s.active.Load() || s.connected || s.sentGen == gen {
		s.mu.Unlock()
		return
	}
	auth, pid, offset := s.auth, s.pid, s.lastOffset
	s.mu.Unlock()

	payload, err := authPayload(auth, pid, offset)
	if err != nil {
		s.refused(&ConnectError{Message: err.Error(), Err: err})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active.Load() || s.connected || s.sentGen == gen {
		return
	}
	s.sentGen = gen
	s.m.sendPacket(&parser.Packet{Type: parser.Connect, Namespace: s.nsp, Data: payload}, gen)
}

// authPayload encodes the CONNECT payload: auth (called first if it is a
// function), plus the private id and offset of connection state recovery.
func authPayload(auth any, pid, offset string) (json.RawMessage, error) {
	switch f := auth.(type) {
	case func() any:
		auth = f()
	case func() map[string]any:
		auth = f()
	}
	if auth == nil && pid == "" {
		return nil, nil
	}
	obj := map[string]json.RawMessage{}
	if pid != "" {
		obj["pid"], _ = json.Marshal(pid)
		if offset != "" {
			obj["offset"], _ = json.Marshal(offset)
		}
	}
	if auth != nil {
		b, err := json.Marshal(auth)
		if err != nil {
			return nil, fmt.Errorf("client: encoding auth: %w", err)
		}
		if pid == "" {
			if len(b) == 0 || b[0] != '{' {
				return nil, fmt.Errorf("client: auth must encode to a JSON object, not %s", b)
			}
			return b, nil
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, fmt.Errorf("client: auth must encode to a JSON object: %w", err)
		}
		for k, v := range fields {
			obj[k] = v
		}
	}
	return json.Marshal(obj)
}

// onPacket handles a packet of the socket's namespace, on the reading
// goroutine.
func (s *Socket) onPacket(p *parser.Packet) {
	switch p.Type {
	case parser.Connect:
		var d struct {
			SID string `json:"sid"`
			PID string `json:"pid"`
		}
		if p.Data == nil || json.Unmarshal(p.Data, &d) != nil || d.SID == "" {
			s.refused(&ConnectError{Message: v2Message})
			return
		}
		s.onconnect(d.SID, d.PID)
	case parser.Event, parser.BinaryEvent:
		s.onEvent(p)
	case parser.Ack, parser.BinaryAck:
		pa := s.takeAck(p.ID)
		if pa == nil {
			return // unknown ids are ignored, as in the official client
		}
		raw, _ := parser.SplitArray(p.Data) // checked by the decoder
		s.deliverAck(pa, ackResult{args: decodeArgs(raw, p.Attachments)})
	case parser.Disconnect:
		s.onServerDisconnect()
	case parser.ConnectError:
		s.refused(connectErrorOf(p.Data))
	}
}

// connectErrorOf decodes a CONNECT_ERROR payload: {"message","data"?}, or
// a string (older servers).
func connectErrorOf(data json.RawMessage) *ConnectError {
	ce := &ConnectError{}
	var msg string
	if json.Unmarshal(data, &msg) == nil {
		ce.Message = msg
		return ce
	}
	var obj struct {
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	json.Unmarshal(data, &obj)
	ce.Message = obj.Message
	if len(obj.Data) > 0 {
		ce.Data, _ = parser.Value(obj.Data, nil)
	}
	return ce
}

func (s *Socket) onconnect(sid, pid string) {
	s.mu.Lock()
	if !s.active.Load() || s.connected {
		s.mu.Unlock()
		return
	}
	s.id, s.connected = sid, true
	s.recovered = pid != "" && pid == s.pid
	s.pid = pid
	s.epoch++
	recv := s.recvBuf
	s.recvBuf = nil
	for _, ev := range recv {
		ev.epoch = s.epoch
	}
	for _, p := range s.sendBuf {
		if pa := s.acks[p.ID]; p.HasID && pa != nil {
			pa.buffered = false
		}
		s.m.sendPacket(p, 0)
	}
	s.sendBuf = nil
	waiters := s.takeWaitersLocked()
	s.m.post(func() {
		for _, ev := range recv {
			s.dispatch(ev)
		}
		s.mu.Lock()
		fns := slices.Clone(s.onConnect)
		s.mu.Unlock()
		for _, f := range fns {
			f()
		}
	})
	s.mu.Unlock()
	for _, w := range waiters {
		w <- nil
	}
}

func (s *Socket) onEvent(p *parser.Packet) {
	ev, err := newEvent(s, p)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if raw := ev.args.Raw(); s.pid != "" && len(raw) > 0 {
		var off string
		if json.Unmarshal(raw[len(raw)-1], &off) == nil {
			s.lastOffset = off
		}
	}
	if !s.connected {
		s.recvBuf = append(s.recvBuf, ev)
		return
	}
	ev.epoch = s.epoch
	s.m.post(func() { s.dispatch(ev) })
}

// dispatch runs the handlers of an event; called on the mailbox.
func (s *Socket) dispatch(e *Event) {
	var buf [4]EventHandler // on the stack: most events have a handler or two
	for _, fn := range s.handlers.AppendTake(buf[:0], e.Name) {
		fn(e)
	}
}

func (s *Socket) onServerDisconnect() {
	s.mu.Lock()
	was := s.connected
	s.deactivateLocked()
	failed := s.closeLocked()
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	s.m.destroy()
	s.failAcks(failed)
	if was {
		s.postDisconnect(ReasonIOServerDisconnect)
	}
	for _, w := range waiters {
		w <- ErrDisconnected
	}
}

// refused handles a CONNECT_ERROR: the socket gives up until Connect is
// called again.
func (s *Socket) refused(ce *ConnectError) {
	s.mu.Lock()
	s.deactivateLocked()
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	s.m.destroy()
	s.m.post(func() { s.runConnectError(ce) })
	for _, w := range waiters {
		w <- ce
	}
}

// onclose handles the loss of the Manager's connection.
func (s *Socket) onclose(reason Reason) {
	s.mu.Lock()
	was := s.connected
	failed := s.closeLocked()
	s.mu.Unlock()
	s.failAcks(failed)
	if was {
		s.postDisconnect(reason)
	}
}

// forceClose handles Manager.Close.
func (s *Socket) forceClose(reason Reason) {
	s.mu.Lock()
	was := s.connected
	s.deactivateLocked()
	failed := s.closeLocked()
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	s.failAcks(failed)
	if was {
		s.postDisconnect(reason)
	}
	for _, w := range waiters {
		w <- ErrDisconnected
	}
}

func (s *Socket) deactivateLocked() {
	s.active.Store(false)
	s.sentGen = 0
}

// closeLocked marks the socket disconnected and takes the acknowledgements
// of the packets already sent, which fail.
func (s *Socket) closeLocked() []*pendingAck {
	s.connected, s.id = false, ""
	s.recvBuf = nil
	var failed []*pendingAck
	for id, p := range s.acks {
		if p.buffered {
			continue
		}
		delete(s.acks, id)
		if p.timer != nil {
			p.timer.Stop()
		}
		failed = append(failed, p)
	}
	return failed
}

func (s *Socket) takeWaitersLocked() []chan error {
	w := s.waiters
	s.waiters = nil
	return w
}

// resolveWaiters ends the ConnectContext calls waiting on a socket that will
// not connect.
func (s *Socket) resolveWaiters(err error) {
	s.mu.Lock()
	if s.connected {
		s.mu.Unlock()
		return
	}
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	for _, w := range waiters {
		w <- err
	}
}

func (s *Socket) postDisconnect(reason Reason) {
	s.m.post(func() {
		s.mu.Lock()
		fns := slices.Clone(s.onDisconnect)
		s.mu.Unlock()
		for _, f := range fns {
			f(reason)
		}
	})
}

// runConnectError runs the OnConnectError handlers; called on the mailbox.
func (s *Socket) runConnectError(ce *ConnectError) {
	s.mu.Lock()
	fns := slices.Clone(s.onConnErr)
	s.mu.Unlock()
	for _, f := range fns {
		f(ce)
	}
}
