package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/parser"
)

// fuzzFrames splits the fuzzer's frames argument into binary messages: none
// when it is empty, else its parts between NUL bytes.
func fuzzFrames(frames []byte) [][]byte {
	if len(frames) == 0 {
		return nil
	}
	return bytes.Split(frames, []byte{0})
}

func joinFrames(bins [][]byte) []byte { return bytes.Join(bins, []byte{0}) }

// FuzzDecode feeds a text message and then binary messages to a Decoder. It
// checks that nothing panics, that the decoder's state machine holds, and
// that an accepted packet encodes back to text that decodes to the same
// packet, with a payload encoding/json agrees is valid JSON.
func FuzzDecode(f *testing.F) {
	for _, tc := range wireCases {
		f.Add([]byte(tc.text), joinFrames(tc.bins))
	}
	for _, tc := range rejectCases {
		if len(tc.text) < 1000 {
			f.Add([]byte(tc.text), []byte(nil))
		}
	}
	f.Add([]byte(`52-["a",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`), []byte("x\x00y\x00z"))
	f.Add([]byte(`61-/a,1[{"_placeholder":true,"num":0}]`), []byte(""))
	f.Add([]byte(`4{"message":"x","data":{"message":1}}`), []byte("\x00"))

	f.Fuzz(func(t *testing.T, text, frames []byte) {
		bins := fuzzFrames(frames)
		var d parser.Decoder
		p, err := d.Decode(text, false)
		if err != nil {
			if p != nil {
				t.Fatalf("packet and error: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "parser: ") {
				t.Fatalf("error %q does not start with parser: ", err)
			}
			for _, b := range bins {
				if _, err := d.Decode(b, true); !errors.Is(err, parser.ErrUnexpectedBinary) {
					t.Fatalf("binary after a failed text: %v", err)
				}
			}
			return
		}
		if p != nil {
			if p.Type.IsBinary() || p.Attachments != nil {
				t.Fatalf("binary packet returned before its attachments: %+v", p)
			}
		} else {
			// A binary packet: it completes with its last attachment.
			for i, b := range bins {
				q, err := d.Decode(b, true)
				if err != nil {
					if p == nil {
						t.Fatalf("attachment %d: %v", i, err)
					}
					if !errors.Is(err, parser.ErrUnexpectedBinary) {
						t.Fatalf("extra attachment %d: %v", i, err)
					}
					continue
				}
				if p != nil {
					t.Fatalf("extra attachment %d accepted", i)
				}
				p = q
			}
			if p == nil {
				return // still pending: fine
			}
			if !p.Type.IsBinary() || len(p.Attachments) == 0 {
				t.Fatalf("completed packet %+v", p)
			}
		}
		checkPacket(t, p)

		// Re-encode and decode again, with a new and with the same decoder.
		text2 := parser.AppendText(nil, p)
		for _, d2 := range []*parser.Decoder{new(parser.Decoder), &d} {
			q, err := decode(t, d2, string(text2), p.Attachments...)
			if err != nil || q == nil {
				t.Fatalf("re-decoding %q (from %q): %v, %v", text2, text, q, err)
			}
			if !samePacket(p, q) {
				t.Fatalf("round trip of %q through %q:\n got %+v\nwant %+v", text, text2, *q, *p)
			}
			if text3 := parser.AppendText(nil, q); !bytes.Equal(text2, text3) {
				t.Fatalf("second encoding %q != first %q", text3, text2)
			}
		}
	})
}

// checkPacket checks what an accepted packet promises.
func checkPacket(t *testing.T, p *parser.Packet) {
	if p.Namespace == "" || p.Namespace[0] != '/' || strings.IndexByte(p.Namespace, ',') >= 0 {
		t.Fatalf("namespace %q", p.Namespace)
	}
	if p.Data == nil {
		if p.Type != parser.Connect && p.Type != parser.Disconnect {
			t.Fatalf("%v without payload", p.Type)
		}
		return
	}
	if p.Type == parser.Disconnect {
		t.Fatalf("DISCONNECT with payload %q", p.Data)
	}
	if !json.Valid(p.Data) {
		t.Fatalf("accepted payload %q is not valid JSON to encoding/json", p.Data)
	}
	v, err := parser.Value(p.Data, p.Attachments)
	if err != nil {
		// Numbers beyond float64 are valid JSON that encoding/json cannot
		// put in an any; nothing else may fail.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Value != "number" && !strings.HasPrefix(te.Value, "number ") {
			t.Fatalf("Value(%q): %v", p.Data, err)
		}
		return
	}
	switch p.Type {
	case parser.Connect:
		if _, ok := v.(map[string]any); !ok {
			t.Fatalf("CONNECT payload %q", p.Data)
		}
	case parser.ConnectError:
		switch x := v.(type) {
		case string:
		case map[string]any:
			if _, ok := x["message"].(string); !ok {
				t.Fatalf("CONNECT_ERROR payload %q", p.Data)
			}
		default:
			t.Fatalf("CONNECT_ERROR payload %q", p.Data)
		}
	case parser.Ack, parser.BinaryAck:
		if _, ok := v.([]any); !ok {
			t.Fatalf("ACK payload %q", p.Data)
		}
	case parser.Event, parser.BinaryEvent:
		a, ok := v.([]any)
		if !ok || len(a) == 0 {
			t.Fatalf("EVENT payload %q", p.Data)
		}
		switch name := a[0].(type) {
		case float64:
		case string:
			if parser.IsReservedEvent(name) {
				t.Fatalf("reserved event name in %q", p.Data)
			}
		default:
			t.Fatalf("EVENT name in %q", p.Data)
		}
		args, err := parser.SplitArray(p.Data)
		if err != nil || len(args) != len(a) {
			t.Fatalf("SplitArray(%q) = %d elements, %v", p.Data, len(args), err)
		}
	}
	if p.Type.IsBinary() {
		// Each attachment is used by exactly one placeholder.
		if n := countBinary(v); n != len(p.Attachments) {
			t.Fatalf("%d attachments reached through Value, want %d: %q", n, len(p.Attachments), p.Data)
		}
	}
}

