package sio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/internal/listeners"
	"github.com/sioworkbook/workbook/sio/parser"
)

// Handshake holds what the client sent when it connected: the details of the
// first HTTP request of its Engine.IO session and the auth payload of its
// CONNECT packet.
type Handshake struct {
	// Headers of the first HTTP request.
	Headers http.Header
	// Query of the first HTTP request (EIO, transport and t included).
	Query url.Values
	// Address is the client's IP address, without the port.
	Address string
	// Time is when the socket was created.
	Time time.Time
	// URL is the request URI of the first HTTP request.
	URL string
	// Secure reports whether that request came over TLS.
	Secure bool
	// XDomain reports whether that request carried an Origin header.
	XDomain bool
	// Auth is the CONNECT payload decoded; an empty map when none was sent.
	Auth map[string]any
	// RawAuth is the CONNECT payload as sent (nil when none).
	RawAuth json.RawMessage
}

// Errors returned by Socket methods.
var (
	// ErrReservedEvent: Emit was called with a name the protocol reserves
	// ("connect", "connect_error", "disconnect", "disconnecting",
	// "newListener", "removeListener").
	ErrReservedEvent = errors.New("sio: reserved event name")
	// ErrDisconnected: the socket is disconnected; pending acknowledgements
	// fail with it too ("socket has been disconnected", as in Node).
	ErrDisconnected = errors.New("socket has been disconnected")
	// ErrAckTimeout: no acknowledgement came in time ("operation has timed
	// out", as in Node).
	ErrAckTimeout = errors.New("operation has timed out")
	// ErrTooManyAcks: Emit (with an AckFunc) or EmitWithAck was called
	// while the socket already waits for Config.MaxPendingAcks
	// acknowledgements.
	ErrTooManyAcks = errors.New("sio: too many acknowledgements pending")
)

// AckFunc receives the arguments of an acknowledgement, or an error
// (ErrAckTimeout, ErrDisconnected). Passed as the last argument of Emit, it
// asks the client for an acknowledgement, as a callback does in Node. It runs
// on the connection's handler goroutine, like an EventHandler.
type AckFunc func(args []any, err error)

type pendingAck struct {
	fn     AckFunc
	ch     chan ackResult
	direct func(ackResult) // called on the goroutine that resolves the ack; must not block
	timer  *time.Timer
}

type ackResult struct {
	args []any
	err  error
}

// Socket is one client connected to one namespace. A client that connects to
// several namespaces over one connection has one Socket in each.
//
// All methods may be called from any goroutine. Handlers of one connection
// run one at a time, in the order their packets arrived (see EventHandler),
// so a handler that blocks holds up that connection's next events and its
// disconnect handlers: let it watch Context, which ends when the socket
// does.
type Socket struct {
	id       string
	nsp      *Namespace
	conn     *conn
	handlers listeners.Set[EventHandler]

	// Handshake is built on first use (under mu), as most sockets never ask
	// for it: until then the socket keeps what it takes that the session
	// does not.
	created time.Time       // Handshake.Time
	auth    json.RawMessage // the CONNECT payload, nil when none

	mu        sync.Mutex
	connected bool
	// greeted is set once the connection handlers have run; a DISCONNECT
	// that comes before waits behind them on the handler goroutine (see
	// conn.route).
	greeted   atomic.Bool
	ended     error                   // why the socket is gone (see endLocked); nil while it connects or is connected
	ctx       context.Context         // made by the first call to Context
	cancel    context.CancelCauseFunc // cancels ctx
	handshake *Handshake
	closers   *closeHandlers // nil until OnDisconnecting or OnDisconnect
	acks      map[uint64]*pendingAck
	data      any

	pid       string // private id, with connection state recovery; see recovery.go
	recovered bool   // restored by connection state recovery
}

// closeHandlers are the disconnection handlers of a socket, kept apart as
// most sockets have none.
type closeHandlers struct {
	disconnecting []func(Reason)
	disconnected  []func(Reason)
}

