package engine

import (
	"fmt"
	"testing"
)

// The debug arguments passed unformatted (bytesArg, wireFrame) must give the
// text the lines had when they were formatted on the spot.
func TestDebugArgsText(t *testing.T) {
	for _, data := range []string{"", "hello", `2["news","hi",{"n":1}]`, "é\u2028\x00\x1b[2J\"\\", "\xff\xfe"} {
		if got, want := DebugMessage(`sending packet "message" (%s)`, bytesArg([]byte(data))...), fmt.Sprintf(`sending packet "message" (%s)`, data); got != want {
			t.Errorf("sending: got %q, want %q", got, want)
		}
		if got, want := DebugMessage("received %q", bytesArg([]byte(data))...), fmt.Sprintf("received %q", data); got != want {
			t.Errorf("received: got %q, want %q", got, want)
		}
		p := Packet{Type: PacketMessage, Data: []byte(data)}
		if got, want := DebugMessage("writing %q", (*wireFrame)(&p)), fmt.Sprintf("writing %q", "4"+data); got != want {
			t.Errorf("writing: got %q, want %q", got, want)
		}
		b := Packet{Type: PacketMessage, Data: []byte(data), Binary: true}
		if got, want := DebugMessage("writing %q", (*wireFrame)(&b)), fmt.Sprintf("writing %q", fmt.Sprintf("<binary %d bytes>", len(data))); got != want {
			t.Errorf("writing binary: got %q, want %q", got, want)
		}
	}
	verbatim := DebugMessage // a message without arguments is not a format
	if got := verbatim("100% literal"); got != "100% literal" {
		t.Errorf("no args: got %q", got)
	}
}
