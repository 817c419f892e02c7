package sio

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/sioworkbook/workbook/sio/parser"
)

// EventHandler handles one event received by a Socket.
//
// Handlers of one connection run one at a time, in the order their packets
// arrived, on a goroutine of the connection's own (never the one reading the
// network), so a handler may block, for instance in EmitWithAck. The Event
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

	raw         []json.RawMessage
	attachments [][]byte
	hasAck      bool
	ackID       uint64

	once   sync.Once
	args   []any
	argErr error

	ackMu   sync.Mutex
	ackSent bool
}

// ErrNoAck is returned by Event.Ack when the client did not ask for an
// acknowledgement.
var ErrNoAck = errors.New("sio: the client did not ask for an acknowledgement")

// ErrAckSent is returned by Event.Ack when the event was acknowledged already.
var ErrAckSent = errors.New("sio: event already acknowledged")

// Len returns the number of arguments.
func (e *Event) Len() int { return len(e.raw) }

// Args returns the arguments decoded as generic Go values: nil, bool,
// float64, string, []any, map[string]any, and []byte for binary attachments.
// They are decoded once, on the first call. Arguments that fail to decode
// are nil (the parser has checked the JSON, so that does not happen in
// practice).
func (e *Event) Args() []any {
	e.once.Do(func() {
		e.args = make([]any, len(e.raw))
		for i, r := range e.raw {
			v, err := parser.Value(r, e.attachments)
			if err != nil && e.argErr == nil {
				e.argErr = fmt.Errorf("sio: argument %d of %q: %w", i, e.Name, err)
			}
			e.args[i] = v
		}
	})
	return e.args
}

// Arg returns argument i as Args does, or nil when there is no such argument.
func (e *Event) Arg(i int) any {
	args := e.Args()
	if i < 0 || i >= len(args) {
		return nil
	}
	return args[i]
}

// String returns argument i if it is a string, and "" otherwise.
func (e *Event) String(i int) string {
	s, _ := e.Arg(i).(string)
	return s
}

// Bind decodes the arguments into dst, in order, as encoding/json would;
// binary attachments decode into []byte. Missing arguments leave their
// destination untouched; extra arguments are ignored. A nil destination skips
// its argument.
func (e *Event) Bind(dst ...any) error {
	for i, d := range dst {
		if d == nil || i >= len(e.raw) {
			continue
		}
		if err := parser.Unmarshal(e.raw[i], e.attachments, d); err != nil {
			return fmt.Errorf("sio: argument %d of %q: %w", i, e.Name, err)
		}
	}
	return nil
}

// Raw returns the arguments as JSON text, with binary attachments left as
// placeholders. The slices must not be modified.
func (e *Event) Raw() []json.RawMessage { return e.raw }

// HasBinary reports whether the event carried binary attachments.
func (e *Event) HasBinary() bool { return len(e.attachments) > 0 }

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
