package parser

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// MarshalEvent returns the JSON payload of an event, ["name",args...], and
// the binary attachments found in args.
//
// A []byte value (even nil or empty) given as an argument, or found at any
// depth inside []any and map[string]any values, is replaced by a placeholder
// {"_placeholder":true,"num":k} and becomes attachments[k]; placeholders are
// numbered in the order they appear in the text (map keys in sorted order, as
// encoding/json writes them). The attachments share memory with the []byte
// values; they are not copied. json.RawMessage is JSON, not binary, and is
// written as is (compacted). Any other value is marshalled by encoding/json,
// so []byte inside it (a struct field, a [][]byte) becomes a base64 string.
// HTML characters are not escaped, as in JavaScript's JSON.stringify.
//
// With attachments, send the packet as BinaryEvent; without, as Event.
// MarshalEvent returns ErrReservedEvent for the reserved names (see
// IsReservedEvent), and an error starting with "parser: " for values
// encoding/json cannot marshal or nested deeper than 10000 levels.
func MarshalEvent(name string, args []any) (data []byte, attachments [][]byte, err error) {
	if IsReservedEvent(name) {
		return nil, nil, fmt.Errorf("%w: %q", ErrReservedEvent, name)
	}
	e := getEncoder()
	defer putEncoder(e)
	e.buf = append(e.buf, '[')
	e.buf = appendString(e.buf, name)
	for _, a := range args {
		e.buf = append(e.buf, ',')
		if err := e.value(a, 2); err != nil {
			return nil, nil, err
		}
	}
	e.buf = append(e.buf, ']')
	return e.result()
}

// MarshalArgs returns the JSON payload of an ack, [args...], and the binary
// attachments found in args, by the rules of MarshalEvent. A nil or empty
// args gives []. With attachments, send the packet as BinaryAck; without, as
// Ack.
func MarshalArgs(args []any) (data []byte, attachments [][]byte, err error) {
	e := getEncoder()
	defer putEncoder(e)
	e.buf = append(e.buf, '[')
	for i, a := range args {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(a, 2); err != nil {
			return nil, nil, err
		}
	}
	e.buf = append(e.buf, ']')
	return e.result()
}

// encoder is the scratch state of one MarshalEvent or MarshalArgs call,
// pooled.
type encoder struct {
	buf []byte
	att [][]byte
	js  *json.Encoder // writes into buf through Write
}

// Write appends p to the buffer; it lets js encode straight into it.
func (e *encoder) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	return len(p), nil
}

var encoderPool = sync.Pool{New: func() any {
	e := &encoder{buf: make([]byte, 0, 512)}
	e.js = json.NewEncoder(e)
	e.js.SetEscapeHTML(false)
	return e
}}

func getEncoder() *encoder { return encoderPool.Get().(*encoder) }

// maxPooledBuffer keeps one huge payload from pinning its buffer in the pool.
const maxPooledBuffer = 64 << 10

func putEncoder(e *encoder) {
	if cap(e.buf) > maxPooledBuffer || cap(e.att) > 64 {
		return
	}
	e.buf = e.buf[:0]
	clear(e.att)
	e.att = e.att[:0]
	encoderPool.Put(e)
}

// result copies the encoded payload and attachments out of the pooled
// scratch space.
func (e *encoder) result() ([]byte, [][]byte, error) {
	data := slices.Clone(e.buf)
	var att [][]byte
	if len(e.att) > 0 {
		att = slices.Clone(e.att)
	}
	return data, att, nil
}

var errTooDeep = errors.New("parser: value nested too deeply (is it cyclic?)")

// value appends the JSON form of v at nesting depth depth.
func (e *encoder) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendString(e.buf, x)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int8:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int16:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case uint:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint8:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint16:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint32:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return e.std(v)
		}
		e.buf = appendFloat(e.buf, x, 64)
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return e.std(v)
		}
		e.buf = appendFloat(e.buf, float64(x), 32)
	case json.RawMessage:
		if x == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		s := scanner{data: x}
		if _, err := s.scanAll(); err != nil {
			return fmt.Errorf("parser: json.RawMessage argument: %w", err)
		}
		e.buf = appendCompact(e.buf, x)
	case []byte:
		e.buf = append(e.buf, `{"_placeholder":true,"num":`...)
		e.buf = strconv.AppendInt(e.buf, int64(len(e.att)), 10)
		e.buf = append(e.buf, '}')
		e.att = append(e.att, x)
	case []any:
		if x == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if depth > maxDepth {
			return errTooDeep
		}
		e.buf = append(e.buf, '[')
		for i, el := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(el, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case map[string]any:
		if x == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if depth > maxDepth {
			return errTooDeep
		}
		var small [8]string
		keys := small[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	default:
		return e.std(v)
	}
	return nil
}

// std appends v as encoding/json marshals it.
func (e *encoder) std(v any) error {
	n := len(e.buf)
	if err := e.js.Encode(v); err != nil {
		e.buf = e.buf[:n]
		return fmt.Errorf("parser: %w", err)
	}
	if len(e.buf) > n && e.buf[len(e.buf)-1] == '\n' {
		e.buf = e.buf[:len(e.buf)-1]
	}
	return nil
}

// appendFloat formats f as encoding/json does.
func appendFloat(dst []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// Shorten e-09 to e-9, as encoding/json and JavaScript do.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s to dst as a JSON string, escaped as the
// encoder of this package escapes the strings of a packet.
func AppendJSONString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString appends s as a JSON string, escaped as encoding/json does with
// HTML escaping off: invalid UTF-8 becomes \ufffd, and U+2028 and U+2029 are
// escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendCompact appends the valid JSON text src without the whitespace
// outside its strings.
func appendCompact(dst, src []byte) []byte {
	inString, escaped := false, false
	start := 0
	for i, c := range src {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}
