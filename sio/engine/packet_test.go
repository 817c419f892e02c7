package engine_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/sioworkbook/workbook/sio/engine"
)

func TestPacketTypeString(t *testing.T) {
	want := []string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}
	for i, w := range want {
		if got := engine.PacketType(i).String(); got != w {
			t.Errorf("PacketType(%d) = %q, want %q", i, got, w)
		}
	}
	if got := engine.PacketType(9).String(); got != "unknown(9)" {
		t.Errorf("PacketType(9) = %q", got)
	}
	if engine.In.String() != "in" || engine.Out.String() != "out" {
		t.Error("Direction strings")
	}
}

func TestDecodePacket(t *testing.T) {
	tests := []struct {
		frame  string
		binary bool
		want   engine.Packet
		err    error
	}{
		{"4hello", false, engine.Packet{Type: engine.PacketMessage, Data: []byte("hello")}, nil},
		{"2probe", false, engine.Packet{Type: engine.PacketPing, Data: []byte("probe")}, nil},
		{"3", false, engine.Packet{Type: engine.PacketPong, Data: []byte{}}, nil},
		{"6", false, engine.Packet{Type: engine.PacketNoop, Data: []byte{}}, nil},
		{"\x01\x02", true, engine.Packet{Type: engine.PacketMessage, Data: []byte{1, 2}, Binary: true}, nil},
		{"", true, engine.Packet{Type: engine.PacketMessage, Data: []byte{}, Binary: true}, nil},
		{"", false, engine.Packet{}, engine.ErrEmptyPacket},
		{"7", false, engine.Packet{}, engine.ErrUnknownPacketType},
		{"abc", false, engine.Packet{}, engine.ErrUnknownPacketType},
		{"bAQ==", false, engine.Packet{}, engine.ErrUnknownPacketType}, // base64 only in payloads
	}
	for _, tt := range tests {
		got, err := engine.DecodePacket([]byte(tt.frame), tt.binary)
		if !errors.Is(err, tt.err) {
			t.Errorf("DecodePacket(%q, %v) error = %v, want %v", tt.frame, tt.binary, err, tt.err)
			continue
		}
		if err == nil && !packetEqual(got, tt.want) {
			t.Errorf("DecodePacket(%q, %v) = %+v, want %+v", tt.frame, tt.binary, got, tt.want)
		}
	}
}

func TestAppendPacket(t *testing.T) {
	for _, tt := range []struct {
		p    engine.Packet
		want string
	}{
		{engine.Packet{Type: engine.PacketMessage, Data: []byte("hi")}, "4hi"},
		{engine.Packet{Type: engine.PacketPong, Data: []byte("probe")}, "3probe"},
		{engine.Packet{Type: engine.PacketClose}, "1"},
		{engine.Packet{Type: engine.PacketMessage, Data: []byte{0, 1}, Binary: true}, "\x00\x01"},
	} {
		if got := string(engine.AppendPacket([]byte(">"), tt.p)); got != ">"+tt.want {
			t.Errorf("AppendPacket(%+v) = %q, want %q", tt.p, got, ">"+tt.want)
		}
	}
}

