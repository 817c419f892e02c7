package sio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// BroadcastOperator sends to a selection of the sockets of a namespace:
// those in some rooms, except those in others. Each method that narrows the
// selection returns a new operator, so operators can be kept and reused:
//
//	io.To("room-1").Except("muted").Emit("news", "hello")
//
// Methods may be called from any goroutine.
type BroadcastOperator struct {
	nsp      *Namespace
	rooms    []string
	except   []string
	volatile bool
	local    bool
	timeout  time.Duration
}

func (b *BroadcastOperator) clone() *BroadcastOperator {
	c := *b
	c.rooms = append([]string(nil), b.rooms...)
	c.except = append([]string(nil), b.except...)
	return &c
}

// To adds rooms to the selection: sockets in any of them are reached.
func (b *BroadcastOperator) To(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.rooms = append(c.rooms, rooms...)
	return c
}

// In is To.
func (b *BroadcastOperator) In(rooms ...string) *BroadcastOperator { return b.To(rooms...) }

// Except leaves out the sockets in rooms.
func (b *BroadcastOperator) Except(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.except = append(c.except, rooms...)
	return c
}

// Volatile drops the event for each socket that cannot take it right now.
func (b *BroadcastOperator) Volatile() *BroadcastOperator {
	c := b.clone()
	c.volatile = true
	return c
}

// Timeout sets how long EmitWithAck waits for the acknowledgements.
func (b *BroadcastOperator) Timeout(d time.Duration) *BroadcastOperator {
	c := b.clone()
	c.timeout = d
	return c
}

// Local keeps the operation on this node: the other nodes of a cluster are
// not told (io.local in Node).
func (b *BroadcastOperator) Local() *BroadcastOperator {
	c := b.clone()
	c.local = true
	return c
}

func (b *BroadcastOperator) opts() BroadcastOptions {
	return BroadcastOptions{Rooms: b.rooms, Except: b.except, Flags: BroadcastFlags{Volatile: b.volatile, Local: b.local, Timeout: b.timeout}}
}

// Emit sends an event to every selected socket, on every node. The packet
// is encoded once; every receiver's queue gets the same bytes, and a slow
// receiver never holds up the others. Acknowledgements are not possible
// here: use EmitWithAck. An error from the adapter means the other nodes
// may not have got it; this node's sockets have.
func (b *BroadcastOperator) Emit(event string, args ...any) error {
	if parser.IsReservedEvent(event) {
		return errReserved(event)
	}
	if _, fn := ackFuncOf(args); fn != nil {
		return fmt.Errorf("sio: broadcast %q: use EmitWithAck to collect acknowledgements", event)
	}
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return err
	}
	if b.local {
		b.nsp.broadcastLocal(p, b.opts())
		return nil
	}
	return b.nsp.adapter.Broadcast(context.Background(), p, b.opts())
}

// EmitWithAck sends an event to every selected socket, on every node, and
// waits for all of them to acknowledge it. It returns the first argument of
// each acknowledgement, in the order they arrived. As in Node, it is done
// when every node (ServerCount) has said how many sockets it sent the event
// to and that many have answered. It waits only for the sockets the packet
// was queued for: not for one that disconnects before, whose queue refuses
// it, or (Volatile) that drops it; a socket that waits for too many
// acknowledgements already (Config.MaxPendingAcks) is not sent the event. A
// socket of this node that disconnects while it waits gives no answer. If
// the timeout (Timeout) or ctx's deadline passes first, it returns what
// arrived so far with ErrAckTimeout; if ctx is cancelled, with ctx.Err();
// if the adapter fails, with its error.
func (b *BroadcastOperator) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	if parser.IsReservedEvent(event) {
		return nil, errReserved(event)
	}
	if b.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.timeout)
		defer cancel()
	}
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return nil, err
	}
	p.HasID, p.ID = true, b.nsp.nextAckID()
	opts := b.opts()
	if d, ok := ctx.Deadline(); ok {
		// The nodes forget the acknowledgements once nobody waits.
		opts.Flags.Timeout = time.Until(d)
	}
	g := newAckGather()
	if b.local {
		b.nsp.Local().BroadcastWithAck(p, opts, g.count, g.ack)
		g.servers(1)
	} else {
		if err := b.nsp.adapter.BroadcastWithAck(ctx, p, opts, g.count, g.ack); err != nil {
			return nil, err
		}
		n, err := b.nsp.adapter.ServerCount(ctx)
		if err != nil {
			return g.responses(), err
		}
		g.servers(n)
	}
	select {
	case <-g.done:
		return g.responses(), nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return g.responses(), ErrAckTimeout
		}
		return g.responses(), ctx.Err()
	}
}

