package sio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// Middleware runs for every socket that tries to connect to a namespace,
// before it is connected, in the order the middlewares were added. Returning
// a non-nil error refuses the connection: the client gets a connect_error
// with the error's message, and with its data when the error is (or wraps) a
// *ConnectError. Middlewares run on the connection's handler goroutine, so
// they may block (a database lookup, say) without holding up other clients.
type Middleware func(s *Socket) error

// ConnectError refuses a connection with a message and data the client
// receives in its connect_error event (err.message and err.data in the
// browser).
type ConnectError struct {
	Message string
	Data    any
}

func (e *ConnectError) Error() string { return e.Message }

// Namespace is a communication channel that splits the logic of an
// application over one shared connection: "/", "/admin", "/chat". Each has its
// own sockets, rooms, middlewares and handlers. Get one with Server.Of.
//
// All methods may be called from any goroutine.
type Namespace struct {
	server  *Server
	name    string
	parent  *ParentNamespace
	adapter Adapter
	ackIDs  atomic.Uint64

	mu          sync.RWMutex
	sockets     map[string]*Socket
	middlewares []Middleware
	onConnect   []func(*Socket)
	serverSide  map[string][]ServerSideHandler // by event; see OnServerSideEmit
}

func newNamespace(srv *Server, name string, parent *ParentNamespace) *Namespace {
	n := &Namespace{server: srv, name: name, parent: parent, sockets: make(map[string]*Socket)}
	if srv.cfg.NewAdapter != nil {
		n.adapter = srv.cfg.NewAdapter(n)
	} else {
		n.adapter = NewMemoryAdapter()
	}
	attachAdapter(n.adapter, n) // a MemoryAdapter, or an adapter that embeds or wraps one
	return n
}

// Name returns the namespace's name, such as "/" or "/admin".
func (n *Namespace) Name() string { return n.name }

// Server returns the server the namespace belongs to.
func (n *Namespace) Server() *Server { return n.server }

// Adapter returns the namespace's rooms adapter.
func (n *Namespace) Adapter() Adapter { return n.adapter }

// Use adds a middleware.
func (n *Namespace) Use(m Middleware) {
	n.mu.Lock()
	n.middlewares = append(n.middlewares, m)
	n.mu.Unlock()
}

// OnConnection adds a handler that runs for every socket that connects, right
// after the client was told it is connected. Register the socket's event
// handlers there: events the client sends after connecting wait until it
// returns.
func (n *Namespace) OnConnection(fn func(s *Socket)) {
	n.mu.Lock()
	n.onConnect = append(n.onConnect, fn)
	n.mu.Unlock()
}

// Sockets returns the sockets connected to the namespace, in no order.
func (n *Namespace) Sockets() []*Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]*Socket, 0, len(n.sockets))
	for _, s := range n.sockets {
		out = append(out, s)
	}
	return out
}

// Socket returns the connected socket with that id, or nil.
func (n *Namespace) Socket(id string) *Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.sockets[id]
}

// Len returns the number of connected sockets.
func (n *Namespace) Len() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.sockets)
}

func (n *Namespace) nextAckID() uint64 { return n.ackIDs.Add(1) - 1 }

func (n *Namespace) operator() *BroadcastOperator { return &BroadcastOperator{nsp: n} }

// Emit sends an event to every socket of the namespace. The packet is
// encoded once, whatever the number of receivers.
func (n *Namespace) Emit(event string, args ...any) error { return n.operator().Emit(event, args...) }

// Send emits the "message" event to every socket.
func (n *Namespace) Send(args ...any) error { return n.Emit("message", args...) }

// To selects the sockets in rooms.
func (n *Namespace) To(rooms ...string) *BroadcastOperator { return n.operator().To(rooms...) }

// In is To.
func (n *Namespace) In(rooms ...string) *BroadcastOperator { return n.To(rooms...) }

// Except leaves out the sockets in rooms.
func (n *Namespace) Except(rooms ...string) *BroadcastOperator { return n.operator().Except(rooms...) }

// Volatile drops the event for sockets that cannot take it right now.
func (n *Namespace) Volatile() *BroadcastOperator { return n.operator().Volatile() }

// Timeout sets how long EmitWithAck waits for acknowledgements.
func (n *Namespace) Timeout(d time.Duration) *BroadcastOperator { return n.operator().Timeout(d) }

// EmitWithAck emits to every socket and collects their acknowledgements; see
// BroadcastOperator.EmitWithAck.
func (n *Namespace) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	return n.operator().EmitWithAck(ctx, event, args...)
}

// LocalOnly selects the sockets of this node only: the other nodes of a
// cluster are not told.
func (n *Namespace) LocalOnly() *BroadcastOperator { return n.operator().Local() }

// FetchSockets returns the connected sockets of this node.
func (n *Namespace) FetchSockets() []*Socket { return n.operator().FetchSockets() }

// FetchRemoteSockets returns the sockets of every node; see
// BroadcastOperator.FetchRemoteSockets.
func (n *Namespace) FetchRemoteSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return n.operator().FetchRemoteSockets(ctx)
}

// SocketsJoin puts every socket, on every node, into rooms.
func (n *Namespace) SocketsJoin(rooms ...string) error { return n.operator().SocketsJoin(rooms...) }

