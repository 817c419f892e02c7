package inspector_test

import (
	"testing"

	"github.com/sioworkbook/workbook/inspector"
)

func TestDecodeSIO(t *testing.T) {
	tests := []struct {
		in          string
		typ, nsp    string
		event       string
		hasEvent    bool
		ack         int64
		hasAck      bool
		args        string
		attachments int
	}{
		{in: `0`, typ: "CONNECT", nsp: "/"},
		{in: `0{"token":"x"}`, typ: "CONNECT", nsp: "/", args: `{"token":"x"}`},
		{in: `0/admin,{"sid":"abc"}`, typ: "CONNECT", nsp: "/admin", args: `{"sid":"abc"}`},
		{in: `0/admin`, typ: "CONNECT", nsp: "/admin"},
		{in: `1`, typ: "DISCONNECT", nsp: "/"},
		{in: `1/admin,`, typ: "DISCONNECT", nsp: "/admin"},
		{in: `2["chat",{"a":1},"b"]`, typ: "EVENT", nsp: "/", event: "chat", hasEvent: true, args: `[{"a":1},"b"]`},
		{in: `2["noargs"]`, typ: "EVENT", nsp: "/", event: "noargs", hasEvent: true, args: `[]`},
		{in: `2[ "sp" , 1 ]`, typ: "EVENT", nsp: "/", event: "sp", hasEvent: true, args: `[1]`},
		{in: `2["es\"c"]`, typ: "EVENT", nsp: "/", event: `es"c`, hasEvent: true, args: `[]`},
		{in: `2[42,"x"]`, typ: "EVENT", nsp: "/", event: "42", hasEvent: true, args: `["x"]`},
		{in: `212["echo","hi"]`, typ: "EVENT", nsp: "/", event: "echo", hasEvent: true, ack: 12, hasAck: true, args: `["hi"]`},
		{in: `2/chat,7["m"]`, typ: "EVENT", nsp: "/chat", event: "m", hasEvent: true, ack: 7, hasAck: true, args: `[]`},
		{in: `30["ok",1]`, typ: "ACK", nsp: "/", ack: 0, hasAck: true, args: `["ok",1]`},
		{in: `3/a,5[]`, typ: "ACK", nsp: "/a", ack: 5, hasAck: true, args: `[]`},
		{in: `4{"message":"Not authorized"}`, typ: "CONNECT_ERROR", nsp: "/", args: `{"message":"Not authorized"}`},
		{in: `4"legacy"`, typ: "CONNECT_ERROR", nsp: "/", args: `"legacy"`},
		{in: `51-["up",{"_placeholder":true,"num":0}]`, typ: "BINARY_EVENT", nsp: "/", event: "up", hasEvent: true,
			args: `[{"_placeholder":true,"num":0}]`, attachments: 1},
		{in: `52-/b,3["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, typ: "BINARY_EVENT", nsp: "/b",
			event: "x", hasEvent: true, ack: 3, hasAck: true, args: `[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, attachments: 2},
		{in: `61-9[{"_placeholder":true,"num":0}]`, typ: "BINARY_ACK", nsp: "/", ack: 9, hasAck: true,
			args: `[{"_placeholder":true,"num":0}]`, attachments: 1},
		// Invalid on the wire, kept as far as it goes.
		{in: `2garbage`, typ: "EVENT", nsp: "/"},
		{in: `2{"not":"an array"}`, typ: "EVENT", nsp: "/", args: `{"not":"an array"}`},
		{in: `2["connect"]`, typ: "EVENT", nsp: "/", event: "connect", hasEvent: true, args: `[]`},
		{in: `399999999999999999999["x"]`, typ: "ACK", nsp: "/", args: `["x"]`}, // id out of range: dropped
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, nsp, event, hasEvent, ack, hasAck, args, att, ok := inspector.DecodeSIO([]byte(tt.in))
			if !ok {
				t.Fatal("not decoded")
			}
			if typ != tt.typ || nsp != tt.nsp || event != tt.event || hasEvent != tt.hasEvent ||
				ack != tt.ack || hasAck != tt.hasAck || args != tt.args || att != tt.attachments {
				t.Errorf("got %s %q %q(%v) ack %d(%v) args %s att %d", typ, nsp, event, hasEvent, ack, hasAck, args, att)
			}
		})
	}
	for _, in := range []string{"", "7", "x", "probe"} {
		if _, _, _, _, _, _, _, _, ok := inspector.DecodeSIO([]byte(in)); ok {
			t.Errorf("%q decoded", in)
		}
	}
}
