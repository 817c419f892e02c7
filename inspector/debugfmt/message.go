package debugfmt

import (
	"encoding"
	"fmt"
	"strconv"
	"unsafe"
)

// Message returns the text of a debug line that sio.Observer.Debug (and
// engine.Observer.Debug) hands over unformatted: fmt.Sprintf(format,
// args...), or format itself when there are no arguments.
func Message(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return string(AppendMessage(nil, format, args...))
}

// AppendMessage appends the text of a debug line to dst: what
// fmt.Appendf(dst, format, args...) appends, without fmt's machinery for
// the verbs and argument types the servers' lines use (%s, %q, %d and %v of
// texts, bytes, integers, errors and Stringers, and the engine's arguments
// that are both fmt.Formatter and encoding.TextAppender, whose AppendText
// is their %s). Anything else is left to fmt.
func AppendMessage(dst []byte, format string, args ...any) []byte {
	start := len(dst)
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			dst = append(dst, '%')
			i++
			continue
		}
		if i+1 >= len(format) || next >= len(args) {
			return fmt.Appendf(dst[:start], format, args...)
		}
		var ok bool
		dst, ok = appendArg(dst, format[i+1], args[next])
		if !ok {
			return fmt.Appendf(dst[:start], format, args...)
		}
		next++
		i++
	}
	if next != len(args) {
		return fmt.Appendf(dst[:start], format, args...)
	}
	return dst
}

// textArg is how the engine passes a debug argument that holds a text (a
// message's bytes, a frame as written) without formatting it first: fmt
// uses Format, a formatter that knows the contract uses AppendText.
type textArg interface {
	fmt.Formatter
	encoding.TextAppender
}

// appendArg formats a with verb as fmt does, for the cases it knows; ok is
// false for the others.
func appendArg(dst []byte, verb byte, a any) (_ []byte, ok bool) {
	text := func(s string) ([]byte, bool) {
		switch verb {
		case 's', 'v':
			return append(dst, s...), true
		case 'q':
			return strconv.AppendQuote(dst, s), true
		}
		return dst, false
	}
	switch x := a.(type) {
	case string:
		return text(x)
	case []byte:
		if verb == 'v' {
			return dst, false // [1 2 3]
		}
		return text(unsafe.String(unsafe.SliceData(x), len(x)))
	case textArg:
		if verb == 's' || verb == 'q' {
			return appendText(dst, verb, x)
		}
		return dst, false
	case int:
		if verb == 'd' || verb == 'v' {
			return strconv.AppendInt(dst, int64(x), 10), true
		}
	case int64:
		if verb == 'd' || verb == 'v' {
			return strconv.AppendInt(dst, x, 10), true
		}
	case fmt.Formatter:
		return dst, false
	case error, fmt.Stringer:
		if verb != 's' && verb != 'v' && verb != 'q' {
			return dst, false
		}
		if s, ok := methodText(x); ok {
			return text(s)
		}
	}
	return dst, false
}

// appendText appends a's text, quoted for %q: the raw text goes after dst
// first, its quoted form after that, and the quoted form then moves down
// over the raw one, so that no temporary buffer is needed.
func appendText(dst []byte, verb byte, a textArg) ([]byte, bool) {
	start := len(dst)
	out, err := a.AppendText(dst)
	if err != nil {
		return dst[:start], false
	}
	if verb == 's' {
		return out, true
	}
	raw := out[start:]
	// If AppendQuote grows the slice, raw still points into the old array,
	// which stays alive while it is read.
	quoted := strconv.AppendQuote(out, unsafe.String(unsafe.SliceData(raw), len(raw)))
	n := copy(quoted[start:], quoted[len(out):])
	return quoted[:start+n], true
}

// methodText returns a's Error or String text; ok is false if the method
// panicked (a nil pointer, say), which fmt reports in a way of its own.
func methodText(a any) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			s, ok = "", false
		}
	}()
	if e, isErr := a.(error); isErr {
		return e.Error(), true
	}
	return a.(fmt.Stringer).String(), true
}
