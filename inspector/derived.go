package inspector

import (
	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio/engine"
)

// The server's debug lines about each packet ("received", "received
// packet", "decoded", "sending packet", "writing") only restate the packet.
// The recorder asks the server not to write them (WantsDebug) and stores
// none of them: they are derived from the packets when lines are read, each
// at its packet's time, and take the line ids the writer set aside for them
// (packet_chunks.debug_id and debug_n).
//
// Which lines a packet gives follows sio/engine and sio:
//
//   - in, over WebSocket (but the probe ping and the upgrade packet, whose
//     lines the server writes anyway): engine:ws `received "<packet>"`
//     (`received "<binary N bytes>"`);
//   - in, but a close: engine:socket `received packet <type>`;
//   - in, a Socket.IO packet that decodes: socket.io-parser `decoded <nsp>
//     as <TYPE>`;
//   - out, a message: engine:socket `sending packet "message" (<data>)`
//     (`(<binary N bytes>)`);
//   - out over WebSocket, but the probe's pong: engine:ws `writing
//     "<packet>"` (`"<binary N bytes>"`).
//
// The line "flushing buffer to transport" the WebSocket writer gives once
// per batch of frames is not derived: which frames went together is not
// recorded.

// Formats of the derived lines, as the server writes them.
const (
	fmtReceived       = "received %q"
	fmtReceivedBinary = "received \"<binary %d bytes>\""
	fmtReceivedPacket = "received packet %s"
	fmtDecoded        = "decoded %s as %s"
	fmtSending        = "sending packet \"message\" (%s)"
	fmtSendingBinary  = "sending packet \"message\" (<binary %d bytes>)"
	fmtWriting        = "writing %q"
	fmtWritingBinary  = "writing \"<binary %d bytes>\""
)

// derivable reports whether the server's line (namespace, format) is one
// the recorder derives from packets rather than stores.
func derivable(namespace, format string) bool {
	switch namespace {
	case engine.DebugWS:
		return format == fmtReceived || format == fmtReceivedBinary || format == fmtWriting
	case engine.DebugSocket:
		return format == fmtReceivedPacket || format == fmtSending || format == fmtSendingBinary
	case "socket.io-parser":
		return format == fmtDecoded
	}
	return false
}

// lineSource is what the derived lines of a packet depend on.
type lineSource struct {
	out, ws, binary bool
	raw             []byte // "<digit><data>", or the bytes of a binary message
	sio             *sioFields
	isSIO           bool
}

// probe reports whether the packet belongs to the upgrade's probe, whose
// lines the server writes itself.
func (s *lineSource) probe() bool {
	if !s.ws || s.binary || len(s.raw) == 0 {
		return false
	}
	switch engine.PacketType(s.raw[0] - '0') {
	case engine.PacketPing, engine.PacketPong:
		return string(s.raw[1:]) == "probe"
	case engine.PacketUpgrade:
		return !s.out
	}
	return false
}

func (s *lineSource) eio() engine.PacketType {
	if s.binary || len(s.raw) == 0 {
		return engine.PacketMessage
	}
	return engine.PacketType(s.raw[0] - '0')
}

// decodes reports whether sio's decoder takes the packet: a Socket.IO
// packet whose payload, if any, is JSON (the recorder keeps it as args).
func (s *lineSource) decodes() bool {
	if !s.isSIO || s.sio == nil || s.binary {
		return false
	}
	if s.sio.args != nil {
		return true
	}
	// No JSON: only a packet with nothing after its header decodes.
	return headerOnly(s.raw[1:])
}

// headerOnly reports whether a Socket.IO packet's text is its header alone
// ("0", "1", "0/chat,", "3/chat,12").
func headerOnly(data []byte) bool {
	i := 1
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	if i < len(data) && data[i] == '/' {
		j := i
		for j < len(data) && data[j] != ',' {
			j++
		}
		if j == len(data) {
			return true
		}
		i = j + 1
	}
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i == len(data)
}

// packetLines calls emit with the namespace, format and argument of each
// line derived from the packet, in the order the server writes them, and
// returns how many there are. emit may be nil (to count).
func packetLines(s *lineSource, emit func(namespace, format string, arg any)) int {
	if s.probe() {
		return 0
	}
	n := 0
	line := func(ns, format string, arg any) {
		n++
		if emit != nil {
			emit(ns, format, arg)
		}
	}
	eio := s.eio()
	if !s.out {
		if s.ws {
			if s.binary {
				line(engine.DebugWS, fmtReceivedBinary, len(s.raw))
			} else {
				line(engine.DebugWS, fmtReceived, s.raw)
			}
		}
		if eio != engine.PacketClose {
			line(engine.DebugSocket, fmtReceivedPacket, eio)
		}
		if eio == engine.PacketMessage && s.decodes() {
			line("socket.io-parser", fmtDecoded, [2]string{s.sio.nsp, s.sio.typ.String()})
		}
		return n
	}
	if eio == engine.PacketMessage {
		if s.binary {
			line(engine.DebugSocket, fmtSendingBinary, len(s.raw))
		} else {
			line(engine.DebugSocket, fmtSending, s.raw[1:])
		}
	}
	if s.ws {
		if s.binary {
			line(engine.DebugWS, fmtWritingBinary, len(s.raw))
		} else {
			line(engine.DebugWS, fmtWriting, s.raw)
		}
	}
	return n
}

// lineText formats a derived line as the server does.
func lineText(dst []byte, format string, arg any) []byte {
	switch a := arg.(type) {
	case [2]string:
		return debugfmt.AppendMessage(dst, format, a[0], a[1])
	case []byte:
		return debugfmt.AppendMessage(dst, format, a)
	case engine.PacketType:
		return debugfmt.AppendMessage(dst, format, a.String())
	default:
		return debugfmt.AppendMessage(dst, format, arg)
	}
}

// packetSource is the lineSource of a packet read back.
func packetSource(p *Packet) *lineSource {
	s := &lineSource{out: p.Dir == engine.Out.String(), ws: p.Transport == engine.TransportWebSocket,
		binary: p.Binary, raw: p.Raw}
	if !p.Binary && len(p.Raw) > 1 && p.Raw[0] == '0'+byte(engine.PacketMessage) {
		f, ok := decodeSIO(p.Raw[1:])
		s.sio, s.isSIO = &f, ok
	}
	return s
}

// derivedOf returns the lines derived from p, with ids from first on.
func derivedOf(p *Packet, first int64) []DebugLine {
	var out []DebugLine
	var buf []byte
	packetLines(packetSource(p), func(ns, format string, arg any) {
		buf = lineText(buf[:0], format, arg)
		out = append(out, DebugLine{ID: first + int64(len(out)), SID: p.SID, At: p.At, Namespace: ns, Message: string(buf)})
	})
	return out
}
