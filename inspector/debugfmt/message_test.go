package debugfmt

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sioworkbook/workbook/sio/engine"
)

// stringer and a nil pointer to it: fmt prints "<nil>" for the latter.
type stringer struct{ s string }

func (s *stringer) String() string { return s.s }

// textBytes is an argument as the engine passes a message's bytes: a
// fmt.Formatter whose AppendText gives its %s.
type textBytes []byte

func (b *textBytes) Format(st fmt.State, verb rune) {
	fmt.Fprintf(st, fmt.FormatString(st, verb), []byte(*b))
}

func (b *textBytes) AppendText(dst []byte) ([]byte, error) { return append(dst, *b...), nil }

func bytesArg(b []byte) []any {
	t := textBytes(b)
	return []any{&t}
}

// formatter implements fmt.Formatter, which fmt prefers to String.
type formatter struct{}

func (formatter) Format(st fmt.State, verb rune) { fmt.Fprintf(st, "formatted %c", verb) }
func (formatter) String() string                 { return "stringed" }

// TestAppendMessage checks that the fast formatter writes what
// fmt.Sprintf writes, for the formats the server uses and others.
func TestAppendMessage(t *testing.T) {
	var nilStringer *stringer
	cases := []struct {
		format string
		args   []any
	}{
		{"writing %q", bytesArg([]byte(`42["chat","hé \"x\" \n"]`))},
		{`sending packet "message" (%s)`, bytesArg([]byte(`2["a"]`))},
		{"received %q", []any{"abc\xff\x00"}},
		{"%s transport created", []any{"polling"}},
		{"outbound queue full (%d packets)", []any{1024}},
		{"expecting pong within %dms", []any{int64(20000)}},
		{"read ended: %v", []any{errors.New("websocket: close 1006")}},
		{"received packet %s", []any{engine.PacketPing}},
		{"closing session - reason: %s", []any{engine.Reason("transport close")}},
		{"join room %v", []any{[]string{"a", "b"}}},
		{"bytes %v", []any{[]byte("ab")}},
		{"%q %s", []any{nilStringer, nilStringer}},
		{"%v %s", []any{formatter{}, &stringer{"x"}}},
		{"100%% done %s", []any{"now"}},
		{"width %5d", []any{7}},
		{"missing %s %s", []any{"one"}},
		{"extra %s", []any{"one", "two"}},
		{"trailing %", []any{"x"}},
		{"hex %x", []any{"ab"}},
		{"bool %v %d", []any{true, "s"}},
		{"text %v %x %5s %-3q|", append(bytesArg([]byte("a")), bytesArg([]byte("b"))[0], bytesArg([]byte("c"))[0], bytesArg([]byte("d"))[0])},
		{"empty %q %s", append(bytesArg(nil), bytesArg([]byte{})[0])},
		{"nil %v", []any{nil}},
	}
	for _, c := range cases {
		want := fmt.Sprintf(c.format, c.args...)
		if got := string(AppendMessage([]byte("prefix "), c.format, c.args...)); got != "prefix "+want {
			t.Errorf("%q: got %q, want %q", c.format, got, "prefix "+want)
		}
		if got := Message(c.format, c.args...); got != want {
			t.Errorf("Message %q: got %q, want %q", c.format, got, want)
		}
	}
}

// FuzzAppendMessage compares with fmt.Sprintf on any format and a
// text, a number and bytes.
func FuzzAppendMessage(f *testing.F) {
	f.Add("writing %q and %s, %d", "x", 1, []byte("y"))
	f.Add("%v%v%v", "\"", -7, []byte{0xff})
	f.Fuzz(func(t *testing.T, format, s string, n int, b []byte) {
		args := []any{s, n, bytesArg(b)[0]}
		if want, got := fmt.Sprintf(format, args...), string(AppendMessage(nil, format, args...)); got != want {
			t.Errorf("%q: got %q, want %q", format, got, want)
		}
	})
}
