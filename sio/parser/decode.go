package parser

import (
	"encoding/json"
	"fmt"
	"math"
)

// Decoder turns the messages of one connection into packets. It keeps the
// state of a binary packet whose attachments are still arriving; everything
// else about decoding is stateless.
//
// The zero Decoder is ready to use. A Decoder is not safe for concurrent use:
// give each connection its own and feed it messages in arrival order.
type Decoder struct {
	// MaxAttachments is the largest attachment count a binary packet may
	// announce. If zero or negative, DefaultMaxAttachments (10) is used.
	MaxAttachments int

	pending *Packet // binary packet waiting for attachments
	want    int     // attachments pending needs
	lastNsp string  // last namespace decoded, reused to avoid allocating
	phs     []phRef // scratch for placeholder checks
}

// Decode decodes one Engine.IO message: text when binary is false, a binary
// attachment when it is true.
//
// A text message starts a packet. Decode returns it at once, except for a
// BinaryEvent or BinaryAck: then Decode returns nil, nil, and the packet, with
// its Type unchanged and its Attachments filled in, is returned by the call
// that passes its last attachment.
//
// Decode keeps references to data (Packet.Data and Packet.Attachments are
// sub-slices of it, not copies): the caller hands data over and must not
// modify it afterwards.
//
// Decode rejects, with an error wrapping one of the Err values of this
// package, what socket.io-parser rejects, and a little more:
//   - a text packet that does not start with a digit 0 to 6 (ErrUnknownType);
//   - for binary types, an attachment count that is not digits followed by
//     "-", is zero, or is above MaxAttachments (ErrIllegalAttachments,
//     ErrTooManyAttachments);
//   - an ack id above the uint64 range (ErrInvalidAckID);
//   - a payload that is not exactly one JSON value, or has the wrong shape
//     (ErrInvalidPayload). CONNECT: none or an object. DISCONNECT: none.
//     EVENT, BINARY_EVENT: an array whose first element is a number or a
//     string; a reserved name gives ErrReservedEvent. ACK, BINARY_ACK: an
//     array. CONNECT_ERROR: a string, or an object with a string "message".
//     Unlike socket.io-parser, a missing payload is rejected for these five
//     types;
//   - for binary types, placeholders that do not number the announced
//     attachments exactly once each (ErrIllegalAttachments). This is checked
//     as soon as the text arrives, before the attachments;
//   - a text message while attachments are expected (ErrUnexpectedText), or
//     binary data while none are (ErrUnexpectedBinary).
//
// After an error, any partial packet is dropped and the next Decode starts
// afresh; the server should close the connection anyway.
func (d *Decoder) Decode(data []byte, binary bool) (*Packet, error) {
	if binary {
		p := d.pending
		if p == nil {
			return nil, ErrUnexpectedBinary
		}
		p.Attachments = append(p.Attachments, data)
		if len(p.Attachments) < d.want {
			return nil, nil
		}
		d.pending, d.want = nil, 0
		return p, nil
	}
	if d.pending != nil {
		d.Reset()
		return nil, ErrUnexpectedText
	}
	return d.decodeText(data)
}

// Reset drops any binary packet still waiting for attachments, so that the
// next Decode starts a new packet.
func (d *Decoder) Reset() {
	d.pending, d.want = nil, 0
}

func (d *Decoder) maxAttachments() int {
	if d.MaxAttachments <= 0 {
		return DefaultMaxAttachments
	}
	return d.MaxAttachments
}

func (d *Decoder) decodeText(data []byte) (*Packet, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty packet", ErrUnknownType)
	}
	c := data[0]
	if c < '0' || c > '6' {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, c)
	}
	t := Type(c - '0')
	i := 1

	// Attachment count.
	n := 0
	if t.IsBinary() {
		j := i
		for j < len(data) && data[j] != '-' {
			j++
		}
		if j == len(data) || j == i {
			return nil, fmt.Errorf("%w: missing count", ErrIllegalAttachments)
		}
		max := d.maxAttachments()
		for _, c := range data[i:j] {
			if !isDigit(c) {
				return nil, fmt.Errorf("%w: count %q", ErrIllegalAttachments, data[i:j])
			}
		}
		for _, c := range data[i:j] {
			// Stop as soon as n*10+digit > max, which cannot overflow.
			digit := int(c - '0')
			if max-digit < 0 || n > (max-digit)/10 {
				return nil, fmt.Errorf("%w: %s announced, at most %d", ErrTooManyAttachments, data[i:j], max)
			}
			n = n*10 + digit
		}
		if n < 1 {
			return nil, fmt.Errorf("%w: count %q", ErrIllegalAttachments, data[i:j])
		}
		i = j + 1
	}

	// Namespace: from "/" to "," or the end.
	nsp := "/"
	if i < len(data) && data[i] == '/' {
		j := i
		for j < len(data) && data[j] != ',' {
			j++
		}
		nsp = d.namespace(data[i:j])
		i = j
		if i < len(data) {
			i++ // the comma
		}
	}

	// Ack id.
	var id uint64
	hasID := false
	if i < len(data) && isDigit(data[i]) {
		hasID = true
		for ; i < len(data) && isDigit(data[i]); i++ {
			v := uint64(data[i] - '0')
			if id > (math.MaxUint64-v)/10 {
				return nil, fmt.Errorf("%w: overflows uint64", ErrInvalidAckID)
			}
			id = id*10 + v
		}
	}

	// Payload.
	var payload json.RawMessage
	if i < len(data) {
		payload = data[i:len(data):len(data)]
		if err := d.checkPayload(t, payload, n); err != nil {
			return nil, err
		}
	} else if t != Connect && t != Disconnect {
		return nil, fmt.Errorf("%w: %v packet without payload", ErrInvalidPayload, t)
	}

	p := &Packet{Type: t, Namespace: nsp, HasID: hasID, ID: id, Data: payload}
	if n > 0 {
		p.Attachments = make([][]byte, 0, n)
		d.pending, d.want = p, n
		return nil, nil
	}
	return p, nil
}

