package engine

import (
	"encoding"
	"fmt"
	"testing"
)

// The debug arguments passed unformatted (bytesArg, wireFrame) must give the
// text the lines had when they were formatted on the spot, through Format
// (fmt) and through AppendText (the fast path of a formatter, see
// Observer.Debug) alike.
func TestDebugArgsText(t *testing.T) {
	for _, data := range []string{"", "hello", `2["news","hi",{"n":1}]`, "é\u2028\x00\x1b[2J\"\\", "\xff\xfe"} {
		p := Packet{Type: PacketMessage, Data: []byte(data)}
		b := Packet{Type: PacketMessage, Data: []byte(data), Binary: true}
		for _, c := range []struct {
			name, format string
			arg          any
			want         string
		}{
			{"sending", `sending packet "message" (%s)`, bytesArg([]byte(data))[0], fmt.Sprintf(`sending packet "message" (%s)`, data)},
			{"received", "received %q", bytesArg([]byte(data))[0], fmt.Sprintf("received %q", data)},
			{"writing", "writing %q", (*wireFrame)(&p), fmt.Sprintf("writing %q", "4"+data)},
			{"writing binary", "writing %q", (*wireFrame)(&b), fmt.Sprintf("writing %q", fmt.Sprintf("<binary %d bytes>", len(data)))},
		} {
			if got := fmt.Sprintf(c.format, c.arg); got != c.want {
				t.Errorf("%s: Format gives %q, want %q", c.name, got, c.want)
			}
			text, err := c.arg.(encoding.TextAppender).AppendText([]byte("x"))
			if got := fmt.Sprintf(c.format, string(text[1:])); err != nil || got != c.want {
				t.Errorf("%s: AppendText gives %q (%v), want %q", c.name, got, err, c.want)
			}
		}
	}
}