// SocketsLeave takes every socket, on every node, out of rooms.
func (n *Namespace) SocketsLeave(rooms ...string) error { return n.operator().SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket, on every node, from the
// namespace; see BroadcastOperator.DisconnectSockets.
func (n *Namespace) DisconnectSockets() error { return n.operator().DisconnectSockets() }

// CloseSockets disconnects every socket, on every node, and closes their
// connections; see BroadcastOperator.CloseSockets.
func (n *Namespace) CloseSockets() error { return n.operator().CloseSockets() }

func (n *Namespace) remove(s *Socket) {
	n.mu.Lock()
	if n.sockets[s.id] == s {
		delete(n.sockets, s.id)
	}
	n.mu.Unlock()
}

func (n *Namespace) runMiddlewares(s *Socket) error {
	n.mu.RLock()
	ms := append([]Middleware(nil), n.middlewares...)
	n.mu.RUnlock()
	if n.parent != nil {
		ms = append(ms, n.parent.middlewareList()...)
	}
	for _, m := range ms {
		if err := m(s); err != nil {
			return err
		}
	}
	return nil
}

// connect runs on the connection's mailbox: middlewares, then the CONNECT
// reply, then the connection handlers.
func (n *Namespace) connect(c *conn, auth json.RawMessage) {
	if n.server.cfg.ConnectionStateRecovery != nil && n.restore(c, auth) {
		return
	}
	s := n.newSocket(c, auth)
	if n.server.obs != nil {
		n.server.debugf("socket.io:namespace", c.sid(), "adding socket to nsp %s", n.name)
	}
	if err := n.runMiddlewares(s); err != nil {
		s.end(fmt.Errorf("sio: connection to %s refused: %w", n.name, err))
		c.connectDone(n.name, nil)
		c.refuse(n.name, err)
		return
	}
	s.mu.Lock()
	s.connected = true
	s.mu.Unlock()
	if !c.connectDone(n.name, s) {
		s.end(ErrDisconnected) // the connection closed while the middlewares ran
		return
	}
	if h := n.server.connectHook; h != nil {
		h(s)
	}
	// The connection may close from here on. Socket.onClose marks the
	// socket disconnected before it takes it out of the namespace, so the
	// socket joins only if it is still connected, checked under the
	// namespace's lock: otherwise it would join after it was taken out, and
	// stay.
	n.mu.Lock()
	if !s.Connected() {
		n.mu.Unlock()
		return
	}
	n.sockets[s.id] = s
	n.mu.Unlock()
	n.adapter.AddAll(s.id, s.id)
	n.connected(s, n.handlers())
}

// newSocket makes the socket of a CONNECT, with a new id (and a new private
// id with connection state recovery).
func (n *Namespace) newSocket(c *conn, auth json.RawMessage) *Socket {
	s := &Socket{id: c.newSocketID(n.name), nsp: n, conn: c, created: time.Now()}
	if len(auth) > 0 {
		s.auth = append(json.RawMessage(nil), auth...)
	}
	if n.server.cfg.ConnectionStateRecovery != nil {
		s.pid = newSocketID()
	}
	return s
}

// connected sends the CONNECT reply of s, which is in the namespace now,
// and runs the connection handlers.
func (n *Namespace) connected(s *Socket, handlers []func(*Socket)) {
	_ = s.conn.send(&parser.Packet{Type: parser.Connect, Namespace: n.name, Data: s.conn.connectReply(s)}, false)
	if n.server.obs != nil {
		n.server.debugf("socket.io:socket", s.conn.sid(), "socket connected - writing packet")
	}
	for _, fn := range handlers {
		fn(s)
	}
	s.greeted.Store(true)
}

// handlers returns the connection handlers of the namespace, its parent's
// included.
func (n *Namespace) handlers() []func(*Socket) {
	n.mu.RLock()
	handlers := append(([]func(*Socket))(nil), n.onConnect...)
	n.mu.RUnlock()
	if n.parent != nil {
		handlers = append(handlers, n.parent.connectionHandlers()...)
	}
	return handlers
}

// connectErrorPayload builds the CONNECT_ERROR payload {message, data?}.
func connectErrorPayload(err error) json.RawMessage {
	payload := struct {
		Message string `json:"message"`
		Data    any    `json:"data,omitempty"`
	}{Message: err.Error()}
	var ce *ConnectError
	if errors.As(err, &ce) {
		payload.Message, payload.Data = ce.Message, ce.Data
	}
	b, mErr := json.Marshal(payload)
	if mErr != nil {
		b, _ = json.Marshal(struct {
			Message string `json:"message"`
		}{payload.Message})
	}
	return b
}

// ParentNamespace stands for a family of namespaces whose names are decided
// by a function (Server.OfFunc) or a pattern (Server.OfRegexp). A child
// namespace is created the first time a client connects to a matching name;
// the parent's middlewares and connection handlers apply to every child.
type ParentNamespace struct {
	server *Server
	match  func(name string) bool

	mu          sync.RWMutex
	children    []*Namespace
	middlewares []Middleware
	onConnect   []func(*Socket)
}

// Use adds a middleware to every child namespace.
func (p *ParentNamespace) Use(m Middleware) {
	p.mu.Lock()
	p.middlewares = append(p.middlewares, m)
	p.mu.Unlock()
}

// OnConnection adds a connection handler to every child namespace.
func (p *ParentNamespace) OnConnection(fn func(s *Socket)) {
	p.mu.Lock()
	p.onConnect = append(p.onConnect, fn)
	p.mu.Unlock()
}

// Children returns the child namespaces created so far.
func (p *ParentNamespace) Children() []*Namespace {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]*Namespace(nil), p.children...)
}

// Emit sends an event to every socket of every child namespace.
func (p *ParentNamespace) Emit(event string, args ...any) error {
	var first error
	for _, c := range p.Children() {
		if err := c.Emit(event, args...); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (p *ParentNamespace) middlewareList() []Middleware {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]Middleware(nil), p.middlewares...)
}

func (p *ParentNamespace) connectionHandlers() []func(*Socket) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append(([]func(*Socket))(nil), p.onConnect...)
}
