package sio

import (
	"context"
	"errors"
	"fmt"
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

func (b *BroadcastOperator) opts() BroadcastOptions {
	return BroadcastOptions{Rooms: b.rooms, Except: b.except}
}

// each calls fn for every connected socket the operator selects.
func (b *BroadcastOperator) each(fn func(s *Socket)) {
	b.nsp.adapter.Select(b.opts(), func(id string) {
		if s := b.nsp.Socket(id); s != nil {
			fn(s)
		}
	})
}

// Emit sends an event to every selected socket. The packet is encoded once;
// every receiver's queue gets the same bytes, and a slow receiver never holds
// up the others. Acknowledgements are not possible here: use EmitWithAck.
func (b *BroadcastOperator) Emit(event string, args ...any) error {
	if parser.IsReservedEvent(event) {
		return fmt.Errorf("%w: %q", ErrReservedEvent, event)
	}
	if _, fn := ackFuncOf(args); fn != nil {
		return fmt.Errorf("sio: broadcast %q: use EmitWithAck to collect acknowledgements", event)
	}
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return err
	}
	msgs := encode(p)
	b.each(func(s *Socket) { _, _ = s.conn.sendEncoded(p, msgs, b.volatile) })
	return nil
}

// EmitWithAck sends an event to every selected socket and waits for all of
// them to acknowledge it. It returns the first argument of each
// acknowledgement, in the order they arrived. It waits only for the sockets
// the packet was queued for: not for one that disconnects before, whose
// queue refuses it, or (Volatile) that drops it; a socket that waits for too
// many acknowledgements already (Config.MaxPendingAcks) is not sent the
// event. A socket that disconnects while it waits gives no answer. If the timeout (Timeout) or ctx's
// deadline passes first, it returns what arrived so far with ErrAckTimeout;
// if ctx is cancelled, with ctx.Err().
func (b *BroadcastOperator) EmitWithAck(ctx context.Context, event string, args ...any) ([]any, error) {
	if parser.IsReservedEvent(event) {
		return nil, fmt.Errorf("%w: %q", ErrReservedEvent, event)
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
	msgs := encode(p)

	// Every receiver's acknowledgement lands on one channel with room for all
	// of them, so delivering one never blocks the reading goroutine.
	// Only the sockets the packet was queued for are waited for: not those
	// that disconnected meanwhile, failed to queue it, or dropped it
	// (volatile).
	targets := b.FetchSockets()
	results := make(chan ackResult, len(targets))
	expected := 0
	for _, s := range targets {
		if s.addAck(p.ID, &pendingAck{ch: results}, 0) != nil {
			continue
		}
		if sent, _ := s.conn.sendEncoded(p, msgs, b.volatile); sent {
			expected++
		} else {
			s.takeAck(p.ID)
		}
	}
	defer func() {
		for _, s := range targets {
			s.takeAck(p.ID)
		}
	}()
	var responses []any
	for got := 0; got < expected; got++ {
		select {
		case r := <-results:
			if r.err == nil {
				var first any
				if len(r.args) > 0 {
					first = r.args[0]
				}
				responses = append(responses, first)
			}
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return responses, ErrAckTimeout
			}
			return responses, ctx.Err()
		}
	}
	return responses, nil
}

// FetchSockets returns the selected sockets.
func (b *BroadcastOperator) FetchSockets() []*Socket {
	var out []*Socket
	b.each(func(s *Socket) { out = append(out, s) })
	return out
}

// SocketsJoin puts the selected sockets into rooms.
func (b *BroadcastOperator) SocketsJoin(rooms ...string) {
	b.each(func(s *Socket) { s.Join(rooms...) })
}

// SocketsLeave takes the selected sockets out of rooms.
func (b *BroadcastOperator) SocketsLeave(rooms ...string) {
	b.each(func(s *Socket) {
		for _, r := range rooms {
			s.Leave(r)
		}
	})
}

// DisconnectSockets disconnects the selected sockets (see Socket.Disconnect),
// and with close set closes their connections (Socket.CloseConnection).
func (b *BroadcastOperator) DisconnectSockets(close bool) {
	for _, s := range b.FetchSockets() {
		if close {
			s.CloseConnection()
		} else {
			s.Disconnect()
		}
	}
}