// ackGather counts the answers of a broadcast with acknowledgements: done
// is closed once every node has given its count and every socket counted
// has answered.
type ackGather struct {
	done chan struct{}

	mu        sync.Mutex
	expected  int // nodes, -1 until known
	reported  int // nodes that gave their count
	clients   int // sockets counted, less those taken back
	answers   []any
	completed bool
}

func newAckGather() *ackGather { return &ackGather{done: make(chan struct{}), expected: -1} }

func (g *ackGather) count(n int) {
	g.mu.Lock()
	if n >= 0 {
		g.reported++
	}
	g.clients += n
	g.checkLocked()
	g.mu.Unlock()
}

func (g *ackGather) ack(arg any) {
	g.mu.Lock()
	if !g.completed {
		g.answers = append(g.answers, arg)
	}
	g.checkLocked()
	g.mu.Unlock()
}

func (g *ackGather) servers(n int) {
	g.mu.Lock()
	g.expected = n
	g.checkLocked()
	g.mu.Unlock()
}

func (g *ackGather) checkLocked() {
	if !g.completed && g.expected >= 0 && g.reported >= g.expected && len(g.answers) >= g.clients {
		g.completed = true
		close(g.done)
	}
}

func (g *ackGather) responses() []any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]any(nil), g.answers...)
}

// FetchSockets returns the selected sockets of this node. For the sockets
// of every node of a cluster, use FetchRemoteSockets.
func (b *BroadcastOperator) FetchSockets() []*Socket {
	return b.nsp.Local().sockets(b.opts())
}

// FetchRemoteSockets returns the selected sockets of every node
// (fetchSockets in Node). Sockets of this node come first when the adapter
// puts them first; RemoteSocket.Socket returns them.
func (b *BroadcastOperator) FetchRemoteSockets(ctx context.Context) ([]*RemoteSocket, error) {
	if b.local {
		return b.nsp.Local().FetchSockets(b.opts()), nil
	}
	return b.nsp.adapter.FetchSockets(ctx, b.opts())
}

// SocketsJoin puts the selected sockets, on every node, into rooms. The
// sockets of this node are in them when it returns; those of other nodes
// shortly after, as in Node.
func (b *BroadcastOperator) SocketsJoin(rooms ...string) error {
	if b.local {
		b.nsp.Local().AddSockets(b.opts(), rooms)
		return nil
	}
	return b.nsp.adapter.AddSockets(context.Background(), b.opts(), rooms)
}

// SocketsLeave takes the selected sockets, on every node, out of rooms, as
// SocketsJoin puts them in.
func (b *BroadcastOperator) SocketsLeave(rooms ...string) error {
	if b.local {
		b.nsp.Local().DelSockets(b.opts(), rooms)
		return nil
	}
	return b.nsp.adapter.DelSockets(context.Background(), b.opts(), rooms)
}

// DisconnectSockets disconnects the selected sockets, on every node, from
// the namespace ("server namespace disconnect"); their connections stay
// open for their other namespaces.
func (b *BroadcastOperator) DisconnectSockets() error { return b.disconnect(false) }

// CloseSockets disconnects the selected sockets, on every node, and closes
// their whole connections (disconnectSockets(true) in Node).
func (b *BroadcastOperator) CloseSockets() error { return b.disconnect(true) }

func (b *BroadcastOperator) disconnect(close bool) error {
	if b.local {
		b.nsp.Local().DisconnectSockets(b.opts(), close)
		return nil
	}
	return b.nsp.adapter.DisconnectSockets(context.Background(), b.opts(), close)
}
