package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// TestEncodeWire builds the event and ack packets of the Socket.IO v5 text encoding from
// Go values, as the server does, and checks the exact bytes.
func TestEncodeWire(t *testing.T) {
	type build struct {
		ack   bool
		name  string
		args  []any
		nsp   string
		id    *uint64
		want  string
		wantB [][]byte
	}
	id := func(n uint64) *uint64 { return &n }
	tests := []build{
		{name: "hey", args: []any{"Jude"}, want: `2["hey","Jude"]`},
		{name: "bar", nsp: "/admin", want: `2/admin,["bar"]`},
		{name: "foo", id: id(12), want: `212["foo"]`},
		{name: "tellme", nsp: "/admin", id: id(13), want: `2/admin,13["tellme"]`},
		{ack: true, args: []any{"bar"}, id: id(12), want: `312["bar"]`},
		{ack: true, nsp: "/admin", id: id(13), want: `3/admin,13[]`},
		{ack: true, args: []any{1, "2", map[string]any{"3": []any{false}}}, id: id(456), want: `3456[1,"2",{"3":[false]}]`},
		{name: "baz", args: []any{[]byte{1, 2, 3, 4}}, want: `51-["baz",{"_placeholder":true,"num":0}]`, wantB: [][]byte{{1, 2, 3, 4}}},
		{ack: true, args: []any{[]byte{1, 2, 3, 4}}, nsp: "/admin", id: id(1), want: `61-/admin,1[{"_placeholder":true,"num":0}]`, wantB: [][]byte{{1, 2, 3, 4}}},
		{name: "message-back", args: []any{[]byte{1, 2, 3}, []byte{4, 5, 6}},
			want: `52-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, wantB: [][]byte{{1, 2, 3}, {4, 5, 6}}},
		{ack: true, args: []any{[]byte{1, 2, 3}, []byte{4, 5, 6}}, id: id(789),
			want: `62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, wantB: [][]byte{{1, 2, 3}, {4, 5, 6}}},
	}
	for _, tc := range tests {
		var data []byte
		var atts [][]byte
		var err error
		p := parser.Packet{Type: parser.Event, Namespace: tc.nsp}
		if tc.ack {
			p.Type = parser.Ack
			data, atts, err = parser.MarshalArgs(tc.args)
		} else {
			data, atts, err = parser.MarshalEvent(tc.name, tc.args)
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.want, err)
		}
		if len(atts) > 0 {
			p.Type += parser.BinaryEvent - parser.Event
		}
		p.Data, p.Attachments = data, atts
		if tc.id != nil {
			p.HasID, p.ID = true, *tc.id
		}
		if got := parser.AppendText(nil, &p); string(got) != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if !equalBins(atts, tc.wantB) {
			t.Errorf("%s: attachments %v, want %v", tc.want, atts, tc.wantB)
		}
	}
}

