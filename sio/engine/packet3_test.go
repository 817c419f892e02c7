package engine_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/sio/engine"
)

func msg(s string) engine.Packet { return engine.Packet{Type: engine.PacketMessage, Data: []byte(s)} }

func bin(b ...byte) engine.Packet {
	return engine.Packet{Type: engine.PacketMessage, Data: b, Binary: true}
}

func TestAppendPayloadV3(t *testing.T) {
	tests := []struct {
		name   string
		ps     []engine.Packet
		binary bool
		want   string
		isBin  bool
	}{
		{"text", []engine.Packet{msg("hello"), {Type: engine.PacketPong}}, true, "6:4hello1:3", false},
		// lengths count UTF-16 code units: € is one, 😀 two
		{"utf16", []engine.Packet{msg("€"), msg("😀")}, true, "2:4€3:4😀", false},
		{"binary form", []engine.Packet{msg(`51-["x",{"_placeholder":true,"num":0}]`), bin(1, 2, 3)}, true,
			"\x00\x03\x09\xff451-[\"x\",{\"_placeholder\":true,\"num\":0}]\x01\x04\xff\x04\x01\x02\x03", true},
		// in the binary form, string lengths count UTF-8 bytes
		{"binary form utf8", []engine.Packet{msg("é"), bin()}, true, "\x00\x03\xff4é\x01\x01\xff\x04", true},
		{"base64", []engine.Packet{msg("a"), bin(1, 2, 3)}, false, "2:4a6:b4AQID", false},
		{"not UTF-8", []engine.Packet{msg("a\xffb")}, true, "4:4a\uFFFDb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, isBin := engine.AppendPayloadV3(nil, tt.ps, tt.binary)
			if string(got) != tt.want || isBin != tt.isBin {
				t.Errorf("AppendPayloadV3 = %q, %v; want %q, %v", got, isBin, tt.want, tt.isBin)
			}
		})
	}
}

