package debugfmt

import (
	"strconv"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// maxData is how many bytes of a packet's data a line shows.
const maxData = 256

// PacketMessage returns the message of the line a Printer writes under
// NamespaceEngine for an Engine.IO packet of session sid, phrased like the
// official server's `sending packet "message" (...)`:
//
//	<sid> received packet "message" (2["hi"]) over websocket
//	<sid> sent packet "ping" over polling
//	<sid> sent packet "message" (<binary 3 bytes>) over websocket
//
// Data longer than 256 bytes is cut, followed by "… (N bytes)".
func PacketMessage(sid string, dir engine.Direction, transport string, p engine.Packet) string {
	b := make([]byte, 0, 64+min(len(p.Data), maxData))
	b = append(b, sid...)
	if dir == engine.In {
		b = append(b, " received packet \""...)
	} else {
		b = append(b, " sent packet \""...)
	}
	b = append(b, p.Type.String()...)
	b = append(b, '"')
	if p.Binary {
		b = append(b, " (<binary "...)
		b = strconv.AppendInt(b, int64(len(p.Data)), 10)
		b = append(b, " bytes>)"...)
	} else if len(p.Data) > 0 {
		b = append(b, " ("...)
		b = appendData(b, p.Data)
		b = append(b, ')')
	}
	b = append(b, " over "...)
	b = append(b, transport...)
	return string(b)
}

// SocketPacketMessage returns the message of the line a Printer writes under
// NamespaceSocketIO for a Socket.IO packet of engine session sid:
//
//	<sid> received EVENT nsp=/ data=["hi",1]
//	<sid> sent ACK nsp=/chat id=3 data=["ok"]
//	<sid> received BINARY_EVENT nsp=/ data=["up",{"_placeholder":true,"num":0}] attachments=1
//	<sid> received DISCONNECT nsp=/
//
// Data longer than 256 bytes is cut, followed by "… (N bytes)".
func SocketPacketMessage(sid string, dir engine.Direction, p *parser.Packet) string {
	b := make([]byte, 0, 64+min(len(p.Data), maxData))
	b = append(b, sid...)
	if dir == engine.In {
		b = append(b, " received "...)
	} else {
		b = append(b, " sent "...)
	}
	b = append(b, p.Type.String()...)
	b = append(b, " nsp="...)
	if p.Namespace == "" {
		b = append(b, '/')
	} else {
		b = append(b, p.Namespace...)
	}
	if p.HasID {
		b = append(b, " id="...)
		b = strconv.AppendUint(b, p.ID, 10)
	}
	if len(p.Data) > 0 {
		b = append(b, " data="...)
		b = appendData(b, p.Data)
	}
	if len(p.Attachments) > 0 {
		b = append(b, " attachments="...)
		b = strconv.AppendInt(b, int64(len(p.Attachments)), 10)
	}
	return string(b)
}

// appendData appends data, cut to maxData bytes at a character boundary.
func appendData(b, data []byte) []byte {
	if len(data) <= maxData {
		return append(b, data...)
	}
	cut := maxData
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	b = append(b, data[:cut]...)
	b = append(b, "… ("...)
	b = strconv.AppendInt(b, int64(len(data)), 10)
	return append(b, " bytes)"...)
}
