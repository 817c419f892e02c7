package debugfmt_test

import (
	"io"
	"testing"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

var (
	benchSession = &engine.Session{}
	benchPacket  = engine.Packet{Type: engine.PacketMessage, Data: []byte(`2["chat message","hello there"]`)}
	benchSocket  = &parser.Packet{Type: parser.Event, Namespace: "/", Data: []byte(`["chat message","hello there"]`)}
)

const benchMsg = `sending packet "message" (2["chat message","hello there"])`

// go test -run '^$' -bench Printer -benchmem ./inspector/debugfmt/

func BenchmarkPrinterDisabled(b *testing.B) {
	p := debugfmt.NewPrinter(io.Discard, debugfmt.ParseSelector("socket.io:*,-socket.io:client"), debugfmt.Basic)
	b.Run("Debug", func(b *testing.B) {
		for b.Loop() {
			p.Debug("engine:socket", "sid", benchMsg)
		}
	})
	b.Run("Packet", func(b *testing.B) {
		for b.Loop() {
			p.Packet(benchSession, engine.Out, "websocket", benchPacket)
		}
	})
	b.Run("SocketPacket", func(b *testing.B) {
		for b.Loop() {
			p.SocketPacket("sid", engine.Out, benchSocket)
		}
	})
	b.Run("Debug/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p.Debug("engine:socket", "sid", benchMsg)
			}
		})
	})
}

func BenchmarkPrinterEnabled(b *testing.B) {
	for _, mode := range []debugfmt.Mode{debugfmt.Plain, debugfmt.Basic, debugfmt.ANSI256} {
		p := debugfmt.NewPrinter(io.Discard, debugfmt.ParseSelector("*"), mode)
		b.Run(mode.String()+"/Debug", func(b *testing.B) {
			for b.Loop() {
				p.Debug("engine:socket", "sid", benchMsg)
			}
		})
		b.Run(mode.String()+"/Packet", func(b *testing.B) {
			for b.Loop() {
				p.Packet(benchSession, engine.Out, "websocket", benchPacket)
			}
		})
		b.Run(mode.String()+"/SocketPacket", func(b *testing.B) {
			for b.Loop() {
				p.SocketPacket("sid", engine.Out, benchSocket)
			}
		})
	}
	p := debugfmt.NewPrinter(io.Discard, debugfmt.ParseSelector("*"), debugfmt.Basic)
	b.Run("basic/Debug/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p.Debug("engine:socket", "sid", benchMsg)
			}
		})
	})
}

func BenchmarkSelectorEnabled(b *testing.B) {
	sel := debugfmt.ParseSelector("engine*,-engine:polling,socket.io:*,-*:client")
	for b.Loop() {
		sel.Enabled("socket.io:socket")
	}
}
