package parser_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/parser"
)

func TestSplitArray(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`[]`, []string{}},
		{` [ ] `, []string{}},
		{"\t[\n]\r\n", []string{}},
		{`[1]`, []string{`1`}},
		{`["a",1,true,false,null,{},[]]`, []string{`"a"`, `1`, `true`, `false`, `null`, `{}`, `[]`}},
		{` [ "a" , { "b" : [ 1 , 2 ] } ,[ ] ] `, []string{`"a"`, `{ "b" : [ 1 , 2 ] }`, `[ ]`}},
		{`["a,b","c]d","e[f","g\"h,","i\\",{"j,k":"]"}]`, []string{`"a,b"`, `"c]d"`, `"e[f"`, `"g\"h,"`, `"i\\"`, `{"j,k":"]"}`}},
		{`["é","日本語","🎉","\u00e9","\ud83c\udf89","\u2028"]`, []string{`"é"`, `"日本語"`, `"🎉"`, `"\u00e9"`, `"\ud83c\udf89"`, `"\u2028"`}},
		{`[-0,1.5e-300,12345678901234567890123,1E+2]`, []string{`-0`, `1.5e-300`, `12345678901234567890123`, `1E+2`}},
		{`[[[[]]],{"_placeholder":true,"num":0}]`, []string{`[[[]]]`, `{"_placeholder":true,"num":0}`}},
		{`["` + strings.Repeat("x", 1000) + `"]`, []string{`"` + strings.Repeat("x", 1000) + `"`}},
	}
	for _, tc := range tests {
		got, err := parser.SplitArray(raw(tc.in))
		if err != nil {
			t.Errorf("SplitArray(%s): %v", tc.in, err)
			continue
		}
		if got == nil || len(got) != len(tc.want) {
			t.Errorf("SplitArray(%s) = %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if string(got[i]) != tc.want[i] {
				t.Errorf("SplitArray(%s)[%d] = %s, want %s", tc.in, i, got[i], tc.want[i])
			}
			if cap(got[i]) != len(got[i]) {
				t.Errorf("SplitArray(%s)[%d]: cap %d > len %d", tc.in, i, cap(got[i]), len(got[i]))
			}
		}
	}

	// Elements share the input's memory.
	in := raw(`["abc"]`)
	got, _ := parser.SplitArray(in)
	if &got[0][0] != &in[1] {
		t.Error("elements are copies")
	}

	// Many elements.
	many := "[" + strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + "]"
	if got, err := parser.SplitArray(raw(many)); err != nil || len(got) != 1000 {
		t.Errorf("1000 elements: %d, %v", len(got), err)
	}
}

func TestSplitArrayRejects(t *testing.T) {
	for _, in := range []string{
		``, ` `, `null`, `{}`, `"[]"`, `1`, `[`, `]`, `[,]`, `[1,]`, `[,1]`, `[1 2]`, `[1;2]`, `[1]]`, `[1],`, `[1][2]`,
		`[] x`, `[]]`, `[1,[2]`, `["a]`, `["\q"]`, `[01]`, `[tru]`, `[{]`, `[{"a"}]`, `[{"a":1,}]`, `[NaN]`,
		"[\"a\x01\"]", "\xef\xbb\xbf[]", `[` + strings.Repeat("[", 10000) + strings.Repeat("]", 10001),
	} {
		got, err := parser.SplitArray(raw(in))
		if err == nil {
			t.Errorf("SplitArray(%q) = %q, nil; want an error", in, got)
			continue
		}
		if !errors.Is(err, parser.ErrInvalidPayload) || !strings.HasPrefix(err.Error(), "parser: invalid JSON: ") {
			t.Errorf("SplitArray(%q) error %q: want a \"parser: invalid JSON\" ErrInvalidPayload", in[:min(len(in), 40)], err)
		}
		if got != nil {
			t.Errorf("SplitArray(%q) returned elements with its error", in)
		}
	}
	// 10000 levels in all is the limit.
	ok := `[` + strings.Repeat("[", 9999) + strings.Repeat("]", 10000)
	if _, err := parser.SplitArray(raw(ok)); err != nil {
		t.Errorf("10000 levels: %v", err)
	}
}

// TestSplitArrayMatchesJSON checks SplitArray against encoding/json on
// valid and invalid texts.
func TestSplitArrayMatchesJSON(t *testing.T) {
	for _, in := range []string{
		`[1,"2",{"3":[4]}]`, `[1e5, -0.0, "\u0000"]`, `[{"a":1,"a":2}]`, `["\ud800"]`, "[\"\xff\"]", `[1,2`, `[1e+]`, `[-]`, `[0x10]`,
	} {
		var std []json.RawMessage
		stdErr := json.Unmarshal([]byte(in), &std)
		got, err := parser.SplitArray(raw(in))
		if (err == nil) != (stdErr == nil) {
			t.Errorf("SplitArray(%q) err %v; encoding/json err %v", in, err, stdErr)
			continue
		}
		for i := range got {
			if string(got[i]) != string(std[i]) {
				t.Errorf("SplitArray(%q)[%d] = %s; encoding/json %s", in, i, got[i], std[i])
			}
		}
	}
}

