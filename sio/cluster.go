package sio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// burstGap is how soon after the end of a broadcast the next one counts as
// part of a burst (see Local.Broadcast).
const burstGap = 5 * time.Millisecond

// broadcastClock anchors Server.lastBroadcast on the monotonic clock.
var broadcastClock = time.Now()

// Local performs the namespace's operations on the sockets of this node
// only. Adapters call it for their own share of an operation and for what
// other nodes ask of this one; applications use the operators (Namespace.To,
// BroadcastOperator.Local) instead.
//
// Every method collects the sockets it acts on first, through the adapter's
// Select, and acts on them once Select has returned, so an adapter may hold
// its lock while Select runs its callback. Methods may be called from any
// goroutine.
type Local struct{ n *Namespace }

// Local returns the namespace's operations on this node's sockets.
func (n *Namespace) Local() Local { return Local{n} }

// sockets returns the connected sockets of this node that opts selects.
func (l Local) sockets(opts BroadcastOptions) []*Socket {
	var ids []string
	l.n.adapter.Select(opts, func(id string) { ids = append(ids, id) })
	out := make([]*Socket, 0, len(ids))
	for _, id := range ids {
		if s := l.n.Socket(id); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// Broadcast sends p to the sockets of this node that opts selects. The
// packet is encoded once; every receiver's queue gets the same bytes, and a
// slow receiver never holds up the others.
func (l Local) Broadcast(p *parser.Packet, opts BroadcastOptions) {
	msgs := encodeShared(p)
	srv := l.n.server
	// A broadcast that starts soon after the last one ended is part of a
	// burst: its messages are not written at once, but with what piles up
	// for each connection, in one system call (engine.Message.Queued).
	// Apart from a burst, the engine writes a message at once when the
	// connection has had none for a while (a chat room's pace), and holds
	// it for a few milliseconds otherwise.
	if time.Since(broadcastClock)-time.Duration(srv.lastBroadcast.Load()) < burstGap {
		for i := range msgs {
			msgs[i] = msgs[i].Queued()
		}
	}
	defer func() { srv.lastBroadcast.Store(int64(time.Since(broadcastClock))) }()
	// Only the namespace's lock is taken inside Select's callback, never
	// the adapter's, and a send never blocks.
	l.n.adapter.Select(opts, func(id string) {
		if s := l.n.Socket(id); s != nil {
			_, _ = s.conn.sendEncoded(p, msgs, opts.Flags.Volatile)
		}
	})
}

// BroadcastWithAck sends p, with an ack id of this node's, to the sockets of this
// node that opts selects, then calls onCount once with the number it was
// sent to, and onAck with the first argument of each acknowledgement.
// A socket that disconnects before it answers is taken back with
// onCount(-1). onAck and onCount must not block: they run on the goroutine
// that reads the socket's connection. A socket that waits for too many acknowledgements already
// (Config.MaxPendingAcks) is not sent the packet. The acknowledgements are
// forgotten after opts.Flags.Timeout, when it is set.
func (l Local) BroadcastWithAck(p *parser.Packet, opts BroadcastOptions, onCount func(int), onAck func(any)) {
	// Each node numbers the acknowledgements of its own sockets, as in
	// Node, whose adapter does not send the id with the request.
	q := *p
	q.HasID, q.ID = true, l.n.nextAckID()
	p = &q
	msgs := encodeShared(p)
	sent := 0
	for _, s := range l.sockets(opts) {
		// Answers are passed on from the goroutine that reads them, not
		// through the socket's handler queue, which may be the very handler
		// that waits for them.
		pa := &pendingAck{direct: func(r ackResult) {
			switch {
			case r.err == nil:
				var first any
				if len(r.args) > 0 {
					first = r.args[0]
				}
				onAck(first)
			case errors.Is(r.err, ErrDisconnected):
				onCount(-1)
			}
		}}
		if s.addAck(p.ID, pa, opts.Flags.Timeout) != nil {
			continue
		}
		if ok, _ := s.conn.sendEncoded(p, msgs, opts.Flags.Volatile); ok || s.takeAck(p.ID) == nil {
			// Sent; or the socket disconnected meanwhile and has handed
			// its error to pa, which takes it back.
			sent++
		}
	}
	onCount(sent)
}

// FetchSockets returns the sockets of this node that opts selects.
func (l Local) FetchSockets(opts BroadcastOptions) []*RemoteSocket {
	socks := l.sockets(opts)
	out := make([]*RemoteSocket, len(socks))
	for i, s := range socks {
		out[i] = &RemoteSocket{ID: s.id, Handshake: s.Handshake(), Rooms: s.Rooms(), Data: s.Data(), nsp: l.n, local: s}
	}
	return out
}

// AddSockets puts the sockets of this node that opts selects into rooms.
func (l Local) AddSockets(opts BroadcastOptions, rooms []string) {
	for _, s := range l.sockets(opts) {
		s.Join(rooms...)
	}
}

// DelSockets takes the sockets of this node that opts selects out of rooms.
func (l Local) DelSockets(opts BroadcastOptions, rooms []string) {
	for _, s := range l.sockets(opts) {
		for _, r := range rooms {
			s.Leave(r)
		}
	}
}

// DisconnectSockets disconnects the sockets of this node that opts selects;
// with close set, their whole connections are closed.
func (l Local) DisconnectSockets(opts BroadcastOptions, close bool) {
	for _, s := range l.sockets(opts) {
		if close {
			s.CloseConnection()
		} else {
			s.Disconnect()
		}
	}
}

// ServerSideEmit runs this node's handlers of event (OnServerSideEmit) with
// args, on the calling goroutine. ack is nil when the sending node waits
// for no answer; otherwise the first handler that answers is the one
// passed on, as in Node. It reports whether a handler exists.
func (l Local) ServerSideEmit(event string, args []any, ack func(arg any)) bool {
	l.n.mu.RLock()
	handlers := append([]ServerSideHandler(nil), l.n.serverSide[event]...)
	l.n.mu.RUnlock()
	if ack != nil {
		var once sync.Once
		inner := ack
		ack = func(arg any) { once.Do(func() { inner(arg) }) }
	}
	for _, h := range handlers {
		h(args, ack)
	}
	return len(handlers) > 0
}

// ServerSideHandler handles an event another node of the cluster sent with
// ServerSideEmit. args are the event's arguments as JSON would decode them
// (float64, string, bool, nil, []any, map[string]any). ack is nil unless
// the sender waits for an answer; then the first call is passed back and
// later ones are ignored. It runs on the adapter's goroutine: hand long work
// to a goroutine of its own.
type ServerSideHandler func(args []any, ack func(arg any))

// OnServerSideEmit adds a handler for an event the other nodes send with
// ServerSideEmit (io.on in Node, for server-side events).
func (n *Namespace) OnServerSideEmit(event string, fn ServerSideHandler) {
	n.mu.Lock()
	if n.serverSide == nil {
		n.serverSide = make(map[string][]ServerSideHandler)
	}
	n.serverSide[event] = append(n.serverSide[event], fn)
	n.mu.Unlock()
}

// ServerSideEmit sends an event to the handlers (OnServerSideEmit) of the
// other nodes of the cluster; this node's handlers do not run. Arguments
// travel as JSON. With the memory adapter there are no other nodes.
func (n *Namespace) ServerSideEmit(event string, args ...any) error {
	if parser.IsReservedEvent(event) {
		return errReserved(event)
	}
	_, err := n.adapter.ServerSideEmit(context.Background(), event, args, false)
	return err
}

// ServerSideEmitWithAck sends an event to the other nodes as ServerSideEmit
// does, and waits for each node's answer (the ack of its handler). It
// returns the answers in the order they came; when a node does not answer
// within the adapter's limit (requestsTimeout) or ctx ends, it returns the
// answers that came with an error.
func (n *Namespace) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	if parser.IsReservedEvent(event) {
		return nil, errReserved(event)
	}
	return n.adapter.ServerSideEmit(ctx, event, args, true)
}

// ServerCount returns the number of nodes of the cluster, this one
// included: 1 with the memory adapter.
func (n *Namespace) ServerCount(ctx context.Context) (int, error) {
	return n.adapter.ServerCount(ctx)
}

// RemoteSocket is a socket FetchRemoteSockets found, on this node or
// another: what Node calls a RemoteSocket. Its fields are a snapshot taken
// when it was fetched; its methods act on the socket wherever it is, through
// the adapter. Methods may be called from any goroutine.
type RemoteSocket struct {
	// ID is the socket's id.
	ID string
	// Handshake is what the client sent when it connected. For a socket of
	// another node, Headers and Query hold one value per name, and RawAuth
	// is Auth encoded again.
	Handshake *Handshake
	// Rooms are the rooms the socket was in, its own id included.
	Rooms []string
	// Data is the socket's application data (Socket.SetData); for a socket
	// of another node, as JSON decodes it.
	Data any

	nsp   *Namespace
	local *Socket
}

// NewRemoteSocket makes the value that stands for a socket of another node
// of namespace n: adapters call it when they decode another node's answer.
func NewRemoteSocket(n *Namespace, id string, hs *Handshake, rooms []string, data any) *RemoteSocket {
	return &RemoteSocket{ID: id, Handshake: hs, Rooms: rooms, Data: data, nsp: n}
}

// Socket returns the socket when it is on this node, nil otherwise.
func (r *RemoteSocket) Socket() *Socket { return r.local }

// Emit sends an event to the socket, wherever it is.
func (r *RemoteSocket) Emit(event string, args ...any) error {
	return r.nsp.To(r.ID).Emit(event, args...)
}

// Join puts the socket into rooms: at once on this node, shortly after on
// another one.
func (r *RemoteSocket) Join(rooms ...string) error {
	if r.local != nil {
		r.local.Join(rooms...)
		return nil
	}
	return r.nsp.In(r.ID).SocketsJoin(rooms...)
}

// Leave takes the socket out of rooms, as Join puts it in.
func (r *RemoteSocket) Leave(rooms ...string) error {
	if r.local != nil {
		for _, room := range rooms {
			r.local.Leave(room)
		}
		return nil
	}
	return r.nsp.In(r.ID).SocketsLeave(rooms...)
}

// Disconnect disconnects the socket from its namespace; with close set,
// its whole connection is closed.
func (r *RemoteSocket) Disconnect(close bool) error {
	if r.local != nil {
		if close {
			r.local.CloseConnection()
		} else {
			r.local.Disconnect()
		}
		return nil
	}
	if close {
		return r.nsp.In(r.ID).CloseSockets()
	}
	return r.nsp.In(r.ID).DisconnectSockets()
}

func errReserved(event string) error { return fmt.Errorf("%w: %q", ErrReservedEvent, event) }
