package parser

import (
	"encoding/json"
	"slices"
	"strconv"
)

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10000

// syntaxError is a JSON syntax error found by the scanner.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string { return "parser: " + e.detail() }

func (e *syntaxError) detail() string {
	return "invalid JSON: " + e.msg + " at offset " + strconv.Itoa(e.off)
}

// Unwrap makes every syntax error an ErrInvalidPayload.
func (e *syntaxError) Unwrap() error { return ErrInvalidPayload }

// phRef is a placeholder object found in a JSON text: data[start:end] is the
// whole object, num the attachment index it names, or -1 when "num" is
// missing or not a non-negative integer.
type phRef struct {
	start, end int
	num        int
}

// scanner validates JSON text (the grammar of RFC 8259, with the nesting
// limit of encoding/json) and, when collect is set, records the placeholder
// objects it meets.
//
// A placeholder is an object whose last "_placeholder" member is true, as in
// socket.io-parser: its other members are ignored, and placeholders nested
// inside it are not placeholders. Keys are compared after unescaping.
type scanner struct {
	data    []byte
	collect bool
	phs     []phRef
}

func (s *scanner) fail(msg string, off int) error { return &syntaxError{msg, off} }

func (s *scanner) skipWS(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value scans the value starting at data[i], which must not be whitespace,
// and returns the offset just after it. depth is the nesting depth a
// container starting at i would have.
func (s *scanner) value(i, depth int) (int, error) {
	if i >= len(s.data) {
		return i, s.fail("unexpected end of input", i)
	}
	switch c := s.data[i]; c {
	case '"':
		end, _, err := s.str(i)
		return end, err
	case '{':
		return s.object(i, depth)
	case '[':
		return s.array(i, depth)
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return s.number(i)
		}
		return i, s.fail("unexpected character "+strconv.QuoteRune(rune(c)), i)
	}
}

func (s *scanner) literal(i int, lit string) (int, error) {
	if len(s.data)-i < len(lit) || string(s.data[i:i+len(lit)]) != lit {
		return i, s.fail("invalid literal", i)
	}
	return i + len(lit), nil
}

// str scans the string starting with the quote at data[i]. It returns the
// offset after the closing quote and whether the string holds escapes.
func (s *scanner) str(i int) (end int, escaped bool, err error) {
	d := s.data
	for i++; i < len(d); {
		c := d[i]
		switch {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(d) {
				return i, escaped, s.fail("unterminated string", i)
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return i, escaped, s.fail("invalid \\u escape", i)
				}
				i += 6
			default:
				return i, escaped, s.fail("invalid escape", i)
			}
		case c < 0x20:
			return i, escaped, s.fail("control character in string", i)
		default:
			i++
		}
	}
	return i, escaped, s.fail("unterminated string", i)
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (s *scanner) number(i int) (int, error) {
	d := s.data
	start := i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	default:
		return i, s.fail("invalid number", start)
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, s.fail("invalid number", start)
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, s.fail("invalid number", start)
		}
		for i++; i < len(d) && isDigit(d[i]); i++ {
		}
	}
	return i, nil
}

func (s *scanner) array(i, depth int) (int, error) {
	if depth > maxDepth {
		return i, s.fail("exceeded max depth", i)
	}
	i = s.skipWS(i + 1)
	if i < len(s.data) && s.data[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = s.value(i, depth+1); err != nil {
			return i, err
		}
		i = s.skipWS(i)
		if i >= len(s.data) {
			return i, s.fail("unterminated array", i)
		}
		switch s.data[i] {
		case ',':
			i = s.skipWS(i + 1)
		case ']':
			return i + 1, nil
		default:
			return i, s.fail("expected ',' or ']' in array", i)
		}
	}
}

// Kinds of object keys that matter for placeholders.
const (
	keyOther = iota
	keyPlaceholder
	keyNum
)

func (s *scanner) object(i, depth int) (int, error) {
	if depth > maxDepth {
		return i, s.fail("exceeded max depth", i)
	}
	start := i
	mark := len(s.phs)
	isPH := false
	numStart, numEnd := -1, -1
	i = s.skipWS(i + 1)
	if i < len(s.data) && s.data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(s.data) || s.data[i] != '"' {
			return i, s.fail("expected string key in object", i)
		}
		keyStart := i
		end, escaped, err := s.str(i)
		if err != nil {
			return end, err
		}
		kind := keyOther
		if s.collect {
			kind = keyKind(s.data[keyStart:end], escaped)
		}
		i = s.skipWS(end)
		if i >= len(s.data) || s.data[i] != ':' {
			return i, s.fail("expected ':' after object key", i)
		}
		i = s.skipWS(i + 1)
		vStart := i
		if i, err = s.value(i, depth+1); err != nil {
			return i, err
		}
		switch kind {
		case keyPlaceholder:
			isPH = string(s.data[vStart:i]) == "true"
		case keyNum:
			numStart, numEnd = vStart, i
		}
		i = s.skipWS(i)
		if i >= len(s.data) {
			return i, s.fail("unterminated object", i)
		}
		switch s.data[i] {
		case ',':
			i = s.skipWS(i + 1)
		case '}':
			i++
			if isPH {
				num := -1
				if numStart >= 0 {
					num = placeholderNum(s.data[numStart:numEnd])
				}
				s.phs = append(s.phs[:mark], phRef{start: start, end: i, num: num})
			}
			return i, nil
		default:
			return i, s.fail("expected ',' or '}' in object", i)
		}
	}
}

