package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// TestSequenceModel builds the diagram of a polling session that upgrades
// to WebSocket, exchanges events, a binary event and a hostile one, and
// closes: each packet an arrow in its direction and on its transport, the
// upgrade dance marked as such, the events as the handshake and notes.
func TestSequenceModel(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return start.Add(time.Duration(n) * time.Millisecond) }
	s := &inspector.Session{SID: "S", Transport: "polling", Upgraded: "websocket", UpgradedAt: ms(7),
		StartedAt: start, EndedAt: ms(3000), CloseReason: "transport close", RemoteAddr: "10.0.0.1"}
	ack := int64(3)
	pk := func(at time.Time, dir, tr, eio, raw string, f func(*inspector.Packet)) inspector.TimelineItem {
		p := &inspector.Packet{SID: "S", At: at, Dir: dir, Transport: tr, EIOType: eio, Raw: []byte(raw), Size: len(raw)}
		if f != nil {
			f(p)
		}
		return inspector.TimelineItem{Kind: inspector.TimelinePacket, At: at, Offset: at.Sub(start), Packet: p}
	}
	ev := func(at time.Time, e string) inspector.TimelineItem {
		return inspector.TimelineItem{Kind: inspector.TimelineEvent, At: at, Offset: at.Sub(start), Event: e}
	}
	sioPacket := func(typ, nsp, event string, id *int64, args string) func(*inspector.Packet) {
		return func(p *inspector.Packet) {
			p.SIOType, p.Nsp, p.Event, p.AckID = typ, nsp, event, id
			if args != "" {
				p.Args = json.RawMessage(args)
			}
		}
	}
	const evil = `<img src=x onerror=alert(1)>`
	items := []inspector.TimelineItem{
		ev(start, inspector.EventOpen),
		pk(start, "out", "polling", "open", `0{"sid":"S","upgrades":["websocket"]}`, nil),
		{Kind: inspector.TimelineDebug, At: ms(-1), Offset: -time.Millisecond, Debug: &inspector.DebugLine{SID: "S", At: ms(-1), Namespace: "engine", Message: "handshaking"}},
		pk(ms(1), "in", "polling", "message", `40`, sioPacket("CONNECT", "/", "", nil, "")),
		pk(ms(2), "out", "polling", "message", `40/admin,{"sid":"x"}`, sioPacket("CONNECT", "/admin", "", nil, `{"sid":"x"}`)),
		pk(ms(5), "in", "websocket", "ping", `2probe`, nil),
		pk(ms(5), "out", "websocket", "pong", `3probe`, nil),
		pk(ms(6), "out", "polling", "noop", `6`, nil),
		pk(ms(7), "in", "websocket", "upgrade", `5`, nil),
		ev(ms(7), inspector.EventUpgrade),
		pk(ms(8), "in", "websocket", "message", `42/admin,3["chat", "hi" ]`, sioPacket("EVENT", "/admin", "chat", &ack, `["hi" ]`)),
		pk(ms(9), "out", "websocket", "message", `451-["up",{"_placeholder":true,"num":0}]`, sioPacket("BINARY_EVENT", "/", "up", nil, `[{"_placeholder":true,"num":0}]`)),
		pk(ms(9), "out", "websocket", "message", "\x01\x02\x03", func(p *inspector.Packet) { p.Binary = true }),
		pk(ms(10), "in", "websocket", "message", `42["`+evil+`","`+strings.Repeat("x", 200)+`"]`, sioPacket("EVENT", "/", evil, nil, `["`+strings.Repeat("x", 200)+`"]`)),
		pk(ms(2500), "out", "websocket", "ping", `2`, nil),
		pk(ms(2501), "in", "websocket", "pong", `3`, nil),
		pk(ms(2999), "in", "websocket", "close", `1`, nil),
		ev(ms(3000), inspector.EventClose),
	}
	b := newSeqBuilder(s)
	var got []replayItem
	for i := range items {
		got = append(got, b.add(i, &items[i]))
	}

	type row struct{ dir, tr, kind, label string }
	want := []row{
		{"in", "polling", arrowHandshake, "GET handshake (polling)"},
		{"out", "polling", arrowHandshake, "0 open"},
		{}, // the debug line: no arrow
		{"in", "polling", arrowMessage, "40 CONNECT"},
		{"out", "polling", arrowMessage, "40 CONNECT /admin"},
		{"in", "websocket", arrowUpgrade, "2probe"},
		{"out", "websocket", arrowUpgrade, "3probe"},
		{"out", "polling", arrowUpgrade, "6 noop (ends polling)"},
		{"in", "websocket", arrowUpgrade, "5 upgrade"},
		{"", "websocket", arrowUpgrade, "upgraded to websocket"},
		{"in", "websocket", arrowMessage, "42 EVENT /admin chat ack 3"},
		{"out", "websocket", arrowMessage, "45 BINARY_EVENT up"},
		{"out", "websocket", arrowBinary, "binary attachment"},
		{"in", "websocket", arrowMessage, "42 EVENT " + evil},
		{"out", "websocket", arrowHeartbeat, "2 ping"},
		{"in", "websocket", arrowHeartbeat, "3 pong"},
		{"in", "websocket", arrowClose, "1 close"},
		{"", "websocket", arrowClose, "closed: transport close"},
	}
	for i, w := range want {
		it := got[i]
		if it.I != i {
			t.Errorf("item %d has I %d", i, it.I)
		}
		if w == (row{}) {
			if it.Arrow != nil || it.Debug == nil {
				t.Errorf("item %d: a debug line with arrow %+v", i, it.Arrow)
			}
			continue
		}
		if it.Arrow == nil {
			t.Errorf("item %d: no arrow, want %+v", i, w)
			continue
		}
		if g := (row{it.Arrow.Dir, it.Arrow.Transport, it.Arrow.Kind, it.Arrow.Label}); g != w {
			t.Errorf("item %d: %+v, want %+v", i, g, w)
		}
	}

	// Details: the open packet's JSON, arguments compacted and cut,
	// attachments counted and shown as placeholders, sizes.
	if d := got[1].Arrow.Detail; d != `{"sid":"S","upgrades":["websocket"]}` {
		t.Errorf("open detail %q", d)
	}
	if d := got[10].Arrow.Detail; d != `["hi"]` {
		t.Errorf("event detail %q", d)
	}
	if a := got[11].Arrow; a.Binary != 1 || a.Detail != `[<binary #0>]` {
		t.Errorf("binary event: %d attachments, detail %q", a.Binary, a.Detail)
	}
	if a := got[12].Arrow; a.Detail != "3 bytes" || a.Title != "<binary 3 bytes>" {
		t.Errorf("attachment: detail %q, title %q", a.Detail, a.Title)
	}
	if d := got[13].Arrow.Detail; len(d) > previewLen+len("…") || !strings.HasSuffix(d, "…") {
		t.Errorf("long detail not cut: %q", d)
	}
	if d := got[0].Arrow.Detail; d != "from 10.0.0.1" {
		t.Errorf("handshake detail %q", d)
	}
	if got[0].Text != "opened over polling from 10.0.0.1" || got[17].Text != "closed (transport close)" {
		t.Errorf("event texts %q, %q", got[0].Text, got[17].Text)
	}
	if c := seqRowClass(got[7].Arrow); c != "wbi-seq-row wbi-seq-out wbi-seq-polling wbi-seq-k-upgrade" {
		t.Errorf("noop row class %q", c)
	}
	if c := seqRowClass(got[9].Arrow); !strings.Contains(c, "wbi-seq-note") {
		t.Errorf("upgrade note class %q", c)
	}

	// The player's clock: offsets from the start, never negative, never
	// going back; the debug line before the handshake is at 0.
	var prev int64
	for i, it := range got {
		if it.T < prev || it.T < 0 {
			t.Errorf("item %d at %d after %d", i, it.T, prev)
		}
		prev = it.T
	}
	if got[2].T != 0 || got[2].Offset != "+0ms" || got[14].T != 2500000 || got[14].Offset != "+2.5s" && got[14].Offset != "+3s" {
		t.Errorf("times: debug %d %q, ping %d %q", got[2].T, got[2].Offset, got[14].T, got[14].Offset)
	}
	if got[2].Diff != "+0ms" {
		t.Errorf("debug diff %q", got[2].Diff)
	}
}