func countBinary(v any) int {
	switch x := v.(type) {
	case []byte:
		return 1
	case []any:
		n := 0
		for _, el := range x {
			n += countBinary(el)
		}
		return n
	case map[string]any:
		n := 0
		for _, el := range x {
			n += countBinary(el)
		}
		return n
	}
	return 0
}

// FuzzSplitArray checks SplitArray against encoding/json.
func FuzzSplitArray(f *testing.F) {
	for _, s := range []string{`[]`, ` [ 1 , "a" ] `, `["a,]",{"b":[1,{}]},null,true,-1.5e-3]`, `[1,]`, `[`, `["\u00e9\"\\"]`,
		`[{"_placeholder":true,"num":0}]`, `[01]`, "[\"\xff\"]", `[1]x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parser.SplitArray(data)
		var std []json.RawMessage
		stdErr := json.Unmarshal(data, &std)
		if stdErr == nil && std == nil {
			// encoding/json takes null into a slice, leaving it nil; null
			// is no array, and SplitArray refuses it
			stdErr = errors.New("null is not an array")
		}
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("SplitArray(%q) error %v; encoding/json error %v", data, err, stdErr)
		}
		if err != nil {
			if got != nil || !errors.Is(err, parser.ErrInvalidPayload) {
				t.Fatalf("SplitArray(%q) = %q, %v", data, got, err)
			}
			return
		}
		if len(got) != len(std) || std == nil {
			t.Fatalf("SplitArray(%q) = %q; encoding/json %q", data, got, std)
		}
		for i := range got {
			if !bytes.Equal(got[i], std[i]) {
				t.Fatalf("SplitArray(%q)[%d] = %q; encoding/json %q", data, i, got[i], std[i])
			}
		}
	})
}

// FuzzMarshalArgs checks the hand-written JSON encoding of strings, numbers
// and maps against encoding/json, and that the result splits back.
func FuzzMarshalArgs(f *testing.F) {
	f.Add("hello", "k", 1.5, int64(-3), float32(0.1))
	f.Add("<\u2028\xff\"\\\x00", "\u00e9", 1e21, int64(math.MinInt64), float32(1e-7))
	f.Add("", "", 5e-324, int64(0), float32(3.4e38))
	f.Fuzz(func(t *testing.T, s, key string, x float64, i int64, y float32) {
		args := []any{s, x, i, y, map[string]any{key: s, "z" + key: []any{x, i}}}
		data, atts, err := parser.MarshalArgs(args)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		stdErr := enc.Encode(args)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("MarshalArgs(%#v) error %v; encoding/json %v", args, err, stdErr)
		}
		if err != nil {
			return
		}
		if want := bytes.TrimSuffix(b.Bytes(), []byte("\n")); !bytes.Equal(data, want) || atts != nil {
			t.Fatalf("MarshalArgs(%#v)\n got %s\nwant %s", args, data, want)
		}
		if els, err := parser.SplitArray(data); err != nil || len(els) != len(args) {
			t.Fatalf("SplitArray(%s) = %d, %v", data, len(els), err)
		}
	})
}

// FuzzValue checks Value against encoding/json followed by a replacement of
// the placeholders, with and without attachments.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`null`, `[1,"a",{"b":[true,false,null]}]`, `{"a":1,"a":2}`, `"\u00e9\ud800\udc00\ud800x"`,
		"\"\xff\xed\xa0\x80\"", `1e400`, `-0`, `{"_placeholder":true,"num":0}`, `[{"num":1,"_placeholder":true},{"_placeholder":true,"num":0}]`,
		`{"_placeholder":true,"num":0,"_placeholder":false}`, `{"\u005fplaceholder":true,"num":1e0}`, `[{"_placeholder":true,"num":2}]`} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		atts := make([][]byte, n%4)
		for i := range atts {
			atts[i] = []byte{byte(i)}
		}
		got, err := parser.Value(data, atts)
		want, wantErr := refValue(data, atts)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Value(%q, %d) error %v; reference %v", data, len(atts), err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Value(%q, %d) = %#v; reference %#v", data, len(atts), got, want)
		}
		if errors.Is(wantErr, parser.ErrIllegalAttachments) != errors.Is(err, parser.ErrIllegalAttachments) {
			t.Fatalf("Value(%q, %d) error %v; reference %v", data, len(atts), err, wantErr)
		}
	})
}

// refValue is Value the slow way: encoding/json, then a walk that replaces
// placeholders.
func refValue(data []byte, atts [][]byte) (any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	if len(atts) == 0 {
		return v, nil
	}
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case []any:
			for i, el := range x {
				r, err := walk(el)
				if err != nil {
					return nil, err
				}
				x[i] = r
			}
		case map[string]any:
			if b, ok := x["_placeholder"].(bool); ok && b {
				f, ok := x["num"].(float64)
				if !ok || f < 0 || f >= float64(len(atts)) || f != math.Trunc(f) {
					return nil, parser.ErrIllegalAttachments
				}
				return atts[int(f)], nil
			}
			for k, el := range x {
				r, err := walk(el)
				if err != nil {
					return nil, err
				}
				x[k] = r
			}
		}
		return v, nil
	}
	return walk(v)
}
