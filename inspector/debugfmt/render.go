package debugfmt

import (
	"strconv"
	"strings"
	"time"
)

// Mode is how a Renderer writes lines: as debug does when it does not use
// colours (Plain), or when it does, with its 6-colour (Basic) or its
// 256-colour (ANSI256) palette.
type Mode int

const (
	// Plain is debug's output when colours are off (stderr is not a
	// terminal, or DEBUG_COLORS is false): an ISO 8601 UTC time, the
	// namespace and the message, no "+Nms" diff; only the first line of a
	// multi-line message carries the prefix.
	//
	//	2026-11-27T11:04:31.447Z engine:socket hello
	Plain Mode = iota
	// Basic is debug's coloured output with the default palette of six ANSI
	// colours: two spaces, the namespace in bold colour, the message, and
	// the diff in colour. Every line of the message carries the prefix.
	//
	//	"  \x1b[34;1mengine:socket \x1b[0mhello \x1b[34m+0ms\x1b[0m"
	Basic
	// ANSI256 is Basic with debug's 76-colour palette of xterm 256-colour
	// codes, used when supports-color reports level 2 or more.
	//
	//	"  \x1b[38;5;206;1msocket.io:server \x1b[0mhello \x1b[38;5;206m+0ms\x1b[0m"
	ANSI256
)

// String returns "plain", "basic" or "256".
func (m Mode) String() string {
	switch m {
	case Plain:
		return "plain"
	case Basic:
		return "basic"
	case ANSI256:
		return "256"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Colored reports whether m writes ANSI colours (Basic or ANSI256).
func (m Mode) Colored() bool { return m == Basic || m == ANSI256 }

// Renderer turns messages into lines in debug's format. It remembers the time
// of each namespace's previous line, as each debug instance does, to print
// the "+Nms" diff: the first line of a namespace gets "+0ms".
//
// A Renderer is not safe for concurrent use; a Printer serialises its calls.
type Renderer struct {
	// Mode is the format of the lines.
	Mode Mode
	// HideDate drops the ISO date of Plain lines, as DEBUG_HIDE_DATE does.
	HideDate bool

	prev map[string]int64 // namespace -> Unix milliseconds of its last line
}

// NewRenderer returns a Renderer writing lines in mode.
func NewRenderer(mode Mode) *Renderer {
	return &Renderer{Mode: mode}
}

// Line returns the line debug would write for msg logged under namespace at
// time at, without the trailing newline. msg is text, not a format string:
// it stands for debug's first argument, so in colour modes every line of it
// gets the prefix. (In node, newlines inside a %s argument get none; the
// sio packages hand over text already formatted, so their multi-line
// messages are prefixed on every line here.)
// The diff is at minus the previous line's time for namespace, both taken
// in whole milliseconds as JavaScript's Date does; in Plain mode it is not
// printed but still tracked.
func (r *Renderer) Line(at time.Time, namespace, msg string) string {
	return string(r.AppendLine(nil, at, namespace, msg))
}

// AppendLine appends Line(at, namespace, msg) to dst and returns the
// extended buffer.
func (r *Renderer) AppendLine(dst []byte, at time.Time, namespace, msg string) []byte {
	now := at.UnixMilli()
	if r.prev == nil {
		r.prev = make(map[string]int64)
	}
	prev, ok := r.prev[namespace]
	if !ok {
		prev = now
	}
	r.prev[namespace] = now
	diff := time.Duration(now-prev) * time.Millisecond

	if !r.Mode.Colored() {
		if !r.HideDate {
			dst = appendISO(dst, at)
			dst = append(dst, ' ')
		}
		dst = append(dst, namespace...)
		dst = append(dst, ' ')
		return append(dst, msg...)
	}
	return appendColored(dst, r.Mode, namespace, msg, diff)
}

// appendColored is debug's formatArgs with colours:
//
//	prefix = "  " + cc + ";1m" + namespace + " " + ESC "[0m"
//	prefix + msg.split("\n").join("\n" + prefix) + " " + cc + "m+" + diff + ESC "[0m"
//
// where cc is ESC "[3" c for a basic colour and ESC "[38;5;" c for a 256 one.
func appendColored(dst []byte, mode Mode, namespace, msg string, diff time.Duration) []byte {
	var cc [16]byte
	code := append(cc[:0], "\x1b[3"...)
	if mode == ANSI256 {
		code = append(code, "8;5;"...)
		code = strconv.AppendInt(code, int64(Color256(namespace)), 10)
	} else {
		code = strconv.AppendInt(code, int64(ColorBasic(namespace)), 10)
	}
	prefix := func(dst []byte) []byte {
		dst = append(dst, "  "...)
		dst = append(dst, code...)
		dst = append(dst, ";1m"...)
		dst = append(dst, namespace...)
		return append(dst, " \x1b[0m"...)
	}
	dst = prefix(dst)
	for {
		i := strings.IndexByte(msg, '\n')
		if i < 0 {
			break
		}
		dst = append(dst, msg[:i+1]...)
		dst = prefix(dst)
		msg = msg[i+1:]
	}
	dst = append(dst, msg...)
	dst = append(dst, ' ')
	dst = append(dst, code...)
	dst = append(dst, "m+"...)
	dst = appendHumanize(dst, diff)
	return append(dst, "\x1b[0m"...)
}

// appendISO appends t as JavaScript's Date.prototype.toISOString does for
// years 0 to 9999: UTC, milliseconds, "Z".
func appendISO(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
}
