package parser

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Type is the type of a Socket.IO packet: the first character of its text form.
type Type uint8

// The seven packet types of Socket.IO protocol v5.
const (
	Connect      Type = iota // CONNECT: join a namespace; the payload is the auth object or the server's {"sid":…}
	Disconnect               // DISCONNECT: leave a namespace; no payload
	Event                    // EVENT: ["name", args...]
	Ack                      // ACK: [args...] answering an event that carried an id
	ConnectError             // CONNECT_ERROR: {"message":…,"data"?:…} refusing a CONNECT
	BinaryEvent              // BINARY_EVENT: an Event whose arguments hold binary attachments
	BinaryAck                // BINARY_ACK: an Ack whose arguments hold binary attachments
)

var typeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the name socket.io uses for t, such as "EVENT" or "BINARY_ACK",
// or "Type(n)" for a value outside the seven types.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// IsBinary reports whether t is BinaryEvent or BinaryAck, the types that carry
// an attachment count and are followed by binary messages.
func (t Type) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// Packet is one decoded or to-be-encoded Socket.IO packet.
//
// A Packet returned by a Decoder refers to the bytes it was decoded from (Data
// and Attachments are not copied); it is owned by the caller.
type Packet struct {
	// Type is the packet type. A BinaryEvent or BinaryAck has at least one
	// attachment; an Event or Ack has none.
	Type Type

	// Namespace is the namespace the packet belongs to, "/" when absent on the
	// wire. AppendText treats "" like "/". Any other namespace must start with
	// "/" and must not contain a comma, which ends it on the wire; AppendText
	// does not check this.
	Namespace string

	// HasID reports whether the packet carries an ack id, and ID is that id.
	HasID bool
	ID    uint64

	// Data is the JSON payload as it is on the wire, placeholders included, or
	// nil when the packet has none. Use SplitArray, Unmarshal and Value to read
	// it.
	Data json.RawMessage

	// Attachments holds the binary attachments of a BinaryEvent or BinaryAck,
	// in placeholder order: placeholder {"_placeholder":true,"num":k} stands
	// for Attachments[k].
	Attachments [][]byte
}

// DefaultMaxAttachments is the number of binary attachments a Decoder accepts
// in one packet when its MaxAttachments is zero. It is the default of the
// official socket.io-parser since 4.2.6.
const DefaultMaxAttachments = 10

// Errors returned by the Decoder, and by MarshalEvent for a reserved name.
// Decoder errors wrap one of these with details; test them with errors.Is. The
// server must close the connection on any of them.
var (
	// ErrUnknownType: the text packet does not start with a digit 0 to 6.
	ErrUnknownType = errors.New("parser: unknown packet type")
	// ErrIllegalAttachments: the attachment count of a binary packet is not a
	// positive integer followed by "-", or its placeholders do not number the
	// attachments 0..n-1 exactly once each.
	ErrIllegalAttachments = errors.New("parser: illegal attachments")
	// ErrTooManyAttachments: a binary packet announces more attachments than
	// Decoder.MaxAttachments.
	ErrTooManyAttachments = errors.New("parser: too many attachments")
	// ErrInvalidAckID: the ack id does not fit in a uint64.
	ErrInvalidAckID = errors.New("parser: invalid ack id")
	// ErrInvalidPayload: the payload is not valid JSON, or not of the shape
	// its packet type requires (see Decoder.Decode). SplitArray, Unmarshal
	// and Value wrap it too when their input is not valid JSON.
	ErrInvalidPayload = errors.New("parser: invalid payload")
	// ErrReservedEvent: an event is named connect, connect_error, disconnect,
	// disconnecting, newListener or removeListener. Returned by Decoder.Decode
	// and MarshalEvent.
	ErrReservedEvent = errors.New("parser: reserved event name")
	// ErrUnexpectedText: a text packet arrived while the attachments of a
	// binary packet were still expected.
	ErrUnexpectedText = errors.New("parser: got plaintext data when reconstructing a packet")
	// ErrUnexpectedBinary: binary data arrived while no packet expected it.
	ErrUnexpectedBinary = errors.New("parser: got binary data when not reconstructing a packet")
)

// IsReservedEvent reports whether name is one of the event names Socket.IO
// keeps for itself: connect, connect_error, disconnect, disconnecting,
// newListener and removeListener.
func IsReservedEvent(name string) bool {
	switch name {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}

// isReservedBytes is IsReservedEvent for a name given as bytes, without
// allocating.
func isReservedBytes(name []byte) bool {
	switch string(name) {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}

// AppendText appends the text form of p to dst and returns the extended
// buffer: "<type>[<n>-][<nsp>,][<id>][<data>]", where n = len(p.Attachments)
// is written only for BinaryEvent and BinaryAck, the namespace only when it is
// not "/", and the id only when p.HasID. p.Data is copied as is.
//
// The attachments themselves are not written: send them after the text, one
// binary message each, in order. AppendText allocates only to grow dst.
//
// AppendText does not validate p: a Type outside the seven types, a
// namespace with a comma or not starting with "/", a binary type without
// attachments, or Data that is not valid for the type produce text that a
// Decoder rejects.
func AppendText(dst []byte, p *Packet) []byte {
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.IsBinary() {
		dst = strconv.AppendUint(dst, uint64(len(p.Attachments)), 10)
		dst = append(dst, '-')
	}
	if p.Namespace != "" && p.Namespace != "/" {
		dst = append(dst, p.Namespace...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...)
}