func equalBins(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

type point struct {
	X, Y int
	Tag  string `json:"tag,omitempty"`
	Blob []byte `json:"blob,omitempty"`
}

type marshaler struct{}

func (marshaler) MarshalJSON() ([]byte, error) { return []byte(`{ "m" : [1, 2] }`), nil }

type textKey int

func TestMarshalArgsJSON(t *testing.T) {
	tests := []struct {
		args []any
		want string
	}{
		{nil, `[]`},
		{[]any{}, `[]`},
		{[]any{nil}, `[null]`},
		{[]any{true, false}, `[true,false]`},
		{[]any{int(-1), int8(-8), int16(-16), int32(-32), int64(math.MinInt64)}, `[-1,-8,-16,-32,-9223372036854775808]`},
		{[]any{uint(1), uint8(8), uint16(16), uint32(32), uint64(math.MaxUint64)}, `[1,8,16,32,18446744073709551615]`},
		{[]any{0.0, math.Copysign(0, -1), 1.5, -2.25, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, 5e-324, math.MaxFloat64},
			`[0,-0,1.5,-2.25,100000000000000000000,1e+21,0.000001,1e-7,123456789.125,5e-324,1.7976931348623157e+308]`},
		{[]any{float32(0.1), float32(1e21), float32(1e-7), float32(3.4028235e38)}, `[0.1,1e+21,1e-7,3.4028235e+38]`},
		{[]any{"", "a\"b\\c/d", "\b\f\n\r\t\x00\x1f\x7f", "<>&", "é日本🎉", "\u2028\u2029", "bad\xffutf8\xc3"},
			`["","a\"b\\c/d","\b\f\n\r\t\u0000\u001f` + "\x7f" + `","<>&","é日本🎉","\u2028\u2029","bad\ufffdutf8\ufffd"]`},
		{[]any{[]any{}, []any(nil), map[string]any{}, map[string]any(nil)}, `[[],null,{},null]`},
		{[]any{map[string]any{"b": 1, "a": []any{"x", nil}, "": true, "é": 2, "B": 3}}, `[{"":true,"B":3,"a":["x",null],"b":1,"é":2}]`},
		{[]any{json.RawMessage(` { "a" : [ 1 , "x y" ] } `), json.RawMessage(nil), json.RawMessage(`"s p"`)}, `[{"a":[1,"x y"]},null,"s p"]`},
		{[]any{point{X: 1, Y: 2, Tag: "<t>"}, &point{X: 3}}, `[{"X":1,"Y":2,"tag":"<t>"},{"X":3,"Y":0}]`},
		{[]any{point{Blob: []byte{1, 2, 3}}}, `[{"X":0,"Y":0,"blob":"AQID"}]`}, // []byte in a struct: base64
		{[]any{[][]byte{{1}}, map[string][]byte{"k": {2}}}, `[["AQ=="],{"k":"Ag=="}]`},
		{[]any{marshaler{}}, `[{"m":[1,2]}]`},
		{[]any{map[textKey]int{2: 1, 10: 2}}, `[{"10":2,"2":1}]`},
		{[]any{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, `["2024-01-02T03:04:05Z"]`},
		{[]any{[]string{"a"}, []int{1, 2}, map[string]string{"z": "<", "a": ">"}}, `[["a"],[1,2],{"a":">","z":"<"}]`},
		{[]any{(*point)(nil), any(nil)}, `[null,null]`},
	}
	for _, tc := range tests {
		data, atts, err := parser.MarshalArgs(tc.args)
		if err != nil {
			t.Errorf("MarshalArgs(%#v): %v", tc.args, err)
			continue
		}
		if string(data) != tc.want {
			t.Errorf("MarshalArgs(%#v)\n got %s\nwant %s", tc.args, data, tc.want)
		}
		if atts != nil {
			t.Errorf("MarshalArgs(%#v) attachments = %v, want nil", tc.args, atts)
		}
		// Without HTML escaping, what encoding/json writes.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if tc.args == nil {
			tc.args = []any{}
		}
		if err := enc.Encode(tc.args); err == nil && strings.TrimSuffix(b.String(), "\n") != string(data) {
			t.Errorf("MarshalArgs(%#v) = %s; encoding/json writes %s", tc.args, data, b.String())
		}
	}
}

func TestMarshalEvent(t *testing.T) {
	data, atts, err := parser.MarshalEvent("ev\"<", []any{1, "x"})
	if err != nil || string(data) != `["ev\"<",1,"x"]` || atts != nil {
		t.Errorf(`MarshalEvent = %s, %v, %v`, data, atts, err)
	}
	data, _, err = parser.MarshalEvent("", nil)
	if err != nil || string(data) != `[""]` {
		t.Errorf(`MarshalEvent("", nil) = %s, %v`, data, err)
	}
	for _, name := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		data, atts, err := parser.MarshalEvent(name, []any{1})
		if !errors.Is(err, parser.ErrReservedEvent) || data != nil || atts != nil {
			t.Errorf("MarshalEvent(%q) = %s, %v, %v; want ErrReservedEvent", name, data, atts, err)
		}
	}
	// Near-reserved names are fine.
	for _, name := range []string{"Connect", "connection", "error", "disconnect ", "message"} {
		if _, _, err := parser.MarshalEvent(name, nil); err != nil {
			t.Errorf("MarshalEvent(%q): %v", name, err)
		}
	}
}