type upload struct {
	Name  string   `json:"name"`
	Data  []byte   `json:"data"`
	Parts [][]byte `json:"parts"`
	Meta  struct {
		Thumb []byte `json:"thumb"`
		Size  int    `json:"size"`
	} `json:"meta"`
	Any any `json:"any"`
}

func TestUnmarshal(t *testing.T) {
	atts := [][]byte{[]byte("zero"), []byte("one"), {}, {0xff, 0x00}}
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }

	t.Run("*[]byte is the attachment", func(t *testing.T) {
		for _, in := range []string{ph("0"), " \n" + ph("0") + "\t", `{"num":0,"_placeholder":true}`, `{"_placeholder":true,"num":0,"extra":{"_placeholder":true,"num":9}}`} {
			var b []byte
			if err := parser.Unmarshal(raw(in), atts, &b); err != nil {
				t.Fatalf("Unmarshal(%s): %v", in, err)
			}
			if &b[0] != &atts[0][0] {
				t.Errorf("Unmarshal(%s) into *[]byte = %q, not the attachment itself", in, b)
			}
		}
		var b []byte
		if err := parser.Unmarshal(raw(ph("2")), atts, &b); err != nil || b == nil || len(b) != 0 {
			t.Errorf("empty attachment = %v, %v", b, err)
		}
		// Not a placeholder: what encoding/json does with a base64 string.
		if err := parser.Unmarshal(raw(`"AQID"`), atts, &b); err != nil || string(b) != "\x01\x02\x03" {
			t.Errorf("base64 string = %v, %v", b, err)
		}
		if err := parser.Unmarshal(raw(`null`), atts, &b); err != nil || b != nil {
			t.Errorf("null = %v, %v", b, err)
		}
	})

	t.Run("typed struct", func(t *testing.T) {
		in := `{"name":"a.png","data":` + ph("1") + `,"parts":[` + ph("3") + `,` + ph("0") + `],"meta":{"thumb":` + ph("2") + `,"size":7},"any":` + ph("0") + `}`
		var u upload
		if err := parser.Unmarshal(raw(in), atts, &u); err != nil {
			t.Fatal(err)
		}
		if u.Name != "a.png" || string(u.Data) != "one" || len(u.Parts) != 2 || string(u.Parts[0]) != "\xff\x00" ||
			string(u.Parts[1]) != "zero" || u.Meta.Thumb == nil || len(u.Meta.Thumb) != 0 || u.Meta.Size != 7 {
			t.Errorf("got %+v", u)
		}
		// A []byte field gets a copy; an any field the base64 text.
		if &u.Data[0] == &atts[1][0] {
			t.Error("struct field shares the attachment")
		}
		if u.Any != "emVybw==" {
			t.Errorf("any field = %#v, want the base64 string", u.Any)
		}
	})

	t.Run("[][]byte", func(t *testing.T) {
		var bs [][]byte
		if err := parser.Unmarshal(raw(`[`+ph("1")+`,`+ph("0")+`]`), atts, &bs); err != nil || len(bs) != 2 || string(bs[0]) != "one" || string(bs[1]) != "zero" {
			t.Errorf("got %q, %v", bs, err)
		}
	})

	t.Run("generic targets", func(t *testing.T) {
		in := raw(`[1,` + ph("1") + `,{"k":[` + ph("0") + `]}]`)
		var a any
		if err := parser.Unmarshal(in, atts, &a); err != nil {
			t.Fatal(err)
		}
		want := []any{1.0, atts[1], map[string]any{"k": []any{atts[0]}}}
		if !reflect.DeepEqual(a, want) {
			t.Errorf("*any = %#v", a)
		}
		var s []any
		if err := parser.Unmarshal(in, atts, &s); err != nil || !reflect.DeepEqual(s, want) {
			t.Errorf("*[]any = %#v, %v", s, err)
		}
		var m map[string]any
		if err := parser.Unmarshal(raw(`{"x":`+ph("3")+`}`), atts, &m); err != nil || string(m["x"].([]byte)) != "\xff\x00" {
			t.Errorf("*map = %#v, %v", m, err)
		}
		// Null into the generic containers, and type mismatches.
		s, m = []any{1}, map[string]any{"a": 1}
		if err := parser.Unmarshal(raw(`null`), atts, &s); err != nil || s != nil {
			t.Errorf("null into *[]any = %v, %v", s, err)
		}
		if err := parser.Unmarshal(raw(`null`), atts, &m); err != nil || m != nil {
			t.Errorf("null into *map = %v, %v", m, err)
		}
		var te *json.UnmarshalTypeError
		if err := parser.Unmarshal(raw(`{"a":`+ph("0")+`}`), atts, &s); !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "parser: ") {
			t.Errorf("object into *[]any: %v", err)
		}
		if err := parser.Unmarshal(raw(`[`+ph("0")+`]`), atts, &m); !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "parser: ") {
			t.Errorf("array into *map: %v", err)
		}
		if err := parser.Unmarshal(raw(ph("0")), atts, &s); !errors.As(err, &te) || !strings.Contains(err.Error(), "binary") {
			t.Errorf("attachment into *[]any: %v", err)
		}
	})

	t.Run("without attachments", func(t *testing.T) {
		// Placeholders stay plain objects, as in a text packet.
		var m map[string]any
		if err := parser.Unmarshal(raw(ph("0")), nil, &m); err != nil || m["_placeholder"] != true || m["num"] != 0.0 {
			t.Errorf("got %#v, %v", m, err)
		}
		var b []byte
		if err := parser.Unmarshal(raw(ph("0")), nil, &b); err == nil {
			t.Error("placeholder into *[]byte without attachments: no error")
		}
		// Attachments but no placeholder in this element.
		var n int
		if err := parser.Unmarshal(raw(`42`), atts, &n); err != nil || n != 42 {
			t.Errorf("42 = %d, %v", n, err)
		}
	})

	t.Run("numbers, unicode, escapes", func(t *testing.T) {
		var u uint64
		if err := parser.Unmarshal(raw(`18446744073709551615`), nil, &u); err != nil || u != math.MaxUint64 {
			t.Errorf("uint64 = %d, %v", u, err)
		}
		var i int64
		if err := parser.Unmarshal(raw(`-9223372036854775808`), atts, &i); err != nil || i != math.MinInt64 {
			t.Errorf("int64 = %d, %v", i, err)
		}
		var num json.Number
		if err := parser.Unmarshal(raw(`123456789012345678901234567890`), nil, &num); err != nil || num != "123456789012345678901234567890" {
			t.Errorf("json.Number = %s, %v", num, err)
		}
		var f float64
		if err := parser.Unmarshal(raw(`1e400`), nil, &f); err == nil {
			t.Error("1e400 into float64: no error")
		}
		var s string
		if err := parser.Unmarshal(raw(`"\u00e9\ud83c\udf89\n\"\\\/日本"`), atts, &s); err != nil || s != "é🎉\n\"\\/日本" {
			t.Errorf("string = %q, %v", s, err)
		}
		if err := parser.Unmarshal(raw(`"\ud800"`), nil, &s); err != nil || s != "\ufffd" {
			t.Errorf("lone surrogate = %q, %v", s, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		var a any
		for _, in := range []string{ph("4"), ph("-1"), ph("0.5"), ph(`"0"`), `{"_placeholder":true}`, `[` + ph("0") + `,` + ph("9") + `]`} {
			if err := parser.Unmarshal(raw(in), atts, &a); !errors.Is(err, parser.ErrIllegalAttachments) {
				t.Errorf("Unmarshal(%s) = %v, want ErrIllegalAttachments", in, err)
			}
			var b []byte
			if err := parser.Unmarshal(raw(in), atts, &b); !errors.Is(err, parser.ErrIllegalAttachments) {
				t.Errorf("Unmarshal(%s) into *[]byte = %v, want ErrIllegalAttachments", in, err)
			}
			var u upload
			if err := parser.Unmarshal(raw(in), atts, &u); !errors.Is(err, parser.ErrIllegalAttachments) {
				t.Errorf("Unmarshal(%s) into struct = %v, want ErrIllegalAttachments", in, err)
			}
		}
		for _, in := range []string{``, `{`, `[1,]`, `1 2`, `nul`} {
			for _, at := range [][][]byte{nil, atts} {
				err := parser.Unmarshal(raw(in), at, &a)
				if !errors.Is(err, parser.ErrInvalidPayload) || !strings.HasPrefix(err.Error(), "parser: ") {
					t.Errorf("Unmarshal(%q, %d attachments) = %v", in, len(at), err)
				}
			}
		}
		var n int
		err := parser.Unmarshal(raw(`"x"`), atts, &n)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "parser: ") {
			t.Errorf("type error = %v", err)
		}
		if err := parser.Unmarshal(raw(`1`), nil, nil); err == nil {
			t.Error("nil target: no error")
		}
		if err := parser.Unmarshal(raw(`1`), nil, n); err == nil {
			t.Error("non-pointer target: no error")
		}
	})
}

