package engine

import (
	"fmt"
	"strconv"
	"unsafe"
)

// Direction says which way a packet went.
type Direction uint8

// The two directions of Observer.Packet.
const (
	In  Direction = iota // from the client
	Out                  // to the client
)

// String returns "in" or "out".
func (d Direction) String() string {
	if d == In {
		return "in"
	}
	return "out"
}

// The debug namespaces of the official server, used as the namespace
// argument of Observer.Debug.
const (
	DebugServer  = "engine"         // requests, handshakes, upgrades accepted or refused
	DebugSocket  = "engine:socket"  // a session: packets, heartbeat, upgrade steps, close
	DebugPolling = "engine:polling" // long-polling GETs and POSTs
	DebugWS      = "engine:ws"      // WebSocket frames
)

// Observer sees what the engine does, for an inspector or a trace. A nil
// Observer in Config costs nothing: no event is built.
//
// Methods are called synchronously from the goroutine doing the work
// (request handlers, WebSocket readers and writers, timers), possibly
// concurrently for different sessions and, for one session, from its reader
// and its writer at once. They must be quick and must not call back into the
// session's blocking paths; queue the event and return.
type Observer interface {
	// Opened is called once for each new session, after its handshake.
	Opened(s *Session)
	// Upgraded is called when a session switches to transport.
	Upgraded(s *Session, transport string)
	// Closed is called once when a session ends, before the handler's Close.
	Closed(s *Session, reason Reason)
	// Packet is called for every packet received (dir In, when decoded) and
	// sent (dir Out, when written to transport). p.Data belongs to the
	// engine: copy it if kept.
	Packet(s *Session, dir Direction, transport string, p Packet)
	// Debug receives the lines the official server writes with the debug
	// module, under namespace ("engine", "engine:socket", "engine:polling"
	// or "engine:ws"); sid is empty when no session is concerned.
	//
	// The line is given unformatted, so that the server's path pays only
	// for passing it: the text is DebugMessage(format, args...), to be
	// computed when needed (by a writer goroutine, or once the namespace is
	// known to be enabled). The arguments never change afterwards ([]byte
	// arguments included) and may be kept; with no arguments, format is the
	// text itself.
	Debug(namespace, sid, format string, args ...any)
}

// DebugGate may be implemented by an Observer that, at times, wants no
// debug lines: a recorder whose queue is full drops them anyway. While
// WantsDebug returns false the server skips the lines it writes about
// every packet ("sending packet", "writing", "received"), and what
// describing them costs; the rarer lines still come. It is called often:
// keep it to an atomic load.
type DebugGate interface {
	WantsDebug() bool
}

// DebugMessage returns the text of a debug line given to Observer.Debug:
// fmt.Sprintf(format, args...), or format itself when there are no
// arguments.
func DebugMessage(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return string(AppendDebugMessage(nil, format, args...))
}

// AppendDebugMessage appends the text of a debug line to dst: what
// fmt.Appendf(dst, format, args...) appends, without fmt's machinery for
// the verbs and argument types the server's lines use (%s, %q, %d and %v
// of texts, bytes, integers, errors and Stringers). Anything else is left
// to fmt.
func AppendDebugMessage(dst []byte, format string, args ...any) []byte {
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
	case *debugBytes:
		if verb == 'v' {
			return dst, false
		}
		return text(unsafe.String(unsafe.SliceData(*x), len(*x)))
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