func newSocketID() string {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sio: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ID returns the socket's public id, which is also the name of the room it
// is always in. It is not the Engine.IO session id.
func (s *Socket) ID() string { return s.id }

// Namespace returns the namespace the socket is connected to.
func (s *Socket) Namespace() *Namespace { return s.nsp }

// Handshake returns the details of the client's connection.
func (s *Socket) Handshake() *Handshake {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handshake == nil {
		s.handshake = s.conn.handshake(s.created, s.auth)
	}
	return s.handshake
}

// Auth returns the auth payload of the socket's CONNECT packet as the
// client sent it (Handshake().RawAuth), or nil when it sent none. Unlike
// Handshake, it keeps nothing on the socket: a server that only needs the
// auth saves the memory of the handshake's headers and query, which
// Handshake builds and keeps on its first call. The caller may modify the
// copy it gets.
func (s *Socket) Auth() json.RawMessage {
	if len(s.auth) == 0 {
		return nil
	}
	return append(json.RawMessage(nil), s.auth...)
}

// SessionID returns the id of the Engine.IO session the socket rides on.
// Keep it secret from other clients: it lets anyone post as this client.
func (s *Socket) SessionID() string { return s.conn.session.ID() }

// Transport returns the name of the current transport: "polling" or
// "websocket".
func (s *Socket) Transport() string { return s.conn.session.Transport() }

// Connected reports whether the socket is still connected.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// Context returns the socket's context. It is live while the socket
// connects (in middlewares) and while it is connected, and it is cancelled
// as soon as the socket is disconnected, before its disconnect handlers
// run, or refused by a middleware. context.Cause then returns an error
// that wraps ErrDisconnected and names the Reason ("socket has been
// disconnected (transport close)"), or the middleware's error. A handler
// that blocks (a query, a call to another service) can pass it on, so that
// it stops when its client goes.
func (s *Socket) Context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil { // made on first use: most sockets never ask for it
		s.ctx, s.cancel = context.WithCancelCause(context.Background())
		if s.ended != nil {
			s.cancel(s.ended)
		}
	}
	return s.ctx
}

// endLocked records why the socket is gone and cancels its context, if it
// has one yet. The caller holds s.mu.
func (s *Socket) endLocked(cause error) {
	if s.ended != nil {
		return
	}
	s.ended = cause
	if s.cancel != nil {
		s.cancel(cause)
	}
}

// end is endLocked for a caller that does not hold s.mu.
func (s *Socket) end(cause error) {
	s.mu.Lock()
	s.endLocked(cause)
	s.mu.Unlock()
}

// SetData stores an application value on the socket (socket.data in Node).
func (s *Socket) SetData(v any) {
	s.mu.Lock()
	s.data = v
	s.mu.Unlock()
}

// Data returns the value stored with SetData, or nil.
func (s *Socket) Data() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
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

// Off removes every handler of event; with no event name it removes the
// handlers of every event (not OnAny's, not OnDisconnect's).
func (s *Socket) Off(event ...string) { s.handlers.Off(event...) }

// OnAny adds a handler that runs for every event, before the handlers of
// that event, and returns a function that removes it.
func (s *Socket) OnAny(fn EventHandler) (remove func()) { return s.handlers.OnAny(fn) }

// OnDisconnecting adds a handler that runs when the socket is about to be
// disconnected, while it is still in its rooms.
func (s *Socket) OnDisconnecting(fn func(reason Reason)) {
	s.mu.Lock()
	h := s.closeHandlersLocked()
	h.disconnecting = append(h.disconnecting, fn)
	s.mu.Unlock()
}

// OnDisconnect adds a handler that runs once the socket is disconnected.
func (s *Socket) OnDisconnect(fn func(reason Reason)) {
	s.mu.Lock()
	h := s.closeHandlersLocked()
	h.disconnected = append(h.disconnected, fn)
	s.mu.Unlock()
}

// closeHandlersLocked returns the socket's disconnection handlers, making
// room for them on first use. The caller holds s.mu.
func (s *Socket) closeHandlersLocked() *closeHandlers {
	if s.closers == nil {
		s.closers = &closeHandlers{}
	}
	return s.closers
}

// Emit sends an event to this client. Arguments are encoded with
// encoding/json; []byte values (at the top level or inside []any and
// map[string]any) travel as binary attachments. If the last argument is an
// AckFunc (or a func([]any, error)), the client is asked for an
// acknowledgement and the function receives it, or an error; it is called
// exactly once if Emit returns nil, and never if Emit returns an error.
func (s *Socket) Emit(event string, args ...any) error {
	return s.emit(event, args, emitFlags{})
}

// Send emits the "message" event, like socket.send in Node.
func (s *Socket) Send(args ...any) error { return s.Emit("message", args...) }

// EmitWithAck emits an event and waits for the client's acknowledgement,
// returning its arguments. It returns ErrAckTimeout when ctx's deadline
// passes first, ctx.Err() when ctx is cancelled, ErrDisconnected when the
// socket disconnects first, and ErrTooManyAcks when the socket already waits
// for Config.MaxPendingAcks acknowledgements.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	return s.emitWithAck(ctx, event, args, emitFlags{})
}

