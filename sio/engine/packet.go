package engine

import (
	"bytes"
	"encoding/base64"
	"strconv"
)

// PacketType is the kind of an Engine.IO packet: the digit that starts every
// text packet on the wire.
type PacketType byte

// The seven Engine.IO v4 packet types.
const (
	PacketOpen    PacketType = iota // server → client: the handshake JSON
	PacketClose                     // either side ends the session
	PacketPing                      // server → client heartbeat; "2probe" from the client on a new WebSocket
	PacketPong                      // client → server heartbeat answer; "3probe" from the server
	PacketMessage                   // application data, text or binary
	PacketUpgrade                   // client → server on the new WebSocket: completes the switch
	PacketNoop                      // server → client on polling, to end a pending GET
)

var packetTypeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the name the official implementation uses for t: "open",
// "close", "ping", "pong", "message", "upgrade" or "noop".
func (t PacketType) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return "unknown(" + strconv.Itoa(int(t)) + ")"
}

// Packet is one Engine.IO packet.
type Packet struct {
	Type PacketType
	// Data is what follows the type digit ("probe" for "2probe", the JSON of
	// an open packet, the text of a message), or the raw bytes of a binary
	// message.
	Data []byte
	// Binary marks a binary message. It is only meaningful when Type is
	// Message.
	Binary bool

	frame []byte // the WebSocket frame Message.Prepared built, shared
	// observed: the observer was told of it by writeNow, whose write did
	// not take it, so the writer does not tell it again
	observed bool
}

// recordSeparator joins the packets of a polling payload.
const recordSeparator = 0x1e

// DecodePacket decodes one WebSocket frame, or one record of a polling
// payload that is not base64 ("b…"). binary says the frame was a binary
// WebSocket frame: its bytes are then the data of a binary message.
//
// The returned Data aliases frame; nothing is copied. DecodePacket returns
// ErrEmptyPacket for an empty text frame and ErrUnknownPacketType when the
// first byte is not a digit from 0 to 6.
func DecodePacket(frame []byte, binary bool) (Packet, error) {
	if binary {
		return Packet{Type: PacketMessage, Data: frame, Binary: true}, nil
	}
	if len(frame) == 0 {
		return Packet{}, ErrEmptyPacket
	}
	t := frame[0] - '0'
	if t > byte(PacketNoop) {
		return Packet{}, ErrUnknownPacketType
	}
	return Packet{Type: PacketType(t), Data: frame[1:]}, nil
}

// AppendPacket appends the WebSocket form of p to dst and returns the
// extended slice: "<digit><data>" for a text packet, the raw data for a
// binary message.
func AppendPacket(dst []byte, p Packet) []byte {
	if p.Binary {
		return append(dst, p.Data...)
	}
	dst = append(dst, '0'+byte(p.Type))
	return append(dst, p.Data...)
}

// DecodePayload decodes a polling payload: packets joined by the record
// separator 0x1e, binary messages written as "b" followed by base64 (padded
// or not). Text packets alias body; binary ones are freshly decoded.
//
// On a malformed record DecodePayload returns the packets before it together
// with the error (ErrEmptyPacket, ErrUnknownPacketType or ErrInvalidBase64),
// so a caller can act on them as the official server does.
func DecodePayload(body []byte) ([]Packet, error) {
	n := bytes.Count(body, []byte{recordSeparator}) + 1
	ps := make([]Packet, 0, n)
	for {
		rec := body
		i := bytes.IndexByte(body, recordSeparator)
		if i >= 0 {
			rec, body = body[:i:i], body[i+1:] // capped: appending to one packet never reaches the next
		}
		p, err := decodeRecord(rec)
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
		if i < 0 {
			return ps, nil
		}
	}
}

func decodeRecord(rec []byte) (Packet, error) {
	if len(rec) == 0 || rec[0] != 'b' {
		return DecodePacket(rec, false)
	}
	return decodeBase64(rec[1:])
}

// decodeBase64 decodes the base64 (padded or not) of a binary message.
func decodeBase64(b64 []byte) (Packet, error) {
	for len(b64) > 0 && b64[len(b64)-1] == '=' {
		b64 = b64[:len(b64)-1]
	}
	data := make([]byte, base64.RawStdEncoding.DecodedLen(len(b64)))
	n, err := base64.RawStdEncoding.Decode(data, b64)
	if err != nil {
		return Packet{}, ErrInvalidBase64
	}
	return Packet{Type: PacketMessage, Data: data[:n], Binary: true}, nil
}

// AppendPayload appends the polling form of ps to dst and returns the
// extended slice. Binary messages are written as "b" + padded base64. Text
// data must not contain the record separator 0x1e.
func AppendPayload(dst []byte, ps []Packet) []byte {
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, recordSeparator)
		}
		if p.Binary {
			dst = append(dst, 'b')
			dst = base64.StdEncoding.AppendEncode(dst, p.Data)
			continue
		}
		dst = append(dst, '0'+byte(p.Type))
		dst = append(dst, p.Data...)
	}
	return dst
}

// payloadLen is the length AppendPayload will produce for ps.
func payloadLen(ps []Packet) int {
	n := 0
	for i, p := range ps {
		if i > 0 {
			n++
		}
		if p.Binary {
			n += 1 + base64.StdEncoding.EncodedLen(len(p.Data))
		} else {
			n += 1 + len(p.Data)
		}
	}
	return n
}
