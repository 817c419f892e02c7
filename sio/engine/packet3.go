package engine

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// The Engine.IO v3 wire format, spoken by socket.io-client 2.x (see
// Config.AllowEIO3). Its packets are those of v4; what differs is how they
// are framed:
//
//   - A binary message on a WebSocket is a binary frame that starts with
//     the packet type byte (0x04), then the data.
//   - A text polling payload is "<len>:<packet>" repeated, len counting the
//     packet's UTF-16 code units, with binary messages as "b4" + base64.
//   - A binary polling payload (application/octet-stream) is, per packet, a
//     0x00 (text) or 0x01 (binary) byte, the length as decimal digits one
//     byte each, 0xFF, then the packet: text packets as UTF-8, binary ones as
//     the type byte and the data. The length counts bytes.

// maxLengthDigits bounds the length digits of a binary v3 payload record, as
// the official parser does (310, the digits of the largest float64).
const maxLengthDigits = 310

// DecodePacketV3 decodes one Engine.IO v3 WebSocket frame. A binary frame
// is its packet type byte followed by the data; a text frame is a v4 text
// packet, or "b" + type digit + base64 for a binary message sent as text.
//
// Text data aliases frame; base64 data is freshly decoded. Errors are
// ErrEmptyPacket, ErrUnknownPacketType and ErrInvalidBase64.
func DecodePacketV3(frame []byte, binary bool) (Packet, error) {
	if binary {
		if len(frame) == 0 {
			return Packet{}, ErrEmptyPacket
		}
		t := PacketType(frame[0])
		if t > PacketNoop {
			return Packet{}, ErrUnknownPacketType
		}
		return Packet{Type: t, Data: frame[1:], Binary: t == PacketMessage}, nil
	}
	return decodeTextV3(frame)
}

// decodeTextV3 decodes a v3 text packet: "<digit><data>", or "b<digit>" and
// base64.
func decodeTextV3(rec []byte) (Packet, error) {
	if len(rec) == 0 || rec[0] != 'b' {
		return DecodePacket(rec, false)
	}
	if len(rec) < 2 {
		return Packet{}, ErrEmptyPacket
	}
	t := rec[1] - '0'
	if t > byte(PacketNoop) {
		return Packet{}, ErrUnknownPacketType
	}
	p, err := decodeBase64(rec[2:])
	if err != nil {
		return Packet{}, err
	}
	p.Type = PacketType(t)
	p.Binary = p.Type == PacketMessage
	return p, nil
}

// AppendPacketV3 appends the v3 WebSocket form of p to dst: "<digit><data>"
// for a text packet, the type byte and the data for a binary message.
func AppendPacketV3(dst []byte, p Packet) []byte {
	if p.Binary {
		dst = append(dst, byte(PacketMessage))
		return append(dst, p.Data...)
	}
	return AppendPacket(dst, p)
}

// DecodePayloadV3 decodes a v3 polling payload: the binary form when binary
// is set (the POST's Content-Type was application/octet-stream), else the
// text form. Text packets of a text payload alias body.
//
// As DecodePayload, it returns the packets before a malformed one together
// with the error: ErrInvalidPayload when the framing is wrong (a length that
// is missing, not decimal, or past the end of the body; in a text payload,
// one that ends inside a character), or an error of the packet itself
// (ErrEmptyPacket, ErrUnknownPacketType, ErrInvalidBase64). An empty text
// payload is ErrInvalidPayload; an empty binary one has no packets. Where
// the official parser is lenient (it reads "0x5" or " 5" as a length, and
// delivers a packet cut short by the end of the body) this one refuses.
func DecodePayloadV3(body []byte, binary bool) ([]Packet, error) {
	if binary {
		return decodeBinaryPayloadV3(body)
	}
	return decodeTextPayloadV3(body)
}

