package parser_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/sioworkbook/workbook/sio/parser"
)

// wireCase is one packet of the Socket.IO v5 text encoding (and of the conformance suite),
// without the Engine.IO "4".
type wireCase struct {
	name string
	text string
	bins [][]byte
	want parser.Packet
}

var bin1234 = []byte{1, 2, 3, 4}

var wireCases = []wireCase{
	{"connect", "0", nil, parser.Packet{Type: parser.Connect, Namespace: "/"}},
	{"connect auth", `0{"token":"123"}`, nil,
		parser.Packet{Type: parser.Connect, Namespace: "/", Data: raw(`{"token":"123"}`)}},
	{"connect accepted", `0{"sid":"wZX3oN0bSVIhsaknAAAI"}`, nil,
		parser.Packet{Type: parser.Connect, Namespace: "/", Data: raw(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}},
	{"connect admin", "0/admin,", nil, parser.Packet{Type: parser.Connect, Namespace: "/admin"}},
	{"connect admin accepted", `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, nil,
		parser.Packet{Type: parser.Connect, Namespace: "/admin", Data: raw(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
	{"connect recovered", `0{"sid":"FnNMqRsDh9sFVcorAAAA","pid":"PziUT8NDJ9vsb8HqAAAB"}`, nil,
		parser.Packet{Type: parser.Connect, Namespace: "/", Data: raw(`{"sid":"FnNMqRsDh9sFVcorAAAA","pid":"PziUT8NDJ9vsb8HqAAAB"}`)}},
	{"refused", `4{"message":"Not authorized"}`, nil,
		parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`{"message":"Not authorized"}`)}},
	{"refused namespace", `4/random,{"message":"Invalid namespace"}`, nil,
		parser.Packet{Type: parser.ConnectError, Namespace: "/random", Data: raw(`{"message":"Invalid namespace"}`)}},
	{"refused with data", `4{"message":"no","data":{"code":7}}`, nil,
		parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`{"message":"no","data":{"code":7}}`)}},
	{"refused v4 string", `4"Not authorized"`, nil,
		parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`"Not authorized"`)}},
	{"event", `2["hey","Jude"]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["hey","Jude"]`)}},
	{"event admin", `2/admin,["bar"]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/admin", Data: raw(`["bar"]`)}},
	{"event numeric name", `2[1,"a",{}]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`[1,"a",{}]`)}},
	{"event with id", `212["foo"]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/", HasID: true, ID: 12, Data: raw(`["foo"]`)}},
	{"event admin with id", `2/admin,13["tellme"]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/admin", HasID: true, ID: 13, Data: raw(`["tellme"]`)}},
	{"event id zero", `20["x"]`, nil,
		parser.Packet{Type: parser.Event, Namespace: "/", HasID: true, ID: 0, Data: raw(`["x"]`)}},
	{"ack", `312["bar"]`, nil,
		parser.Packet{Type: parser.Ack, Namespace: "/", HasID: true, ID: 12, Data: raw(`["bar"]`)}},
	{"ack admin empty", `3/admin,13[]`, nil,
		parser.Packet{Type: parser.Ack, Namespace: "/admin", HasID: true, ID: 13, Data: raw(`[]`)}},
	{"ack suite", `3456[1,"2",{"3":[false]}]`, nil,
		parser.Packet{Type: parser.Ack, Namespace: "/", HasID: true, ID: 456, Data: raw(`[1,"2",{"3":[false]}]`)}},
	{"binary event", `51-["baz",{"_placeholder":true,"num":0}]`, [][]byte{bin1234},
		parser.Packet{Type: parser.BinaryEvent, Namespace: "/", Data: raw(`["baz",{"_placeholder":true,"num":0}]`),
			Attachments: [][]byte{bin1234}}},
	{"binary ack", `61-/admin,1[{"_placeholder":true,"num":0}]`, [][]byte{bin1234},
		parser.Packet{Type: parser.BinaryAck, Namespace: "/admin", HasID: true, ID: 1,
			Data: raw(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{bin1234}}},
	{"binary event suite", `52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
		[][]byte{{1, 2, 3}, {4, 5, 6}},
		parser.Packet{Type: parser.BinaryEvent, Namespace: "/",
			Data:        raw(`["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`),
			Attachments: [][]byte{{1, 2, 3}, {4, 5, 6}}}},
	{"binary ack suite", `62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
		[][]byte{{1, 2, 3}, {4, 5, 6}},
		parser.Packet{Type: parser.BinaryAck, Namespace: "/", HasID: true, ID: 789,
			Data:        raw(`[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`),
			Attachments: [][]byte{{1, 2, 3}, {4, 5, 6}}}},
	{"disconnect", "1", nil, parser.Packet{Type: parser.Disconnect, Namespace: "/"}},
	{"disconnect admin", "1/admin,", nil, parser.Packet{Type: parser.Disconnect, Namespace: "/admin"}},
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// decode feeds text and then bins to a new Decoder and returns the packet of
// the last call, checking that earlier calls return nil, nil.
func decode(t testing.TB, d *parser.Decoder, text string, bins ...[]byte) (*parser.Packet, error) {
	t.Helper()
	p, err := d.Decode([]byte(text), false)
	for i, b := range bins {
		if err != nil {
			return nil, err
		}
		if p != nil {
			t.Fatalf("Decode(%q) returned a packet before attachment %d", text, i)
		}
		p, err = d.Decode(b, true)
	}
	return p, err
}

func samePacket(a, b *parser.Packet) bool {
	if a.Type != b.Type || a.Namespace != b.Namespace || a.HasID != b.HasID || a.ID != b.ID ||
		!bytes.Equal(a.Data, b.Data) || (a.Data == nil) != (b.Data == nil) || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for i := range a.Attachments {
		if !bytes.Equal(a.Attachments[i], b.Attachments[i]) {
			return false
		}
	}
	return true
}

func TestAppendText(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			got := parser.AppendText(nil, &tc.want)
			if string(got) != tc.text {
				t.Errorf("AppendText = %q, want %q", got, tc.text)
			}
			// Appends to dst.
			got = parser.AppendText([]byte("4"), &tc.want)
			if string(got) != "4"+tc.text {
				t.Errorf("AppendText(\"4\") = %q, want %q", got, "4"+tc.text)
			}
		})
	}
}

func TestDecodeWire(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			var d parser.Decoder
			p, err := decode(t, &d, tc.text, tc.bins...)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.text, err)
			}
			if p == nil {
				t.Fatalf("Decode(%q) returned no packet", tc.text)
			}
			if !samePacket(p, &tc.want) {
				t.Errorf("Decode(%q) = %+v, want %+v", tc.text, *p, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	var d parser.Decoder // one decoder for all: it must be reusable
	for _, tc := range wireCases {
		text := parser.AppendText(nil, &tc.want)
		p, err := decode(t, &d, string(text), tc.want.Attachments...)
		if err != nil || p == nil {
			t.Fatalf("%s: decode(%q) = %v, %v", tc.name, text, p, err)
		}
		if !samePacket(p, &tc.want) {
			t.Errorf("%s: round trip = %+v, want %+v", tc.name, *p, tc.want)
		}
	}
}

func TestAppendTextDetails(t *testing.T) {
	tests := []struct {
		p    parser.Packet
		want string
	}{
		{parser.Packet{Type: parser.Event, Data: raw(`["a"]`)}, `2["a"]`}, // "" namespace is "/"
		{parser.Packet{Type: parser.Ack, HasID: true, ID: 18446744073709551615, Data: raw(`[]`)}, `318446744073709551615[]`},
		{parser.Packet{Type: parser.BinaryEvent, Namespace: "/a", HasID: true, ID: 7, Data: raw(`["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`),
			Attachments: [][]byte{{}, {}}}, `52-/a,7["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`},
	}
	for _, tc := range tests {
		if got := parser.AppendText(nil, &tc.p); string(got) != tc.want {
			t.Errorf("AppendText(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestAppendTextAllocs(t *testing.T) {
	p := parser.Packet{Type: parser.BinaryAck, Namespace: "/admin", HasID: true, ID: 12345,
		Data: raw(`[{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1}}}
	buf := make([]byte, 0, 128)
	if n := testing.AllocsPerRun(100, func() { buf = parser.AppendText(buf[:0], &p) }); n != 0 {
		t.Errorf("AppendText allocates %v times with room in dst", n)
	}
}

func TestTypeString(t *testing.T) {
	want := []string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}
	for i, w := range want {
		if got := parser.Type(i).String(); got != w {
			t.Errorf("Type(%d).String() = %q, want %q", i, got, w)
		}
		if got, wantBin := parser.Type(i).IsBinary(), i >= 5; got != wantBin {
			t.Errorf("Type(%d).IsBinary() = %v", i, got)
		}
	}
	if got := parser.Type(9).String(); got != "Type(9)" {
		t.Errorf("Type(9).String() = %q", got)
	}
}

func TestIsReservedEvent(t *testing.T) {
	for _, n := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		if !parser.IsReservedEvent(n) {
			t.Errorf("IsReservedEvent(%q) = false", n)
		}
	}
	for _, n := range []string{"", "Connect", "message", "connection", "error"} {
		if parser.IsReservedEvent(n) {
			t.Errorf("IsReservedEvent(%q) = true", n)
		}
	}
}
