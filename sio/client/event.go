package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/sioworkbook/workbook/sio/internal/eventargs"
	"github.com/sioworkbook/workbook/sio/parser"
)

// EventHandler handles one event received by a Socket.
//
// The handlers of one Manager (event handlers, OnAny handlers, OnConnect,
// OnConnectError and OnDisconnect handlers, AckFuncs and the Manager's own
// callbacks) run one at a time, in the order things happened, on a goroutine
// of the Manager's own (never the one reading the network), so a handler may
// block, for instance in EmitWithAck. The Event may be kept after the
// handler returns. A panic in a handler is recovered and logged; the client
// goes on.
type EventHandler func(e *Event)

// Event is one event received from the server: its name, its arguments
// and, when the server asked for one, the means to acknowledge it. It has
// the methods of the server's sio.Event.
type Event struct {
	// Socket is the socket that received the event.
	Socket *Socket
	// Name is the event name.
	Name string

	args   *eventargs.Args
	hasAck bool
	ackID  uint64
	epoch  uint64 // the socket's connection the event came on

	ackMu   sync.Mutex
	ackSent bool
}

// ErrNoAck is returned by Event.Ack when the server did not ask for an
// acknowledgement.
var ErrNoAck = errors.New("client: the server did not ask for an acknowledgement")

// ErrAckSent is returned by Event.Ack when the event was acknowledged
// already.
var ErrAckSent = errors.New("client: event already acknowledged")

// newEvent builds the Event of an EVENT or BINARY_EVENT packet.
func newEvent(s *Socket, p *parser.Packet) (*Event, error) {
	name, args, err := eventargs.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return &Event{Socket: s, Name: name, args: args, hasAck: p.HasID, ackID: p.ID}, nil
}

func decodeArgs(raw []json.RawMessage, attachments [][]byte) []any {
	return eventargs.Values(raw, attachments)
}

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
		return fmt.Errorf("client: argument %d of %q: %w", i, e.Name, err)
	}
	return nil
}

// Raw returns the arguments as JSON text, with binary attachments left as
// placeholders. The slices must not be modified.
func (e *Event) Raw() []json.RawMessage { return e.args.Raw() }

// HasBinary reports whether the event carried binary attachments.
func (e *Event) HasBinary() bool { return e.args.HasBinary() }

// HasAck reports whether the server asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack answers the server's acknowledgement with args ([]byte values allowed
// anywhere). It may be called once, from any goroutine; it returns ErrNoAck
// when no acknowledgement was asked for, ErrAckSent the second time, and
// ErrDisconnected when the socket has disconnected since.
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
	return e.Socket.sendAck(e.epoch, e.ackID, args)
}