// TestMarshalBinary checks placeholders: numbering depth-first, in the order
// of the JSON text, map keys sorted, at every depth of []any and
// map[string]any, and the attachments not copied.
func TestMarshalBinary(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	a0, a1, a2, a3, a4, a5 := b("a0"), b("a1"), b("a2"), b("a3"), b("a4"), b("a5")
	args := []any{
		a0,
		map[string]any{
			"z": a3,
			"a": []any{a1, map[string]any{"deep": []any{[]any{a2}}}},
			"m": "text",
		},
		[]any{a4, "x", nil},
		"tail",
		map[string]any{"empty": []byte{}, "nil": []byte(nil)},
		a5,
	}
	data, atts, err := parser.MarshalEvent("up", args)
	if err != nil {
		t.Fatal(err)
	}
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	want := `["up",` + ph("0") + `,{"a":[` + ph("1") + `,{"deep":[[` + ph("2") + `]]}],"m":"text","z":` + ph("3") + `},[` + ph("4") +
		`,"x",null],"tail",{"empty":` + ph("5") + `,"nil":` + ph("6") + `},` + ph("7") + `]`
	if string(data) != want {
		t.Errorf("data\n got %s\nwant %s", data, want)
	}
	wantAtts := [][]byte{a0, a1, a2, a3, a4, {}, nil, a5}
	if !equalBins(atts, wantAtts) {
		t.Fatalf("attachments = %q, want %q", atts, wantAtts)
	}
	if &atts[0][0] != &a0[0] || &atts[7][0] != &a5[0] {
		t.Error("attachments are copies")
	}

	// The text decodes back, attachments in place, through the wire.
	p := parser.Packet{Type: parser.BinaryEvent, Namespace: "/up", HasID: true, ID: 3, Data: data, Attachments: atts}
	text := parser.AppendText(nil, &p)
	if !bytes.HasPrefix(text, []byte("58-/up,3[")) {
		t.Errorf("text = %s", text)
	}
	var d parser.Decoder
	got, err := decode(t, &d, string(text), atts...)
	if err != nil || got == nil || !samePacket(got, &p) {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	v, err := parser.Value(got.Data, got.Attachments)
	if err != nil {
		t.Fatal(err)
	}
	back := v.([]any)
	if s := back[0].(string); s != "up" {
		t.Errorf("name = %q", s)
	}
	if x := back[2].(map[string]any)["a"].([]any)[1].(map[string]any)["deep"].([]any)[0].([]any)[0].([]byte); string(x) != "a2" {
		t.Errorf("deep attachment = %q", x)
	}
	if x := back[2].(map[string]any)["z"].([]byte); string(x) != "a3" {
		t.Errorf("z = %q", x)
	}
	if x := back[6].([]byte); string(x) != "a5" {
		t.Errorf("last = %q", x)
	}

	// MarshalArgs numbers the same way.
	data2, atts2, err := parser.MarshalArgs(args)
	if err != nil || string(data2) != `[`+strings.TrimPrefix(want, `["up",`) || !equalBins(atts2, wantAtts) {
		t.Errorf("MarshalArgs = %s, %q, %v", data2, atts2, err)
	}
}

func TestMarshalErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	cyclicMap := map[string]any{}
	cyclicMap["self"] = cyclicMap
	deep := any("x")
	for range 10001 {
		deep = []any{deep}
	}
	tests := []struct {
		name string
		arg  any
	}{
		{"NaN", math.NaN()},
		{"+Inf", math.Inf(1)},
		{"-Inf float32", float32(math.Inf(-1))},
		{"NaN in map", map[string]any{"a": []any{math.NaN()}}},
		{"channel", make(chan int)},
		{"func", func() {}},
		{"complex", complex(1, 2)},
		{"cyclic slice", cyclic},
		{"cyclic map", cyclicMap},
		{"too deep", deep},
		{"invalid RawMessage", json.RawMessage(`{"a":`)},
		{"empty RawMessage", json.RawMessage{}},
		{"two values RawMessage", json.RawMessage(`1 2`)},
		{"map with bad value", map[string]chan int{"a": nil}},
	}
	for _, tc := range tests {
		data, atts, err := parser.MarshalArgs([]any{[]byte("x"), tc.arg})
		if err == nil {
			t.Errorf("%s: MarshalArgs = %s, nil; want an error", tc.name, data)
			continue
		}
		if data != nil || atts != nil {
			t.Errorf("%s: data and attachments returned with the error", tc.name)
		}
		if !strings.HasPrefix(err.Error(), "parser: ") {
			t.Errorf("%s: error %q does not start with \"parser: \"", tc.name, err)
		}
		if _, _, err := parser.MarshalEvent("e", []any{tc.arg}); err == nil {
			t.Errorf("%s: MarshalEvent succeeded", tc.name)
		}
		// A failed call leaves nothing behind in the pooled buffers.
		data, atts, err = parser.MarshalArgs([]any{"ok"})
		if err != nil || string(data) != `["ok"]` || atts != nil {
			t.Errorf("%s: next call = %s, %v, %v", tc.name, data, atts, err)
		}
	}
	// 10000 levels are fine.
	ok := any("x")
	for range 9990 {
		ok = []any{ok}
	}
	if _, _, err := parser.MarshalArgs([]any{ok}); err != nil {
		t.Errorf("9990 levels: %v", err)
	}
}

