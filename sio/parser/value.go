package parser

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// Unmarshal decodes the JSON value raw (a whole payload, or one element from
// SplitArray) into v, with each placeholder {"_placeholder":true,"num":k}
// standing for attachments[k].
//
// Without attachments, Unmarshal is json.Unmarshal: placeholders, if any,
// stay plain objects, as socket.io-parser leaves them in text packets. With
// attachments:
//   - if v is a *[]byte and raw is a placeholder, *v is set to the attachment
//     itself (not a copy);
//   - if v is a *any, *[]any or *map[string]any, v gets what Value returns:
//     a []byte wherever there was a placeholder;
//   - for any other v, such as a struct with []byte fields, each placeholder
//     is replaced by the base64 JSON string of its attachment and the text is
//     decoded by encoding/json. A []byte destination thus gets a copy of the
//     attachment, while a string, any or json.RawMessage destination inside
//     such a v gets the base64 text. Read such values with Value instead.
//
// Invalid JSON is an error wrapping ErrInvalidPayload, and a placeholder
// whose num is not an integer in [0, len(attachments)) an error wrapping
// ErrIllegalAttachments. Other errors, such as *json.UnmarshalTypeError, come
// from encoding/json, wrapped with the prefix "parser: ".
func Unmarshal(raw json.RawMessage, attachments [][]byte, v any) error {
	if len(attachments) == 0 {
		return stdUnmarshal(raw, v)
	}
	s := scanner{data: raw, collect: true}
	start, err := s.scanAll()
	if err != nil {
		return err
	}
	if len(s.phs) == 0 {
		return stdUnmarshal(raw, v)
	}
	if err := checkRange(s.phs, len(attachments)); err != nil {
		return err
	}
	switch p := v.(type) {
	case *[]byte:
		if ph := s.phs[0]; len(s.phs) == 1 && ph.start == start && s.skipWS(ph.end) == len(raw) {
			*p = attachments[ph.num]
			return nil
		}
	case *any:
		val, err := Value(raw, attachments)
		if err != nil {
			return err
		}
		*p = val
		return nil
	case *[]any:
		val, err := Value(raw, attachments)
		if err != nil {
			return err
		}
		switch x := val.(type) {
		case []any:
			*p = x
			return nil
		case nil:
			*p = nil
			return nil
		}
		return typeError(val, reflect.TypeFor[[]any]())
	case *map[string]any:
		val, err := Value(raw, attachments)
		if err != nil {
			return err
		}
		switch x := val.(type) {
		case map[string]any:
			*p = x
			return nil
		case nil:
			*p = nil
			return nil
		}
		return typeError(val, reflect.TypeFor[map[string]any]())
	}
	return stdUnmarshal(substitute(raw, s.phs, attachments), v)
}

func stdUnmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		if _, ok := err.(*json.SyntaxError); ok {
			return fmt.Errorf("%w: invalid JSON: %w", ErrInvalidPayload, err)
		}
		return fmt.Errorf("parser: %w", err)
	}
	return nil
}

// substitute returns raw with each placeholder replaced by the base64 JSON
// string of its attachment.
func substitute(raw []byte, phs []phRef, attachments [][]byte) []byte {
	size := len(raw)
	for _, ph := range phs {
		size += base64.StdEncoding.EncodedLen(len(attachments[ph.num])) + 2
	}
	out := make([]byte, 0, size)
	last := 0
	for _, ph := range phs {
		out = append(out, raw[last:ph.start]...)
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, attachments[ph.num])
		out = append(out, '"')
		last = ph.end
	}
	return append(out, raw[last:]...)
}

func checkRange(phs []phRef, n int) error {
	for _, ph := range phs {
		if ph.num < 0 || ph.num >= n {
			return fmt.Errorf("%w: placeholder number out of range", ErrIllegalAttachments)
		}
	}
	return nil
}