// Timeout returns an emitter whose acknowledgements fail with ErrAckTimeout
// after d: socket.timeout(ms) in Node.
func (s *Socket) Timeout(d time.Duration) Emitter { return Emitter{s: s, flags: emitFlags{timeout: d}} }

// Volatile returns an emitter whose events are dropped when the connection
// cannot take them right now (an upgrade in progress, no pending poll).
func (s *Socket) Volatile() Emitter { return Emitter{s: s, flags: emitFlags{volatile: true}} }

// Emitter emits to one socket with flags set by Socket.Timeout or
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
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return err
	}
	if fn == nil {
		if s.pid != "" && !flags.volatile {
			// With connection state recovery the event goes through the
			// adapter, which logs it, as in Node.
			return s.nsp.adapter.Broadcast(context.Background(), p, BroadcastOptions{Rooms: []string{s.id}})
		}
		return s.conn.send(p, flags.volatile)
	}
	p.HasID, p.ID = true, s.nsp.nextAckID()
	if err := s.addAck(p.ID, &pendingAck{fn: fn}, flags.timeout); err != nil {
		return err
	}
	if err := s.conn.send(p, flags.volatile); err != nil {
		if s.takeAck(p.ID) != nil {
			return err // fn will not be called
		}
		// The socket disconnected meanwhile and has handed fn its error
		// already: report the failure once, there.
	}
	return nil
}

func (s *Socket) emitWithAck(ctx context.Context, event string, args []any, flags emitFlags) ([]any, error) {
	if parser.IsReservedEvent(event) {
		return nil, fmt.Errorf("%w: %q", ErrReservedEvent, event)
	}
	if flags.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, flags.timeout)
		defer cancel()
	}
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return nil, err
	}
	p.HasID, p.ID = true, s.nsp.nextAckID()
	ch := make(chan ackResult, 1)
	if err := s.addAck(p.ID, &pendingAck{ch: ch}, 0); err != nil {
		return nil, err
	}
	if err := s.conn.send(p, flags.volatile); err != nil {
		s.takeAck(p.ID)
		return nil, err
	}
	select {
	case r := <-ch:
		return r.args, r.err
	case <-ctx.Done():
		s.takeAck(p.ID)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrAckTimeout
		}
		return nil, ctx.Err()
	}
}

func eventPacket(nsp, event string, args []any) (*parser.Packet, error) {
	data, atts, err := parser.MarshalEvent(event, args)
	if err != nil {
		return nil, fmt.Errorf("sio: encoding %q: %w", event, err)
	}
	p := &parser.Packet{Type: parser.Event, Namespace: nsp, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryEvent
	}
	return p, nil
}

// addAck registers a pending acknowledgement. It returns ErrDisconnected
// if the socket is gone, ErrTooManyAcks if it waits for as many as it may.
func (s *Socket) addAck(id uint64, a *pendingAck, timeout time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected {
		return ErrDisconnected
	}
	if len(s.acks) >= s.nsp.server.maxPendingAcks() {
		return ErrTooManyAcks
	}
	if s.acks == nil {
		s.acks = make(map[uint64]*pendingAck)
	}
	s.acks[id] = a
	if timeout > 0 {
		a.timer = time.AfterFunc(timeout, func() {
			if p := s.takeAck(id); p != nil {
				s.deliverAck(p, ackResult{err: ErrAckTimeout})
			}
		})
	}
	return nil
}

func (s *Socket) takeAck(id uint64) *pendingAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.acks[id]
	if p != nil {
		delete(s.acks, id)
		if p.timer != nil {
			p.timer.Stop()
		}
	}
	return p
}

func (s *Socket) deliverAck(p *pendingAck, r ackResult) {
	if p.direct != nil {
		p.direct(r)
		return
	}
	if p.ch != nil {
		p.ch <- r
		return
	}
	s.conn.mailbox.Post(func() { p.fn(r.args, r.err) })
}

// onAck resolves an acknowledgement from the client. Unknown ids are ignored,
// as the official server does.
func (s *Socket) onAck(p *parser.Packet) {
	pending := s.takeAck(p.ID)
	if pending == nil {
		s.conn.server.debugf("socket.io:socket", s.conn.sid(), "bad ack %d", p.ID)
		return
	}
	raw, _ := parser.SplitArray(p.Data) // checked by the decoder
	args := make([]any, len(raw))
	for i, r := range raw {
		args[i], _ = parser.Value(r, p.Attachments)
	}
	s.deliverAck(pending, ackResult{args: args})
}

func (s *Socket) sendAck(id uint64, args []any) error {
	data, atts, err := parser.MarshalArgs(args)
	if err != nil {
		return fmt.Errorf("sio: encoding ack: %w", err)
	}
	p := &parser.Packet{Type: parser.Ack, Namespace: s.nsp.name, HasID: true, ID: id, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryAck
	}
	return s.conn.send(p, false)
}

