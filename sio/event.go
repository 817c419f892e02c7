package sio

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/sioworkbook/workbook/sio/internal/eventargs"
)

// EventHandler handles one event received by a Socket.
//
// Handlers of one connection run one at a time, in the order their packets
// arrived, on a goroutine of the connection's own (never the one reading the
// network), so a handler may block, for instance in EmitWithAck; while it
// does, the connection's next events wait (up to Config.MaxQueuedEvents),
// so give it a way out: Socket.Context ends when the socket does. The Event
// may be kept after the handler returns. A panic in a handler is recovered
// and logged; the connection goes on.
type EventHandler func(e *Event)

// Event is one event received from a client: its name, its arguments and,
// when the client asked for one, the means to acknowledge it.
type Event struct {
	// Socket is the socket that received the event.
	Socket *Socket
	// Name is the event name.
	Name string

	args   *eventargs.Args
	hasAck bool
	ackID  uint64

	ackMu   sync.Mutex
	ackSent bool
}

// ErrNoAck is returned by Event.Ack when the client did not ask for an
// acknowledgement.
var ErrNoAck = errors.New("sio: the client did not ask for an acknowledgement")

// ErrAckSent is returned by Event.Ack when the event was acknowledged already.
var ErrAckSent = errors.New("sio: event already acknowledged")

// Len returns the number of arguments.
func (e *Event) Len() int { return e.args.Len() }

// Args returns the arguments decoded as generic Go values: nil, bool,
// float64, string, []any, map[string]any, and []byte for binary
// attachments. They are decoded once, on the first call.
func (e *Event) Args() []any { return e.args.Values() }

// Arg returns argument i as Args does, or nil when there is no such argument.
func (e *Event) Arg(i int) any { return e.args.At(i) }

// String returns argument i if it is a string, and "" otherwise.
func (e *Event) String(i int) string {
	s, _ := e.args.At(i).(string)
	return s
}

// Bind decodes the arguments into dst, in order, as encoding/json would;
// binary attachments decode into []byte. Missing arguments leave their
// destination untouched; extra arguments are ignored. A nil destination
// skips its argument.
func (e *Event) Bind(dst ...any) error {
	if i, err := e.args.Bind(dst...); err != nil {
		return fmt.Errorf("sio: argument %d of %q: %w", i, e.Name, err)
	}
	return nil
}

// Raw returns the arguments as JSON text, with binary attachments left as
// placeholders. The slices must not be modified.
func (e *Event) Raw() []json.RawMessage { return e.args.Raw() }

// HasBinary reports whether the event carried binary attachments.
func (e *Event) HasBinary() bool { return e.args.HasBinary() }

// HasAck reports whether the client asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack answers the client's acknowledgement with args (binary []byte values
// allowed anywhere). It may be called once, from any goroutine; it returns
// ErrNoAck when no acknowledgement was asked for, and ErrAckSent the second
// time.
func (e *Event) Ack(args ...any) error {
	if !e.hasAck {
		return ErrNoAck
	}
	e.ackMu.Lock()
	if e.ackSent {
		e.ackMu.Unlock()
		return ErrAckSent
	}
	e.ackSent = true
	e.ackMu.Unlock()
	return e.Socket.sendAck(e.ackID, args)
}