// typeError is the error of Unmarshal when the value val cannot go into a t.
func typeError(val any, t reflect.Type) error {
	return fmt.Errorf("parser: %w", &json.UnmarshalTypeError{Value: jsonKind(val), Type: t})
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case []byte:
		return "binary attachment"
	}
	return "object"
}

// Value decodes the JSON value raw into a generic Go value: nil, bool,
// float64, string, []any or map[string]any as encoding/json produces them,
// and []byte (the attachment itself, not a copy) for each placeholder
// {"_placeholder":true,"num":k}, at any depth. Without attachments,
// placeholders stay plain objects. Numbers become float64, so integers beyond
// 2^53 lose precision, as in JavaScript; use Unmarshal with a typed target to
// keep them. A number beyond the float64 range, such as 1e400, is an error
// (a *json.UnmarshalTypeError), as with encoding/json.
//
// Invalid JSON is an error wrapping ErrInvalidPayload, and a placeholder
// whose num is not an integer in [0, len(attachments)) an error wrapping
// ErrIllegalAttachments.
func Value(raw json.RawMessage, attachments [][]byte) (any, error) {
	s := scanner{data: raw, collect: len(attachments) > 0}
	start, err := s.scanAll()
	if err != nil {
		return nil, err
	}
	if err := checkRange(s.phs, len(attachments)); err != nil {
		return nil, err
	}
	b := builder{scanner: s, atts: attachments}
	v, _, err := b.value(start)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// builder builds the Go value of a valid JSON text whose placeholders, in
// text order, are in phs.
type builder struct {
	scanner
	atts [][]byte
	next int // index in phs of the next placeholder
}

// value returns the value starting at data[i] and the offset after it.
func (b *builder) value(i int) (any, int, error) {
	d := b.data
	switch c := d[i]; c {
	case '"':
		end, escaped, _ := b.str(i)
		return b.text(i, end, escaped), end, nil
	case '{':
		if b.next < len(b.phs) && b.phs[b.next].start == i {
			ph := b.phs[b.next]
			b.next++
			return b.atts[ph.num], ph.end, nil
		}
		m := make(map[string]any)
		i = b.skipWS(i + 1)
		if d[i] == '}' {
			return m, i + 1, nil
		}
		for {
			end, escaped, _ := b.str(i)
			k := b.text(i, end, escaped)
			i = b.skipWS(b.skipWS(end) + 1) // past the colon
			v, next, err := b.value(i)
			if err != nil {
				return nil, next, err
			}
			m[k] = v
			i = b.skipWS(next)
			if d[i] == '}' {
				return m, i + 1, nil
			}
			i = b.skipWS(i + 1) // past the comma
		}
	case '[':
		a := make([]any, 0)
		i = b.skipWS(i + 1)
		if d[i] == ']' {
			return a, i + 1, nil
		}
		for {
			v, next, err := b.value(i)
			if err != nil {
				return nil, next, err
			}
			a = append(a, v)
			i = b.skipWS(next)
			if d[i] == ']' {
				return a, i + 1, nil
			}
			i = b.skipWS(i + 1)
		}
	case 't':
		return true, i + 4, nil
	case 'f':
		return false, i + 5, nil
	case 'n':
		return nil, i + 4, nil
	}
	end, _ := b.number(i)
	f, err := strconv.ParseFloat(string(d[i:end]), 64)
	if err != nil {
		return nil, end, fmt.Errorf("parser: %w", &json.UnmarshalTypeError{
			Value: "number " + string(d[i:end]), Type: reflect.TypeFor[float64](), Offset: int64(i)})
	}
	return f, end, nil
}

// text returns the string value of the JSON string data[i:end], as
// encoding/json decodes it: invalid UTF-8 and lone surrogates become U+FFFD.
func (b *builder) text(i, end int, escaped bool) string {
	q := b.data[i:end]
	if !escaped && utf8.Valid(q) {
		return string(q[1 : len(q)-1])
	}
	return unquote(q)
}
