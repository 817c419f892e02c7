package parser_test

import (
	"testing"

	"github.com/sioworkbook/workbook/sio/parser"
)

func BenchmarkMarshalEvent(b *testing.B) {
	b.Run("small", func(b *testing.B) {
		args := []any{"hello", 42, true}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := parser.MarshalEvent("chat", args); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("object", func(b *testing.B) {
		args := []any{map[string]any{"user": "alice", "text": "hello world", "room": "lobby", "ts": 1700000000123}}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := parser.MarshalEvent("message", args); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		args := []any{"a.png", make([]byte, 1024), map[string]any{"thumb": make([]byte, 64), "size": 1024}}
		b.ReportAllocs()
		for b.Loop() {
			if _, atts, err := parser.MarshalEvent("upload", args); err != nil || len(atts) != 2 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAppendText(b *testing.B) {
	p := parser.Packet{Type: parser.Event, Namespace: "/chat", HasID: true, ID: 12,
		Data: raw(`["message",{"room":"lobby","text":"hello world","user":"alice"}]`)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(parser.AppendText(nil, &p))))
	for b.Loop() {
		buf = parser.AppendText(buf[:0], &p)
	}
}

func BenchmarkDecode(b *testing.B) {
	b.Run("text event", func(b *testing.B) {
		msg := []byte(`2/chat,12["message",{"room":"lobby","text":"hello world","user":"alice"}]`)
		var d parser.Decoder
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if p, err := d.Decode(msg, false); err != nil || p == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary event 2 attachments", func(b *testing.B) {
		msg := []byte(`52-/files,["upload",{"name":"a.png","data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]`)
		att0, att1 := make([]byte, 1024), make([]byte, 64)
		var d parser.Decoder
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			d.Decode(msg, false)
			d.Decode(att0, true)
			if p, err := d.Decode(att1, true); err != nil || p == nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSplitArray(b *testing.B) {
	data := raw(`["message",{"room":"lobby","text":"hello, [world]","user":"alice"},42,true,[1,2,3]]`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if args, err := parser.SplitArray(data); err != nil || len(args) != 5 {
			b.Fatal(err)
		}
	}
}

func BenchmarkValue(b *testing.B) {
	data := raw(`{"name":"a.png","data":{"_placeholder":true,"num":0},"tags":["x","y"],"size":1024}`)
	atts := [][]byte{make([]byte, 1024)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.Value(data, atts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	type file struct {
		Name string   `json:"name"`
		Data []byte   `json:"data"`
		Tags []string `json:"tags"`
		Size int      `json:"size"`
	}
	b.Run("struct with attachment", func(b *testing.B) {
		data := raw(`{"name":"a.png","data":{"_placeholder":true,"num":0},"tags":["x","y"],"size":1024}`)
		atts := [][]byte{make([]byte, 1024)}
		b.ReportAllocs()
		for b.Loop() {
			var f file
			if err := parser.Unmarshal(data, atts, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bytes", func(b *testing.B) {
		data := raw(`{"_placeholder":true,"num":0}`)
		atts := [][]byte{make([]byte, 1024)}
		b.ReportAllocs()
		for b.Loop() {
			var p []byte
			if err := parser.Unmarshal(data, atts, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
