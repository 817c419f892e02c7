package engine

import (
	"errors"
	"fmt"
	"testing"
)

// stringer and a nil pointer to it: fmt prints "<nil>" for the latter.
type stringer struct{ s string }

func (s *stringer) String() string { return s.s }

// formatter implements fmt.Formatter, which fmt prefers to String.
type formatter struct{}

func (formatter) Format(st fmt.State, verb rune) { fmt.Fprintf(st, "formatted %c", verb) }
func (formatter) String() string                 { return "stringed" }

// TestAppendDebugMessage checks that the fast formatter writes what
// fmt.Sprintf writes, for the formats the server uses and others.
func TestAppendDebugMessage(t *testing.T) {
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
		{"received packet %s", []any{PacketPing}},
		{"closing session - reason: %s", []any{Reason("transport close")}},
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
		{"nil %v", []any{nil}},
	}
	for _, c := range cases {
		want := fmt.Sprintf(c.format, c.args...)
		if got := string(AppendDebugMessage([]byte("prefix "), c.format, c.args...)); got != "prefix "+want {
			t.Errorf("%q: got %q, want %q", c.format, got, "prefix "+want)
		}
		if got := DebugMessage(c.format, c.args...); got != want {
			t.Errorf("DebugMessage %q: got %q, want %q", c.format, got, want)
		}
	}
}

// FuzzAppendDebugMessage compares with fmt.Sprintf on any format and a
// text, a number and bytes.
func FuzzAppendDebugMessage(f *testing.F) {
	f.Add("writing %q and %s, %d", "x", 1, []byte("y"))
	f.Add("%v%v%v", "\"", -7, []byte{0xff})
	f.Fuzz(func(t *testing.T, format, s string, n int, b []byte) {
		args := []any{s, n, bytesArg(b)[0]}
		if want, got := fmt.Sprintf(format, args...), string(AppendDebugMessage(nil, format, args...)); got != want {
			t.Errorf("%q: got %q, want %q", format, got, want)
		}
	})
}