func TestDecodePayload(t *testing.T) {
	msg := func(s string) engine.Packet { return engine.Packet{Type: engine.PacketMessage, Data: []byte(s)} }
	bin := func(b ...byte) engine.Packet { return engine.Packet{Type: engine.PacketMessage, Data: b, Binary: true} }
	tests := []struct {
		body string
		want []engine.Packet
		err  error
	}{
		{"4hello", []engine.Packet{msg("hello")}, nil},
		{"4hello\x1e2\x1e4world", []engine.Packet{msg("hello"), {Type: engine.PacketPing, Data: []byte{}}, msg("world")}, nil},
		{"4hello\x1ebAQIDBA==", []engine.Packet{msg("hello"), bin(1, 2, 3, 4)}, nil},
		{"bAQIDBA", []engine.Packet{bin(1, 2, 3, 4)}, nil},     // unpadded
		{"bAQID", []engine.Packet{bin(1, 2, 3)}, nil},          // no padding needed
		{"bAQ==\x1ebAQ", []engine.Packet{bin(1), bin(1)}, nil}, // both forms
		{"b", []engine.Packet{bin()}, nil},
		{"4€\x1e4", []engine.Packet{msg("€"), msg("")}, nil},
		{"", nil, engine.ErrEmptyPacket},
		{"4a\x1e", []engine.Packet{msg("a")}, engine.ErrEmptyPacket},
		{"4a\x1e\x1e4b", []engine.Packet{msg("a")}, engine.ErrEmptyPacket},
		{"4a\x1e9", []engine.Packet{msg("a")}, engine.ErrUnknownPacketType},
		{"b!!", nil, engine.ErrInvalidBase64},
		{"bA", nil, engine.ErrInvalidBase64},
	}
	for _, tt := range tests {
		got, err := engine.DecodePayload([]byte(tt.body))
		if !errors.Is(err, tt.err) {
			t.Errorf("DecodePayload(%q) error = %v, want %v", tt.body, err, tt.err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("DecodePayload(%q) = %d packets %+v, want %+v", tt.body, len(got), got, tt.want)
			continue
		}
		for i := range got {
			if !packetEqual(got[i], tt.want[i]) {
				t.Errorf("DecodePayload(%q)[%d] = %+v, want %+v", tt.body, i, got[i], tt.want[i])
			}
		}
	}
}

// A message handed to the application may be appended to without touching
// the next one in the same payload.
func TestDecodePayloadCapsData(t *testing.T) {
	ps, err := engine.DecodePayload([]byte("4ab\x1e4cd"))
	if err != nil {
		t.Fatal(err)
	}
	_ = append(ps[0].Data, 'X', 'X', 'X', 'X')
	if string(ps[1].Data) != "cd" {
		t.Errorf("second packet = %q after appending to the first", ps[1].Data)
	}
}

func TestAppendPayload(t *testing.T) {
	ps := []engine.Packet{
		{Type: engine.PacketMessage, Data: []byte("hello")},
		{Type: engine.PacketMessage, Data: []byte{1, 2, 3, 4}, Binary: true},
		{Type: engine.PacketPing},
		{Type: engine.PacketMessage, Data: []byte{1}, Binary: true},
	}
	if got := string(engine.AppendPayload(nil, ps)); got != "4hello\x1ebAQIDBA==\x1e2\x1ebAQ==" {
		t.Errorf("AppendPayload = %q", got)
	}
	if got := engine.AppendPayload([]byte("x"), nil); string(got) != "x" {
		t.Errorf("AppendPayload(nil) = %q", got)
	}
}

func packetEqual(a, b engine.Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}

// The round-trip property: whatever DecodePayload accepts, AppendPayload
// writes back in a form that decodes to the same packets.
func FuzzDecodePayload(f *testing.F) {
	for _, s := range []string{
		"4hello", "4hello\x1e2\x1e4world", "4hello\x1ebAQIDBA==", "bAQIDBA", "b", "6", "2probe\x1e3probe",
		"0{\"sid\":\"x\"}", "4€\x1e1", "", "4a\x1e", "b!!", "bAQ=\x1ebA", "abc", "\x1e\x1e",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, err := engine.DecodePayload(body)
		if err != nil {
			return
		}
		if len(ps) == 0 {
			t.Fatalf("DecodePayload(%q) = no packets, no error", body)
		}
		enc := engine.AppendPayload(nil, ps)
		again, err := engine.DecodePayload(enc)
		if err != nil {
			t.Fatalf("re-decoding %q (from %q): %v", enc, body, err)
		}
		if len(again) != len(ps) {
			t.Fatalf("%q -> %d packets, re-encoded %q -> %d", body, len(ps), enc, len(again))
		}
		for i := range ps {
			if !packetEqual(ps[i], again[i]) {
				t.Fatalf("packet %d: %+v, after round trip %+v", i, ps[i], again[i])
			}
		}
	})
}

func FuzzDecodePacket(f *testing.F) {
	for _, s := range []string{"4hello", "2probe", "3", "", "7", "abc", "\x00\x01\x02", "bAQ=="} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		p, err := engine.DecodePacket(frame, binary)
		if err != nil {
			if binary {
				t.Fatalf("binary frame %q rejected: %v", frame, err)
			}
			return
		}
		if binary != p.Binary || (p.Binary && p.Type != engine.PacketMessage) {
			t.Fatalf("DecodePacket(%q, %v) = %+v", frame, binary, p)
		}
		enc := engine.AppendPacket(nil, p)
		if !bytes.Equal(enc, frame) {
			t.Fatalf("AppendPacket(DecodePacket(%q)) = %q", frame, enc)
		}
		again, err := engine.DecodePacket(enc, p.Binary)
		if err != nil || !packetEqual(again, p) {
			t.Fatalf("round trip of %q: %+v, %v", frame, again, err)
		}
		// a packet that fits a polling payload survives one too
		if !bytes.ContainsRune(p.Data, 0x1e) && (p.Binary || len(frame) == 0 || frame[0] != 'b') {
			ps, err := engine.DecodePayload(engine.AppendPayload(nil, []engine.Packet{p}))
			if err != nil || len(ps) != 1 || !packetEqual(ps[0], p) {
				t.Fatalf("payload round trip of %+v: %+v, %v", p, ps, err)
			}
		}
	})
}

func benchPackets() []engine.Packet {
	var ps []engine.Packet
	for i := range 16 {
		ps = append(ps, engine.Packet{Type: engine.PacketMessage, Data: fmt.Appendf(nil, `2["chat message",{"n":%d,"text":"hello there, how are you?"}]`, i)})
		if i%4 == 0 {
			ps = append(ps, engine.Packet{Type: engine.PacketMessage, Data: bytes.Repeat([]byte{byte(i)}, 256), Binary: true})
		}
	}
	return ps
}

func BenchmarkAppendPayload(b *testing.B) {
	ps := benchPackets()
	buf := engine.AppendPayload(nil, ps)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = engine.AppendPayload(buf[:0], ps)
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	body := engine.AppendPayload(nil, benchPackets())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.DecodePayload(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePacket(b *testing.B) {
	frame := []byte(`42["chat message",{"text":"hello there"}]`)
	b.ReportAllocs()
	for b.Loop() {
		engine.DecodePacket(frame, false)
	}
}