func TestValue(t *testing.T) {
	atts := [][]byte{[]byte("zero"), []byte("one")}
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	tests := []struct {
		in   string
		atts [][]byte
		want any
	}{
		{`null`, nil, nil},
		{`true`, nil, true},
		{` false `, atts, false},
		{`-12.5e1`, nil, -125.0},
		{`9007199254740993`, nil, 9007199254740992.0}, // beyond 2^53: rounded, as in JavaScript
		{`12345678901234567890`, nil, 12345678901234567890.0},
		{`1e-400`, nil, 0.0},
		{`"é\u00e9\ud83c\udf89\t"`, nil, "éé🎉\t"},
		{`"` + "\xff" + `"`, nil, "\ufffd"},
		{`[]`, atts, []any{}},
		{`{}`, atts, map[string]any{}},
		{ph("1"), atts, []byte("one")},
		{ph("1"), nil, map[string]any{"_placeholder": true, "num": 1.0}},
		{`{"num":1.0,"_placeholder":true}`, atts, []byte("one")},
		{`{"\u005fplaceholder":true,"num":0}`, atts, []byte("zero")},
		{`{"_placeholder":false,"num":0}`, atts, map[string]any{"_placeholder": false, "num": 0.0}},
		{`{"_placeholder":"true","num":0}`, atts, map[string]any{"_placeholder": "true", "num": 0.0}},
		{`{"_placeholder":true,"num":0,"_placeholder":false}`, atts, map[string]any{"_placeholder": false, "num": 0.0}},
		{`[1,"a",[` + ph("0") + `,{"b":{"c":[` + ph("1") + `]}}]]`, atts,
			[]any{1.0, "a", []any{[]byte("zero"), map[string]any{"b": map[string]any{"c": []any{[]byte("one")}}}}}},
		{`{"_placeholder":true,"num":1,"in":` + ph("7") + `}`, atts, []byte("one")}, // nested in a placeholder: ignored
	}
	for _, tc := range tests {
		got, err := parser.Value(raw(tc.in), tc.atts)
		if err != nil {
			t.Errorf("Value(%s): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Value(%s) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
	// Attachments are not copied.
	got, _ := parser.Value(raw(ph("0")), atts)
	if &got.([]byte)[0] != &atts[0][0] {
		t.Error("Value copies attachments")
	}

	for _, tc := range []struct {
		in   string
		want error
	}{
		{ph("2"), parser.ErrIllegalAttachments},
		{ph("-1"), parser.ErrIllegalAttachments},
		{ph("0.5"), parser.ErrIllegalAttachments},
		{ph("null"), parser.ErrIllegalAttachments},
		{`{"_placeholder":true}`, parser.ErrIllegalAttachments},
		{`[[{"x":` + ph("5") + `}]]`, parser.ErrIllegalAttachments},
	} {
		if v, err := parser.Value(raw(tc.in), atts); !errors.Is(err, tc.want) || v != nil {
			t.Errorf("Value(%s) = %v, %v; want %v", tc.in, v, err, tc.want)
		}
	}
	for _, in := range []string{``, `[`, `{"a"}`, `1 2`, `1e400`, `-1e400`} {
		if v, err := parser.Value(raw(in), nil); err == nil || !strings.HasPrefix(err.Error(), "parser: ") {
			t.Errorf("Value(%q) = %v, %v; want a parser error", in, v, err)
		}
	}
}

// TestDecodeThenRead goes from wire bytes to Go values, the way the sio
// package reads events.
func TestDecodeThenRead(t *testing.T) {
	var d parser.Decoder
	text := `51-/files,7["upload",{"name":"a.png","data":{"_placeholder":true,"num":0}},"x"]`
	p, err := decode(t, &d, text, []byte{0x89, 'P', 'N', 'G'})
	if err != nil {
		t.Fatal(err)
	}
	args, err := parser.SplitArray(p.Data)
	if err != nil || len(args) != 3 {
		t.Fatalf("SplitArray = %q, %v", args, err)
	}
	var name string
	if err := parser.Unmarshal(args[0], p.Attachments, &name); err != nil || name != "upload" {
		t.Errorf("name = %q, %v", name, err)
	}
	var f struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	if err := parser.Unmarshal(args[1], p.Attachments, &f); err != nil || f.Name != "a.png" || string(f.Data) != "\x89PNG" {
		t.Errorf("file = %+v, %v", f, err)
	}
	v, err := parser.Value(args[1], p.Attachments)
	if err != nil || string(v.(map[string]any)["data"].([]byte)) != "\x89PNG" {
		t.Errorf("Value = %#v, %v", v, err)
	}
}