func TestClockText(t *testing.T) {
	for us, want := range map[int64]string{
		0: "0:00.0", -5: "0:00.0", 121355: "0:00.1", 4_250_000: "0:04.2", 31_000_000: "0:31.0",
		751_900_000: "12:31.9", 3_723_500_000: "1:02:03.5",
	} {
		if got := clockText(us); got != want {
			t.Errorf("clockText(%d) = %q, want %q", us, got, want)
		}
	}
}

func TestCursor(t *testing.T) {
	c := inspector.TimelineCursor{Packet: 12, Debug: 40, At: time.UnixMicro(1740830400123456)}
	s := formatCursor(&c)
	if s != "12.40.1740830400123456" {
		t.Errorf("formatCursor: %q", s)
	}
	back, err := parseCursor(s)
	if err != nil || back.Packet != 12 || back.Debug != 40 || !back.At.Equal(c.At) {
		t.Errorf("parseCursor(%q) = %+v, %v", s, back, err)
	}
	if z, err := parseCursor(""); err != nil || z != (inspector.TimelineCursor{}) {
		t.Errorf("parseCursor(\"\") = %+v, %v", z, err)
	}
	for _, bad := range []string{"1.2", "a.b.c", "1.2.-3", "1.2.3.4"} {
		if _, err := parseCursor(bad); err == nil {
			t.Errorf("parseCursor(%q): no error", bad)
		}
	}
	if formatCursor(nil) != "" {
		t.Error("formatCursor(nil) not empty")
	}
}
