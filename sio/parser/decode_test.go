package parser_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/parser"
)

// TestDecodeAccepts covers forms the decoder accepts beyond the wire table:
// the edges of the grammar of the Socket.IO v5 text encoding.
func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		text string
		want parser.Packet
	}{
		// Namespace without its comma, or "/" spelt out.
		{"0/custom", parser.Packet{Type: parser.Connect, Namespace: "/custom"}},
		{"1/custom", parser.Packet{Type: parser.Disconnect, Namespace: "/custom"}},
		{"0/,", parser.Packet{Type: parser.Connect, Namespace: "/"}},
		{`2/,["a"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["a"]`)}},
		{"0/", parser.Packet{Type: parser.Connect, Namespace: "/"}},
		// The namespace runs to the comma, whatever it holds.
		{`0/a{"b":1}`, parser.Packet{Type: parser.Connect, Namespace: `/a{"b":1}`}},
		{`2/a/b-c.d,["x"]`, parser.Packet{Type: parser.Event, Namespace: "/a/b-c.d", Data: raw(`["x"]`)}},
		{`2/ü,["x"]`, parser.Packet{Type: parser.Event, Namespace: "/ü", Data: raw(`["x"]`)}},
		// Ack ids: any run of digits up to the uint64 range, leading zeros too.
		{`2007["a"]`, parser.Packet{Type: parser.Event, Namespace: "/", HasID: true, ID: 7, Data: raw(`["a"]`)}},
		{`218446744073709551615["a"]`, parser.Packet{Type: parser.Event, Namespace: "/", HasID: true, ID: math.MaxUint64, Data: raw(`["a"]`)}},
		{`3/a,0[]`, parser.Packet{Type: parser.Ack, Namespace: "/a", HasID: true, ID: 0, Data: raw(`[]`)}},
		{"01", parser.Packet{Type: parser.Connect, Namespace: "/", HasID: true, ID: 1}},
		{"1/a,5", parser.Packet{Type: parser.Disconnect, Namespace: "/a", HasID: true, ID: 5}},
		// Whitespace around the JSON, as JSON.parse allows.
		{"2 [\"a\"]\t", parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(" [\"a\"]\t")}},
		{`2[ "a" , 1 ]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`[ "a" , 1 ]`)}},
		// Event names: numbers of any form, escaped strings, near-reserved names.
		{`2[1,"a",{}]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`[1,"a",{}]`)}},
		{`2[-1.5e3]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`[-1.5e3]`)}},
		{`2[""]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`[""]`)}},
		{`2["Connect"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["Connect"]`)}},
		{`2["connection"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["connection"]`)}},
		{`2["error"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["error"]`)}},
		{`2["\u00e9v\u00e9nement","日本"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["\u00e9v\u00e9nement","日本"]`)}},
		{`2["a\"b\\c"]`, parser.Packet{Type: parser.Event, Namespace: "/", Data: raw(`["a\"b\\c"]`)}},
		// ACK: any array.
		{`3[null]`, parser.Packet{Type: parser.Ack, Namespace: "/", Data: raw(`[null]`)}},
		{`31[[],{}]`, parser.Packet{Type: parser.Ack, Namespace: "/", HasID: true, ID: 1, Data: raw(`[[],{}]`)}},
		// CONNECT: any object.
		{`0{}`, parser.Packet{Type: parser.Connect, Namespace: "/", Data: raw(`{}`)}},
		{`0/a,{"token":{"x":[1,2]}}`, parser.Packet{Type: parser.Connect, Namespace: "/a", Data: raw(`{"token":{"x":[1,2]}}`)}},
		// CONNECT_ERROR: a string, or an object with a string message.
		{`4""`, parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`""`)}},
		{`4{"data":1,"message":"x"}`, parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`{"data":1,"message":"x"}`)}},
		{`4{"message":1,"message":"x"}`, parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`{"message":1,"message":"x"}`)}},
		{`4{"m\u0065ssage":"x"}`, parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(`{"m\u0065ssage":"x"}`)}},
		{`4 { "message" : "x" } `, parser.Packet{Type: parser.ConnectError, Namespace: "/", Data: raw(` { "message" : "x" } `)}},
		// Placeholders: any key order, extra keys, integral numbers of any
		// form; a placeholder nested in a placeholder is not one.
		{`51-["a",{"num":0,"_placeholder":true}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":0,"x":[1]}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":0.0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":-0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":0e5}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`52-["a",{"_placeholder":true,"num":1E0}, {"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":0,"in":{"_placeholder":true,"num":7}}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":false,"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"\u005fplaceholder":true,"n\u0075m":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":"true","num":9},{"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-["a",{"_placeholder":true,"num":9,"_placeholder":false},{"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`51-[1,{"k":[{"_placeholder":true,"num":0}]}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`501-["a",{"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`510-["a",` + placeholders(10) + `]`, parser.Packet{Type: parser.BinaryEvent, Namespace: "/"}},
		{`61-/a,[{"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryAck, Namespace: "/a"}},
		{`61-[{"_placeholder":true,"num":0}]`, parser.Packet{Type: parser.BinaryAck, Namespace: "/"}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			want := tc.want
			n := 0
			if want.Type.IsBinary() {
				n, _ = strconv.Atoi(tc.text[1:strings.IndexByte(tc.text, '-')])
				if want.Data == nil {
					want.Data = raw(tc.text[strings.IndexAny(tc.text, "[{"):])
				}
				for i := range n {
					want.Attachments = append(want.Attachments, []byte{byte(i)})
				}
			}
			var d parser.Decoder
			p, err := decode(t, &d, tc.text, want.Attachments...)
			if err != nil || p == nil {
				t.Fatalf("Decode(%q) = %v, %v", tc.text, p, err)
			}
			if !samePacket(p, &want) {
				t.Errorf("Decode(%q) = %+v, want %+v", tc.text, *p, want)
			}
		})
	}
}

// placeholders returns n placeholders numbered 0..n-1, comma-separated.
func placeholders(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"_placeholder":true,"num":` + strconv.Itoa(i) + `}`)
	}
	return b.String()
}

// rejectCase is a text packet the decoder must refuse with an error wrapping
// want.
type rejectCase struct {
	text string
	want error
}

var rejectCases = []rejectCase{
	// Rule 1: the type digit.
	{"", parser.ErrUnknownType},
	{"7", parser.ErrUnknownType},
	{"999", parser.ErrUnknownType},
	{"a", parser.ErrUnknownType},
	{"-1", parser.ErrUnknownType},
	{" 2[\"a\"]", parser.ErrUnknownType},
	{`42["hey"]`, parser.ErrInvalidPayload}, // the Engine.IO "4" left on: CONNECT_ERROR, id 2, an array
	{"\x002", parser.ErrUnknownType},
	// Rule 2: the attachment count.
	{"5", parser.ErrIllegalAttachments},
	{"6", parser.ErrIllegalAttachments},
	{"51", parser.ErrIllegalAttachments},
	{`51["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{"5-", parser.ErrIllegalAttachments},
	{`5-["a"]`, parser.ErrIllegalAttachments},
	{`50-["a"]`, parser.ErrIllegalAttachments},
	{`600-[]`, parser.ErrIllegalAttachments},
	{"5a-", parser.ErrIllegalAttachments},
	{"51.23-", parser.ErrIllegalAttachments},
	{`51.0-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`5+1-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`5 1-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`51e0-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`5-1-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`5/a,1-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`511-["a",` + placeholders(11) + `]`, parser.ErrTooManyAttachments},
	{`5100-["a"]`, parser.ErrTooManyAttachments},
	{`599999999999999999999999999999-["a"]`, parser.ErrTooManyAttachments},
	{`518446744073709551617-["a"]`, parser.ErrTooManyAttachments},
	// Rule 4: ack id overflow.
	{`218446744073709551616["a"]`, parser.ErrInvalidAckID},
	{`299999999999999999999999["a"]`, parser.ErrInvalidAckID},
	{`3/a,100000000000000000000[]`, parser.ErrInvalidAckID},
	// Rule 5 and §2.1: payload shape per type.
	{`0[]`, parser.ErrInvalidPayload},
	{`0"x"`, parser.ErrInvalidPayload},
	{`0null`, parser.ErrInvalidPayload},
	{`01.5`, parser.ErrInvalidPayload},
	{`0/admin,"invalid"`, parser.ErrInvalidPayload},
	{`0{`, parser.ErrInvalidPayload},
	{`0{}{}`, parser.ErrInvalidPayload},
	{`0 `, parser.ErrInvalidPayload},
	{`1{}`, parser.ErrInvalidPayload},
	{`1/admin,{}`, parser.ErrInvalidPayload},
	{`1[]`, parser.ErrInvalidPayload},
	{`1null`, parser.ErrInvalidPayload},
	{`1 `, parser.ErrInvalidPayload},
	{`2`, parser.ErrInvalidPayload},
	{`2/a,`, parser.ErrInvalidPayload},
	{`212`, parser.ErrInvalidPayload},
	{`2[]`, parser.ErrInvalidPayload},
	{`2[ ]`, parser.ErrInvalidPayload},
	{`2{}`, parser.ErrInvalidPayload},
	{`2/admin,{}`, parser.ErrInvalidPayload},
	{`2"x"`, parser.ErrInvalidPayload},
	{`2/admin,"invalid`, parser.ErrInvalidPayload},
	{`2[true,"foo"]`, parser.ErrInvalidPayload},
	{`2[null,"bar"]`, parser.ErrInvalidPayload},
	{`2[{"toString":"foo"}]`, parser.ErrInvalidPayload},
	{`2[["a"]]`, parser.ErrInvalidPayload},
	{`2abc["a"]`, parser.ErrInvalidPayload},
	{`2,["a"]`, parser.ErrInvalidPayload},
	{`2["a"]x`, parser.ErrInvalidPayload},
	{`2["a"],`, parser.ErrInvalidPayload},
	{`2["a"]["b"]`, parser.ErrInvalidPayload},
	{`2["a",]`, parser.ErrInvalidPayload},
	{`2["a"`, parser.ErrInvalidPayload},
	{`2["a]`, parser.ErrInvalidPayload},
	{`2['a']`, parser.ErrInvalidPayload},
	{`2[a]`, parser.ErrInvalidPayload},
	{`2["a",01]`, parser.ErrInvalidPayload},
	{`2["a",1.]`, parser.ErrInvalidPayload},
	{`2["a",.5]`, parser.ErrInvalidPayload},
	{`2["a",+1]`, parser.ErrInvalidPayload},
	{`2["a",1e]`, parser.ErrInvalidPayload},
	{`2["a",NaN]`, parser.ErrInvalidPayload},
	{`2["a",Infinity]`, parser.ErrInvalidPayload},
	{`2["a",undefined]`, parser.ErrInvalidPayload},
	{`2["a",tru]`, parser.ErrInvalidPayload},
	{`2["a",nul]`, parser.ErrInvalidPayload},
	{`2["a\x"]`, parser.ErrInvalidPayload},
	{`2["a\u12"]`, parser.ErrInvalidPayload},
	{`2["a\u12G4"]`, parser.ErrInvalidPayload},
	{"2[\"a\nb\"]", parser.ErrInvalidPayload},
	{"2[\"a\x00\"]", parser.ErrInvalidPayload},
	{`2["a",{"k"}]`, parser.ErrInvalidPayload},
	{`2["a",{"k":}]`, parser.ErrInvalidPayload},
	{`2["a",{k:1}]`, parser.ErrInvalidPayload},
	{`2["a",{"k":1,}]`, parser.ErrInvalidPayload},
	{`2["a",{"k":1]`, parser.ErrInvalidPayload},
	{`2["a"/*c*/]`, parser.ErrInvalidPayload},
	{"2\xef\xbb\xbf[\"a\"]", parser.ErrInvalidPayload}, // a BOM is not whitespace
	{"442[\"some\",\"data\"", parser.ErrInvalidPayload},
	{`2` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001), parser.ErrInvalidPayload},
	{`3`, parser.ErrInvalidPayload},
	{`312`, parser.ErrInvalidPayload},
	{`3{}`, parser.ErrInvalidPayload},
	{`3"a"`, parser.ErrInvalidPayload},
	{`31null`, parser.ErrInvalidPayload},
	{`4`, parser.ErrInvalidPayload},
	{`4/a,`, parser.ErrInvalidPayload},
	{`4{}`, parser.ErrInvalidPayload},
	{`4{"data":"x"}`, parser.ErrInvalidPayload},
	{`4{"message":1}`, parser.ErrInvalidPayload},
	{`4{"message":null}`, parser.ErrInvalidPayload},
	{`4{"message":"x","message":2}`, parser.ErrInvalidPayload},
	{`4{"Message":"x"}`, parser.ErrInvalidPayload},
	{`4{"x":{"message":"x"}}`, parser.ErrInvalidPayload},
	{`4[]`, parser.ErrInvalidPayload},
	{`4null`, parser.ErrInvalidPayload},
	{`41`, parser.ErrInvalidPayload},
	{`51-`, parser.ErrInvalidPayload},
	{`51-{"_placeholder":true,"num":0}`, parser.ErrInvalidPayload},
	{`51-[{"_placeholder":true,"num":0}]`, parser.ErrInvalidPayload},
	{`61-{"_placeholder":true,"num":0}`, parser.ErrInvalidPayload},
	{`61-/a,1`, parser.ErrInvalidPayload},
	// §2.6: reserved names, however they are spelt.
	{`2["connect"]`, parser.ErrReservedEvent},
	{`2["connect_error"]`, parser.ErrReservedEvent},
	{`2["disconnect"]`, parser.ErrReservedEvent},
	{`2["disconnect","123"]`, parser.ErrReservedEvent},
	{`2["disconnecting"]`, parser.ErrReservedEvent},
	{`2["newListener"]`, parser.ErrReservedEvent},
	{`2["removeListener",1]`, parser.ErrReservedEvent},
	{`2/admin,7["connect"]`, parser.ErrReservedEvent},
	{`2 [ "connect" ]`, parser.ErrReservedEvent},
	{`2["\u0063onnect"]`, parser.ErrReservedEvent},
	{`2["disconnect\u0069ng"]`, parser.ErrReservedEvent},
	{`2["new\u004cistener"]`, parser.ErrReservedEvent},
	{`51-["disconnect",{"_placeholder":true,"num":0}]`, parser.ErrReservedEvent},
	// §2.5: placeholders.
	{`51-["a"]`, parser.ErrIllegalAttachments},
	{`52-["a",{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":1}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":-1}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0.5}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":"0"}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":null}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":[0]}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":true}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":1e400}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":4294967296}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":9223372036854775808}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0,"num":3}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":"true","num":0}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":1,"num":0}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_Placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
	{`52-["a",{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":1}}]`, parser.ErrIllegalAttachments},
	{`52-["a",{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":1}}]`, parser.ErrIllegalAttachments},
	{`61-[]`, parser.ErrIllegalAttachments},
	{`61-/a,3[{"_placeholder":true,"num":2}]`, parser.ErrIllegalAttachments},
	{`510-["a",` + placeholders(9) + `,{"_placeholder":true,"num":0}]`, parser.ErrIllegalAttachments},
}

func TestDecodeRejects(t *testing.T) {
	var reused parser.Decoder
	for _, tc := range rejectCases {
		t.Run(tc.text[:min(len(tc.text), 60)], func(t *testing.T) {
			var d parser.Decoder
			p, err := d.Decode([]byte(tc.text), false)
			if err == nil {
				t.Fatalf("Decode(%q) = %+v, nil; want an error wrapping %v", tc.text, p, tc.want)
			}
			if p != nil {
				t.Errorf("Decode(%q) returned a packet with its error", tc.text)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("Decode(%q) = %v; want an error wrapping %v", tc.text, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parser: ") || strings.Count(err.Error(), "parser: ") != 1 {
				t.Errorf("error %q should start with one \"parser: \"", err)
			}
			// The failed packet leaves nothing pending: the same decoder
			// takes a good packet next, and binary data is unexpected.
			if _, err := d.Decode([]byte{1}, true); !errors.Is(err, parser.ErrUnexpectedBinary) {
				t.Errorf("binary after the error: %v, want ErrUnexpectedBinary", err)
			}
			if p, err := d.Decode([]byte(`2["ok"]`), false); err != nil || p == nil {
				t.Errorf("Decode after the error = %v, %v", p, err)
			}
			// One decoder across all the cases.
			if _, err := reused.Decode([]byte(tc.text), false); !errors.Is(err, tc.want) {
				t.Errorf("reused decoder: %v", err)
			}
		})
	}
}

func TestDecodeMaxAttachments(t *testing.T) {
	text := func(n int) []byte { return []byte("5" + strconv.Itoa(n) + `-["a",` + placeholders(n) + `]`) }
	tests := []struct {
		max, n int
		err    error
	}{
		{0, 10, nil},
		{0, 11, parser.ErrTooManyAttachments},
		{-5, 10, nil},
		{-5, 11, parser.ErrTooManyAttachments},
		{1, 1, nil},
		{1, 2, parser.ErrTooManyAttachments},
		{2, 3, parser.ErrTooManyAttachments},
		{9, 10, parser.ErrTooManyAttachments},
		{64, 64, nil},
		{65, 65, nil},
		{200, 200, nil},
		{200, 201, parser.ErrTooManyAttachments},
		{math.MaxInt, 100, nil},
	}
	for _, tc := range tests {
		d := parser.Decoder{MaxAttachments: tc.max}
		bins := make([][]byte, tc.n)
		for i := range bins {
			bins[i] = []byte(strconv.Itoa(i))
		}
		p, err := decode(t, &d, string(text(tc.n)), bins...)
		if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("max %d, %d attachments: err = %v, want %v", tc.max, tc.n, err, tc.err)
			continue
		}
		if err == nil && (p == nil || len(p.Attachments) != tc.n || string(p.Attachments[tc.n-1]) != strconv.Itoa(tc.n-1)) {
			t.Errorf("max %d, %d attachments: packet %+v", tc.max, tc.n, p)
		}
	}
	// Above 64 attachments, placeholders are checked another way.
	d := parser.Decoder{MaxAttachments: 100}
	for _, tc := range []struct {
		text string
		want error
	}{
		{`570-["a",` + placeholders(69) + `,{"_placeholder":true,"num":68}]`, parser.ErrIllegalAttachments},
		{`570-["a",` + placeholders(69) + `,{"_placeholder":true,"num":70}]`, parser.ErrIllegalAttachments},
		{`570-["a",` + placeholders(69) + `]`, parser.ErrIllegalAttachments},
		{`570-["a",` + placeholders(70) + `]`, nil},
	} {
		if _, err := d.Decode([]byte(tc.text), false); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("70 attachments: %v, want %v", err, tc.want)
		}
		d.Reset()
	}
	// Counts that overflow int are too many, whatever the maximum.
	for _, max := range []int{0, 10, math.MaxInt32, math.MaxInt} {
		d := parser.Decoder{MaxAttachments: max}
		for _, count := range []string{"9223372036854775807", "9223372036854775808", "18446744073709551626",
			"92233720368547758070", strings.Repeat("9", 40)} {
			_, err := d.Decode([]byte("5"+count+`-["a"]`), false)
			if !errors.Is(err, parser.ErrTooManyAttachments) && !errors.Is(err, parser.ErrIllegalAttachments) {
				t.Errorf("max %d, count %s: %v", max, count, err)
			}
			if max < math.MaxInt32 && !errors.Is(err, parser.ErrTooManyAttachments) {
				t.Errorf("max %d, count %s: %v, want ErrTooManyAttachments", max, count, err)
			}
		}
	}
}

// TestDecoderState checks the binary reconstruction state machine.
func TestDecoderState(t *testing.T) {
	const twoBins = `52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`
	a, b := []byte("first"), []byte("second")

	t.Run("complete", func(t *testing.T) {
		var d parser.Decoder
		if p, err := d.Decode([]byte(twoBins), false); p != nil || err != nil {
			t.Fatalf("text = %v, %v; want nil, nil", p, err)
		}
		if p, err := d.Decode(a, true); p != nil || err != nil {
			t.Fatalf("attachment 0 = %v, %v; want nil, nil", p, err)
		}
		p, err := d.Decode(b, true)
		if err != nil || p == nil {
			t.Fatalf("attachment 1 = %v, %v", p, err)
		}
		if p.Type != parser.BinaryEvent || len(p.Attachments) != 2 || &p.Attachments[0][0] != &a[0] || &p.Attachments[1][0] != &b[0] {
			t.Errorf("packet = %+v; want the attachments themselves, in order", p)
		}
		// Then the decoder is idle again.
		if _, err := d.Decode(a, true); !errors.Is(err, parser.ErrUnexpectedBinary) {
			t.Errorf("extra binary: %v", err)
		}
		if p, err := d.Decode([]byte(`2["y"]`), false); err != nil || p == nil {
			t.Errorf("next text = %v, %v", p, err)
		}
	})

	t.Run("text while pending", func(t *testing.T) {
		for _, next := range []string{`2["y"]`, twoBins, "", "garbage"} {
			var d parser.Decoder
			d.Decode([]byte(twoBins), false)
			d.Decode(a, true)
			p, err := d.Decode([]byte(next), false)
			if p != nil || !errors.Is(err, parser.ErrUnexpectedText) {
				t.Errorf("text %q while pending = %v, %v; want ErrUnexpectedText", next, p, err)
			}
			// The partial packet is dropped.
			if _, err := d.Decode(b, true); !errors.Is(err, parser.ErrUnexpectedBinary) {
				t.Errorf("after ErrUnexpectedText, binary: %v", err)
			}
			if p, err := d.Decode([]byte(`2["y"]`), false); err != nil || p == nil {
				t.Errorf("after ErrUnexpectedText, text: %v, %v", p, err)
			}
		}
	})

	t.Run("binary first", func(t *testing.T) {
		var d parser.Decoder
		for _, bin := range [][]byte{nil, {}, a} {
			if p, err := d.Decode(bin, true); p != nil || !errors.Is(err, parser.ErrUnexpectedBinary) {
				t.Errorf("binary %q = %v, %v; want ErrUnexpectedBinary", bin, p, err)
			}
		}
		if _, err := d.Decode([]byte(`2["y"]`), false); err != nil {
			t.Errorf("text after: %v", err)
		}
	})

	t.Run("reset", func(t *testing.T) {
		var d parser.Decoder
		d.Decode([]byte(twoBins), false)
		d.Decode(a, true)
		d.Reset()
		if _, err := d.Decode(b, true); !errors.Is(err, parser.ErrUnexpectedBinary) {
			t.Errorf("binary after Reset: %v", err)
		}
		d.Reset()
		d.Reset() // idempotent, and fine on an idle decoder
		p, err := decode(t, &d, twoBins, b, a)
		if err != nil || p == nil || string(p.Attachments[0]) != "second" || len(p.Attachments) != 2 {
			t.Errorf("packet after Reset = %+v, %v", p, err)
		}
	})

	t.Run("empty attachments", func(t *testing.T) {
		var d parser.Decoder
		p, err := decode(t, &d, twoBins, nil, []byte{})
		if err != nil || p == nil || len(p.Attachments) != 2 || len(p.Attachments[0]) != 0 {
			t.Errorf("packet = %+v, %v", p, err)
		}
	})

	t.Run("interleaved packets", func(t *testing.T) {
		// Packets of several namespaces in a row, binary and not, on one
		// decoder: each comes out whole and in order.
		var d parser.Decoder
		seq := []struct {
			text string
			bins [][]byte
			nsp  string
		}{
			{`2/a,["x"]`, nil, "/a"},
			{`61-/b,4[{"_placeholder":true,"num":0}]`, [][]byte{a}, "/b"},
			{`2/a,["x"]`, nil, "/a"},
			{twoBins, [][]byte{a, b}, "/"},
			{`3/b,9[]`, nil, "/b"},
			{`51-/b,["z",{"_placeholder":true,"num":0}]`, [][]byte{b}, "/b"},
		}
		for i, s := range seq {
			p, err := decode(t, &d, s.text, s.bins...)
			if err != nil || p == nil || p.Namespace != s.nsp || len(p.Attachments) != len(s.bins) {
				t.Fatalf("packet %d = %+v, %v", i, p, err)
			}
		}
	})
}

// TestDecodeDataAliases documents that Data and Attachments share memory
// with the decoded messages, and that a packet's slices cannot grow into
// the rest of the message.
func TestDecodeDataAliases(t *testing.T) {
	msg := []byte(`2/a,["x"]`)
	var d parser.Decoder
	p, err := d.Decode(msg, false)
	if err != nil {
		t.Fatal(err)
	}
	if &p.Data[0] != &msg[4] {
		t.Error("Data is a copy")
	}
	if cap(p.Data) != len(p.Data) {
		t.Errorf("cap(Data) = %d, len %d: appending would write past the payload", cap(p.Data), len(p.Data))
	}
}

func TestDecodeNamespaceReuse(t *testing.T) {
	var d parser.Decoder
	msg := []byte(`2/admin,["x"]`)
	if _, err := d.Decode(msg, false); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if _, err := d.Decode(msg, false); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("Decode of a text event allocates %v times; want 1 (the packet)", n)
	}
	// The namespace string is not tied to the message bytes.
	p, _ := d.Decode(msg, false)
	copy(msg, `2/zzzzz,["x"]`)
	if p.Namespace != "/admin" {
		t.Errorf("Namespace changed with the message: %q", p.Namespace)
	}
}