// namespace returns b as a string, reusing the last namespace when it is the
// same, which it nearly always is.
func (d *Decoder) namespace(b []byte) string {
	if string(b) != d.lastNsp {
		d.lastNsp = string(b)
	}
	return d.lastNsp
}

// checkPayload validates the JSON payload of a packet of type t announcing n
// attachments.
func (d *Decoder) checkPayload(t Type, payload []byte, n int) error {
	s := scanner{data: payload, collect: n > 0, phs: d.phs[:0]}
	start, err := s.scanAll()
	if cap(s.phs) <= 64 {
		d.phs = s.phs[:0]
	}
	if se, ok := err.(*syntaxError); ok {
		return fmt.Errorf("%w: %s", ErrInvalidPayload, se.detail())
	} else if err != nil {
		return err
	}
	first := payload[start]
	ok := false
	switch t {
	case Connect:
		ok = first == '{'
	case Disconnect:
		ok = false
	case Event, BinaryEvent:
		if first != '[' {
			break
		}
		if err := checkEventName(payload, start); err != nil {
			return err
		}
		ok = true
	case Ack, BinaryAck:
		ok = first == '['
	case ConnectError:
		ok = first == '"' || (first == '{' && hasStringMessage(payload, start))
	}
	if !ok {
		return fmt.Errorf("%w: not valid for %v", ErrInvalidPayload, t)
	}
	if n > 0 {
		return checkPlaceholders(s.phs, n)
	}
	return nil
}

// checkEventName checks the first element of the valid JSON array starting at
// payload[start]: a number, or a string that is not a reserved name.
func checkEventName(payload []byte, start int) error {
	s := scanner{data: payload}
	i := s.skipWS(start + 1)
	c := payload[i]
	switch {
	case c == '-' || isDigit(c):
		return nil
	case c == '"':
		end, escaped, _ := s.str(i)
		if !escaped {
			if isReservedBytes(payload[i+1 : end-1]) {
				return fmt.Errorf("%w: %q", ErrReservedEvent, payload[i+1:end-1])
			}
			return nil
		}
		if name := unquote(payload[i:end]); IsReservedEvent(name) {
			return fmt.Errorf("%w: %q", ErrReservedEvent, name)
		}
		return nil
	}
	return fmt.Errorf("%w: event name must be a string or a number", ErrInvalidPayload)
}

// hasStringMessage reports whether the valid JSON object starting at
// payload[start] has a "message" member whose value is a string. With
// duplicate keys the last one counts, as in JavaScript.
func hasStringMessage(payload []byte, start int) bool {
	s := scanner{data: payload}
	v, ok := s.member(start, "message")
	return ok && payload[v] == '"'
}

// checkPlaceholders checks that phs number the attachments 0..n-1 exactly
// once each.
func checkPlaceholders(phs []phRef, n int) error {
	if len(phs) != n {
		return fmt.Errorf("%w: %d placeholders for %d attachments", ErrIllegalAttachments, len(phs), n)
	}
	var small uint64
	var seen []bool
	if n > 64 {
		seen = make([]bool, n)
	}
	for _, ph := range phs {
		if ph.num < 0 || ph.num >= n {
			return fmt.Errorf("%w: placeholder number out of range", ErrIllegalAttachments)
		}
		if seen != nil {
			if seen[ph.num] {
				return fmt.Errorf("%w: placeholder %d used twice", ErrIllegalAttachments, ph.num)
			}
			seen[ph.num] = true
			continue
		}
		bit := uint64(1) << uint(ph.num)
		if small&bit != 0 {
			return fmt.Errorf("%w: placeholder %d used twice", ErrIllegalAttachments, ph.num)
		}
		small |= bit
	}
	return nil
}