// dispatch runs the handlers of an event; called on the mailbox.
func (s *Socket) dispatch(e *Event) {
	if !s.Connected() {
		return
	}
	var buf [4]EventHandler // on the stack: most events have a handler or two
	for _, fn := range s.handlers.AppendTake(buf[:0], e.Name) {
		fn(e)
	}
}

// Join puts the socket into rooms.
// Join does nothing once the socket is disconnected.
func (s *Socket) Join(rooms ...string) {
	if !s.Connected() {
		return
	}
	s.nsp.adapter.AddAll(s.id, rooms...)
	if !s.Connected() {
		// The socket disconnected meanwhile, and may have left its rooms
		// before the adapter took these: leave them, or they would stay.
		for _, r := range rooms {
			s.nsp.adapter.Del(s.id, r)
		}
		return
	}
	if s.nsp.server.obs != nil {
		s.nsp.server.debugf("socket.io:socket", s.conn.sid(), "join room %v", slices.Clone(rooms))
	}
}

// Leave takes the socket out of room.
func (s *Socket) Leave(room string) {
	s.nsp.adapter.Del(s.id, room)
	if s.nsp.server.obs != nil {
		s.nsp.server.debugf("socket.io:socket", s.conn.sid(), "leave room %s", room)
	}
}

// Rooms returns the rooms the socket is in, its own id included, sorted.
func (s *Socket) Rooms() []string { return s.nsp.adapter.SocketRooms(s.id) }

// To returns an operator that broadcasts to rooms, leaving this socket out:
// socket.to(room) in Node.
func (s *Socket) To(rooms ...string) *BroadcastOperator { return s.Broadcast().To(rooms...) }

// In is To.
func (s *Socket) In(rooms ...string) *BroadcastOperator { return s.To(rooms...) }

// Except returns an operator that broadcasts to every socket of the
// namespace but this one and those in rooms.
func (s *Socket) Except(rooms ...string) *BroadcastOperator { return s.Broadcast().Except(rooms...) }

// Broadcast returns an operator that reaches every other socket of the
// namespace: socket.broadcast in Node.
func (s *Socket) Broadcast() *BroadcastOperator {
	return &BroadcastOperator{nsp: s.nsp, except: []string{s.id}}
}

// Disconnect disconnects the socket from its namespace with reason
// "server namespace disconnect" and tells the client; the connection stays
// open for the other namespaces the client joined on it (socket.disconnect()
// in Node). It does nothing if the socket is already disconnected.
func (s *Socket) Disconnect() {
	// Disconnected before the client hears of it: a client that closes its
	// transport as soon as it reads the packet must not turn the reason
	// into "transport close".
	if s.onClose(ReasonServerNamespaceDisconnect) {
		_ = s.conn.send(&parser.Packet{Type: parser.Disconnect, Namespace: s.nsp.name}, false)
	}
}

// CloseConnection disconnects every socket of the socket's connection, this
// one included, as Disconnect does, then closes the connection itself
// (socket.disconnect(true) in Node): the client sees its transport closed.
func (s *Socket) CloseConnection() {
	s.conn.disconnectAll()
	s.conn.session.Close(engine.ReasonForcedClose)
}

// onClose marks the socket disconnected and runs its handlers. It may be
// called more than once, from any goroutine; only the first call counts,
// and reports true.
func (s *Socket) onClose(reason Reason) bool {
	s.mu.Lock()
	if !s.connected {
		s.mu.Unlock()
		return false
	}
	s.connected = false
	s.endLocked(fmt.Errorf("%w (%s)", ErrDisconnected, reason))
	acks := s.acks
	s.acks = nil
	s.mu.Unlock()

	s.nsp.remove(s)
	s.conn.removeSocket(s)
	for _, p := range acks {
		if p.timer != nil {
			p.timer.Stop()
		}
		s.deliverAck(p, ackResult{err: ErrDisconnected})
	}
	if s.nsp.server.obs != nil {
		s.nsp.server.debugf("socket.io:socket", s.conn.sid(), "closing socket - reason %s", reason)
	}
	s.conn.mailbox.Post(func() {
		var before, after []func(Reason)
		s.mu.Lock()
		if h := s.closers; h != nil {
			before = append(before, h.disconnecting...)
			after = append(after, h.disconnected...)
		}
		s.mu.Unlock()
		for _, fn := range before {
			fn(reason)
		}
		s.leaveAll(reason)
		for _, fn := range after {
			fn(reason)
		}
	})
	return true
}

func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