func TestDecodePayloadV3(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		binary bool
		want   []engine.Packet
		err    error
	}{
		{"text", "6:4hello1:2", false, []engine.Packet{msg("hello"), {Type: engine.PacketPing, Data: []byte{}}}, nil},
		{"utf16", "2:4€3:4😀1:1", false, []engine.Packet{msg("€"), msg("😀"), {Type: engine.PacketClose, Data: []byte{}}}, nil},
		{"empty record", "0:2:4a", false, []engine.Packet{msg("a")}, nil},
		{"base64", "6:b4AQID", false, []engine.Packet{bin(1, 2, 3)}, nil},
		{"leading zeros", "02:4a", false, []engine.Packet{msg("a")}, nil},
		{"empty", "", false, nil, engine.ErrInvalidPayload},
		{"no length", ":4a", false, nil, engine.ErrInvalidPayload},
		{"no colon", "24a", false, nil, engine.ErrInvalidPayload},
		{"hex length", "0x2:4a", false, nil, engine.ErrInvalidPayload},
		{"too long", "2:4a3:4b", false, []engine.Packet{msg("a")}, engine.ErrInvalidPayload},
		{"half a pair", "2:4😀", false, nil, engine.ErrInvalidPayload},
		{"bad type", "2:4a1:9", false, []engine.Packet{msg("a")}, engine.ErrUnknownPacketType},
		{"bad base64", "4:b4!!", false, nil, engine.ErrInvalidBase64},
		{"bare b", "1:b", false, nil, engine.ErrEmptyPacket},

		{"binary", "\x00\x06\xff4hello\x01\x04\xff\x04\x01\x02\x03", true, []engine.Packet{msg("hello"), bin(1, 2, 3)}, nil},
		{"binary utf8", "\x00\x03\xff4é", true, []engine.Packet{msg("é")}, nil},
		{"binary two digits", "\x00\x01\x01\xff4abcdefghij", true, []engine.Packet{msg("abcdefghij")}, nil},
		{"binary empty body", "", true, nil, nil},
		{"binary not UTF-8", "\x00\x03\xff4a\xff", true, []engine.Packet{msg("a\uFFFD")}, nil},
		{"binary ping", "\x01\x01\xff\x02", true, []engine.Packet{{Type: engine.PacketPing, Data: []byte{}}}, nil},
		{"binary short", "\x00\x09\xff4a", true, nil, engine.ErrInvalidPayload},
		{"binary no 0xff", "\x00\x02", true, nil, engine.ErrInvalidPayload},
		{"binary no digits", "\x00\xff4", true, nil, engine.ErrInvalidPayload},
		{"binary digit over 9", "\x00\x0a\xff4", true, nil, engine.ErrInvalidPayload},
		{"binary kind", "\x02\x01\xff4", true, nil, engine.ErrInvalidPayload},
		{"binary empty packet", "\x01\x00\xff", true, nil, engine.ErrEmptyPacket},
		{"binary bad type", "\x01\x01\xff\x07", true, nil, engine.ErrUnknownPacketType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := engine.DecodePayloadV3([]byte(tt.body), tt.binary)
			if !errors.Is(err, tt.err) {
				t.Fatalf("DecodePayloadV3(%q) error = %v, want %v", tt.body, err, tt.err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("DecodePayloadV3(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
			for i := range got {
				if !packetEqual(got[i], tt.want[i]) {
					t.Errorf("packet %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestPacketV3(t *testing.T) {
	p, err := engine.DecodePacketV3([]byte{4, 1, 2}, true)
	if err != nil || !packetEqual(p, bin(1, 2)) {
		t.Errorf("binary frame: %+v, %v", p, err)
	}
	p, err = engine.DecodePacketV3([]byte("b4AQI="), false)
	if err != nil || !packetEqual(p, bin(1, 2)) {
		t.Errorf("base64 text frame: %+v, %v", p, err)
	}
	if _, err := engine.DecodePacketV3(nil, true); !errors.Is(err, engine.ErrEmptyPacket) {
		t.Errorf("empty binary frame: %v", err)
	}
	if got := engine.AppendPacketV3(nil, bin(1, 2)); string(got) != "\x04\x01\x02" {
		t.Errorf("AppendPacketV3(binary) = %q", got)
	}
	if got := engine.AppendPacketV3(nil, msg("hi")); string(got) != "4hi" {
		t.Errorf("AppendPacketV3(text) = %q", got)
	}
}

// normalized is what a packet becomes once written by AppendPayloadV3: its
// text read as the client reads it.
func normalized(p engine.Packet) engine.Packet {
	if !p.Binary && !utf8.Valid(p.Data) {
		p.Data = engine.ToValidUTF8(p.Data)
	}
	return p
}

// The round-trip property: whatever DecodePayloadV3 accepts, AppendPayloadV3
// writes in a form that decodes to the same packets (text that was not UTF-8
// read as U+FFFD), in both forms.
func FuzzDecodePayloadV3(f *testing.F) {
	for _, s := range []string{
		"6:4hello1:2", "2:4€3:4😀", "0:", "6:b4AQID", "2:4😀", "", ":", "1:b", "10:4", "4:b4!!",
	} {
		f.Add([]byte(s), false)
	}
	for _, s := range []string{
		"\x00\x06\xff4hello\x01\x04\xff\x04\x01\x02\x03", "\x00\x03\xff4é", "", "\x01\x00\xff", "\x00\x02",
		"\x01\x01\xff\x02", "\x00\x09\xff4a", "\x00\x04\xff4a\xff\xfe", "\x00\x05\xffb4AQ=",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, binary bool) {
		ps, err := engine.DecodePayloadV3(body, binary)
		if err != nil {
			return
		}
		for _, form := range []bool{false, true} {
			enc, isBin := engine.AppendPayloadV3(nil, ps, form)
			if len(ps) == 0 {
				continue // nothing to write: not a payload
			}
			again, err := engine.DecodePayloadV3(enc, isBin)
			if err != nil {
				t.Fatalf("re-decoding %q (from %q): %v", enc, body, err)
			}
			if len(again) != len(ps) {
				t.Fatalf("%q -> %d packets, re-encoded %q -> %d", body, len(ps), enc, len(again))
			}
			for i := range ps {
				if want := normalized(ps[i]); !packetEqual(want, again[i]) {
					t.Fatalf("packet %d: %+v, after round trip %+v", i, want, again[i])
				}
			}
		}
	})
}

// DecodePacketV3 never fails on what AppendPacketV3 wrote.
func FuzzDecodePacketV3(f *testing.F) {
	for _, s := range []string{"4hello", "2probe", "\x04\x01\x02", "", "7", "b4AQ==", "b", "b9AQ=="} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, frame []byte, binary bool) {
		p, err := engine.DecodePacketV3(frame, binary)
		if err != nil {
			return
		}
		if p.Binary && p.Type != engine.PacketMessage {
			t.Fatalf("DecodePacketV3(%q, %v) = %+v", frame, binary, p)
		}
		enc := engine.AppendPacketV3(nil, p)
		again, err := engine.DecodePacketV3(enc, p.Binary)
		if err != nil || !packetEqual(again, p) {
			t.Fatalf("round trip of %q: %q -> %+v, %v", frame, enc, again, err)
		}
	})
}