func decodeTextPayloadV3(body []byte) ([]Packet, error) {
	if len(body) == 0 {
		return nil, ErrInvalidPayload
	}
	var ps []Packet
	for len(body) > 0 {
		n, rest, ok := readLength(body)
		if !ok {
			return ps, ErrInvalidPayload
		}
		size, ok := utf16Prefix(rest, n)
		if !ok {
			return ps, ErrInvalidPayload
		}
		rec := rest[:size:size]
		body = rest[size:]
		if size == 0 {
			continue // "0:" carries nothing, as the official parser reads it
		}
		p, err := decodeTextV3(rec)
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// readLength reads the "<digits>:" that starts b.
func readLength(b []byte) (n int, rest []byte, ok bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i == len(b) || b[i] != ':' || i > 9 {
		return 0, nil, false
	}
	n, err := strconv.Atoi(string(b[:i]))
	return n, b[i+1:], err == nil
}

// utf16Prefix returns how many bytes of b hold its first n UTF-16 code
// units. It fails when b is shorter, or when the n-th unit is the first half
// of a surrogate pair. A byte that is not UTF-8 counts as one unit, as the
// U+FFFD that replaces it.
func utf16Prefix(b []byte, n int) (int, bool) {
	i, units := 0, 0
	for units < n {
		if i == len(b) {
			return 0, false
		}
		r, size := utf8.DecodeRune(b[i:])
		units++
		if r >= 0x10000 {
			units++
		}
		i += size
	}
	return i, units == n
}

func decodeBinaryPayloadV3(body []byte) ([]Packet, error) {
	var ps []Packet
	for len(body) > 0 {
		text := body[0] == 0
		if !text && body[0] != 1 {
			return ps, ErrInvalidPayload
		}
		n, i := 0, 1
		for ; i < len(body) && body[i] != 0xFF; i++ {
			if body[i] > 9 || i > maxLengthDigits || n > len(body) {
				return ps, ErrInvalidPayload
			}
			n = n*10 + int(body[i])
		}
		if i == 1 || i == len(body) || n > len(body)-i-1 {
			return ps, ErrInvalidPayload
		}
		rec := body[i+1 : i+1+n : i+1+n]
		body = body[i+1+n:]
		var p Packet
		var err error
		if text {
			p, err = decodeTextV3(toValidUTF8(rec))
		} else {
			p, err = DecodePacketV3(rec, true)
		}
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// AppendPayloadV3 appends the v3 polling form of ps to dst. With binary set
// and a binary message among ps, it writes the binary form (to be sent as
// application/octet-stream); otherwise the text form, with binary messages
// as "b4" + base64; there, text data that is not UTF-8 is written with
// U+FFFD for each ill-formed sequence, as the client reads it, so that the
// lengths (in UTF-16 code units) match what it reads. It reports whether it
// wrote the binary form.
func AppendPayloadV3(dst []byte, ps []Packet, binary bool) ([]byte, bool) {
	if binary && hasBinary(ps) {
		for _, p := range ps {
			if p.Binary {
				dst = append(dst, 1)
				dst = appendLengthDigits(dst, 1+len(p.Data))
				dst = append(dst, 0xFF, byte(PacketMessage))
			} else {
				dst = append(dst, 0)
				dst = appendLengthDigits(dst, 1+len(p.Data))
				dst = append(dst, 0xFF, '0'+byte(p.Type))
			}
			dst = append(dst, p.Data...)
		}
		return dst, true
	}
	for _, p := range ps {
		if p.Binary {
			n := 2 + base64.StdEncoding.EncodedLen(len(p.Data))
			dst = strconv.AppendInt(dst, int64(n), 10)
			dst = append(dst, ':', 'b', '0'+byte(PacketMessage))
			dst = base64.StdEncoding.AppendEncode(dst, p.Data)
			continue
		}
		data := p.Data
		if !utf8.Valid(data) {
			data = toValidUTF8(data)
		}
		dst = strconv.AppendInt(dst, int64(1+utf16Len(data)), 10)
		dst = append(dst, ':', '0'+byte(p.Type))
		dst = append(dst, data...)
	}
	return dst, false
}

func hasBinary(ps []Packet) bool {
	for _, p := range ps {
		if p.Binary {
			return true
		}
	}
	return false
}

// appendLengthDigits appends n as decimal digits, one byte each (1, 2, not
// '1', '2').
func appendLengthDigits(dst []byte, n int) []byte {
	start := len(dst)
	dst = strconv.AppendInt(dst, int64(n), 10)
	for i := start; i < len(dst); i++ {
		dst[i] -= '0'
	}
	return dst
}

// utf16Len is the number of UTF-16 code units of b read as UTF-8, a byte
// that is not UTF-8 counting as one (its U+FFFD).
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			n++
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		n++
		if r >= 0x10000 {
			n++
		}
		b = b[size:]
	}
	return n
}
