package inspector

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/sioworkbook/workbook/sio/parser"
)

// sioFields is what the inspector keeps of a Socket.IO packet.
type sioFields struct {
	typ         parser.Type
	nsp         string
	event       string // EVENT/BINARY_EVENT name; hasEvent says whether there is one
	hasEvent    bool
	hasID       bool
	id          int64
	args        []byte // JSON, nil when none
	attachments int    // announced by BINARY_EVENT/BINARY_ACK
}

// decodeSIO reads the Socket.IO packet carried by the text of an Engine.IO
// message (what follows the "4"). It is lenient where sio/parser's Decoder
// is strict, since a recording must keep what went over the wire, valid or
// not: the header (type, attachment count, namespace, ack id) is read as
// socket.io-parser reads it, and the payload is kept only when it is valid
// JSON. ok is false when data does not start with a packet type 0..6.
//
// Unlike parser.Decoder, it returns the header of a BINARY_EVENT or
// BINARY_ACK at once (the writer counts the attachments that follow);
// sio/parser splits event arrays.
func decodeSIO(data []byte) (f sioFields, ok bool) {
	if len(data) == 0 || data[0] < '0' || data[0] > '6' {
		return f, false
	}
	f.typ = parser.Type(data[0] - '0')
	i := 1
	if f.typ.IsBinary() {
		j := i
		n := 0
		for j < len(data) && isDigit(data[j]) {
			if n < 1<<20 {
				n = n*10 + int(data[j]-'0')
			}
			j++
		}
		if j < len(data) && data[j] == '-' && j > i {
			f.attachments = n
			i = j + 1
		}
	}
	f.nsp = "/"
	if i < len(data) && data[i] == '/' {
		j := bytes.IndexByte(data[i:], ',')
		if j < 0 {
			f.nsp = string(data[i:])
			i = len(data)
		} else {
			f.nsp = string(data[i : i+j])
			i += j + 1
		}
	}
	if i < len(data) && isDigit(data[i]) {
		var id uint64
		overflow := false
		for ; i < len(data) && isDigit(data[i]); i++ {
			v := uint64(data[i] - '0')
			if id > (math.MaxInt64-v)/10 {
				overflow = true
			}
			id = id*10 + v
		}
		if !overflow {
			f.hasID, f.id = true, int64(id)
		}
	}
	payload := data[i:]
	if len(payload) == 0 {
		return f, true
	}
	switch f.typ {
	case parser.Event, parser.BinaryEvent:
		elems, err := parser.SplitArray(payload)
		if err != nil {
			if json.Valid(payload) {
				f.args = payload
			}
			return f, true
		}
		if len(elems) > 0 {
			f.hasEvent = true
			if e := elems[0]; e[0] == '"' {
				if bytes.IndexByte(e, '\\') < 0 {
					f.event = string(e[1 : len(e)-1]) // no escapes: the bytes are the name
				} else {
					var name string
					if json.Unmarshal(e, &name) == nil {
						f.event = name
					}
				}
			} else {
				f.event = string(elems[0]) // a number, as socket.io allows
			}
			elems = elems[1:]
		}
		f.args = joinArray(elems)
	default:
		if json.Valid(payload) {
			f.args = bytes.TrimSpace(payload)
		}
	}
	return f, true
}

// joinArray writes elems as one JSON array.
func joinArray(elems []json.RawMessage) []byte {
	n := 2
	for _, e := range elems {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