// TestMarshalResultsOwned checks that results do not share the pooled
// buffers: a later call does not change an earlier result.
func TestMarshalResultsOwned(t *testing.T) {
	d1, a1, _ := parser.MarshalEvent("first", []any{[]byte("1")})
	d2, a2, _ := parser.MarshalEvent("other", []any{[]byte("2"), []byte("3")})
	if string(d1) != `["first",{"_placeholder":true,"num":0}]` || len(a1) != 1 || string(a1[0]) != "1" {
		t.Errorf("first result changed: %s %q", d1, a1)
	}
	if len(a2) != 2 {
		t.Errorf("second: %s %q", d2, a2)
	}
	d1 = append(d1, "garbage"...)
	d3, _, _ := parser.MarshalEvent("third", nil)
	if string(d3) != `["third"]` {
		t.Errorf("third = %s", d3)
	}
}

func TestMarshalConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bin := []byte{byte(g)}
			for i := range 200 {
				data, atts, err := parser.MarshalEvent("e", []any{g, bin, map[string]any{"i": i}})
				if err != nil || len(atts) != 1 || atts[0][0] != byte(g) {
					t.Errorf("goroutine %d: %s %v %v", g, data, atts, err)
					return
				}
				args, err := parser.SplitArray(data)
				if err != nil || len(args) != 4 || string(args[1]) != string(rune('0'+g)) {
					t.Errorf("goroutine %d: %s", g, data)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestMarshalAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	args := []any{"hello", 42, true}
	if n := testing.AllocsPerRun(100, func() { parser.MarshalEvent("chat", args) }); n > 1 {
		t.Errorf("MarshalEvent of small args allocates %v times, want 1", n)
	}
	bin := []any{"f.png", []byte{1, 2, 3}}
	if n := testing.AllocsPerRun(100, func() { parser.MarshalEvent("up", bin) }); n > 2 {
		t.Errorf("MarshalEvent with binary allocates %v times, want 2", n)
	}
}