// keyKind classifies a quoted object key.
func keyKind(quoted []byte, escaped bool) int {
	if escaped {
		return keyKindOf(unquote(quoted))
	}
	return keyKindOf(string(quoted[1 : len(quoted)-1]))
}

// unquote returns the value of the valid JSON string quoted.
func unquote(quoted []byte) string {
	var k string
	_ = json.Unmarshal(quoted, &k)
	return k
}

// member returns the offset of the value of the last member named key of
// the valid JSON object starting at data[i], and whether there is one.
func (s *scanner) member(i int, key string) (int, bool) {
	found, at := false, 0
	i = s.skipWS(i + 1)
	if s.data[i] == '}' {
		return 0, false
	}
	for {
		end, escaped, _ := s.str(i)
		var match bool
		if escaped {
			match = unquote(s.data[i:end]) == key
		} else {
			match = string(s.data[i+1:end-1]) == key
		}
		i = s.skipWS(s.skipWS(end) + 1) // past the colon
		if match {
			found, at = true, i
		}
		i, _ = s.value(i, 2)
		i = s.skipWS(i)
		if s.data[i] == '}' {
			return at, found
		}
		i = s.skipWS(i + 1) // past the comma
	}
}

func keyKindOf(k string) int {
	switch k {
	case "_placeholder":
		return keyPlaceholder
	case "num":
		return keyNum
	}
	return keyOther
}

// placeholderNum returns the non-negative integer the JSON value v holds, or
// -1. Like JavaScript numbers, 1.0, 1e0 and -0 are integers.
func placeholderNum(v []byte) int {
	if len(v) == 0 || len(v) > 9 {
		return placeholderNumSlow(v)
	}
	n := 0
	for _, c := range v {
		if !isDigit(c) {
			return placeholderNumSlow(v)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func placeholderNumSlow(v []byte) int {
	if len(v) == 0 || !(v[0] == '-' || isDigit(v[0])) {
		return -1 // not a number
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f != f || f < 0 || f >= 1<<31 || f != float64(int64(f)) {
		return -1
	}
	return int(f)
}

// scanAll validates that data holds exactly one JSON value, with optional
// whitespace around it. It returns the offset where the value starts.
func (s *scanner) scanAll() (int, error) {
	i := s.skipWS(0)
	if i >= len(s.data) {
		return i, s.fail("empty input", i)
	}
	start := i
	i, err := s.value(i, 1)
	if err != nil {
		return start, err
	}
	if i = s.skipWS(i); i != len(s.data) {
		return start, s.fail("unexpected data after JSON value", i)
	}
	return start, nil
}

// SplitArray splits the JSON array data into its elements, without decoding
// them. The elements are sub-slices of data (not copies) with no surrounding
// whitespace; an empty array gives an empty slice. When data is not exactly
// one valid JSON array, with optional whitespace around it, SplitArray
// returns an error wrapping ErrInvalidPayload.
//
// SplitArray is the cheap way to get at an event name and its arguments:
// decode each element with Unmarshal or Value when it is needed.
func SplitArray(data json.RawMessage) ([]json.RawMessage, error) {
	s := scanner{data: data}
	i := s.skipWS(0)
	if i >= len(data) || data[i] != '[' {
		return nil, s.fail("expected '['", i)
	}
	i = s.skipWS(i + 1)
	if i < len(data) && data[i] == ']' {
		if i = s.skipWS(i + 1); i != len(data) {
			return nil, s.fail("unexpected data after JSON value", i)
		}
		return []json.RawMessage{}, nil
	}
	// Collect into a stack array, then copy out at the exact size: one
	// allocation for up to 16 elements.
	var small [16]json.RawMessage
	out := small[:0]
	for {
		start := i
		var err error
		if i, err = s.value(i, 2); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(data[start:i:i]))
		i = s.skipWS(i)
		if i >= len(data) {
			return nil, s.fail("unterminated array", i)
		}
		if data[i] == ']' {
			break
		}
		if data[i] != ',' {
			return nil, s.fail("expected ',' or ']' in array", i)
		}
		i = s.skipWS(i + 1)
	}
	if i = s.skipWS(i + 1); i != len(data) {
		return nil, s.fail("unexpected data after JSON value", i)
	}
	return slices.Clone(out), nil
}
