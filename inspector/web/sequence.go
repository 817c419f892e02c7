package web

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
)

// The sequence diagram of a session and its replay share one model: a
// replayItem per step of the session's timeline (package inspector), with
// the arrow the diagram draws for it (packets and session events) and the
// line the trace shows (everything).

// Kinds of arrows (seqArrow.Kind), each drawn its own way.
const (
	arrowHandshake = "handshake" // the GET that opens a session, and the open packet
	arrowUpgrade   = "upgrade"   // 2probe/3probe, 5 upgrade, the noop that ends polling, "upgraded to"
	arrowClose     = "close"     // the close packet, the end of the session
	arrowHeartbeat = "heartbeat" // ping and pong
	arrowMessage   = "message"   // a Socket.IO packet
	arrowBinary    = "binary"    // a binary attachment
	arrowOther     = "other"     // anything else (a noop outside an upgrade, a message that is not Socket.IO)
)

// seqArrow is one row of the sequence diagram: an arrow between the client
// and the server lifelines, or a note across both (Dir "").
type seqArrow struct {
	Dir       string // "in" (client → server), "out" (server → client), "" for a note across both
	Transport string // "polling" or "websocket": polling dashed, websocket solid
	Kind      string // arrowHandshake, ...
	Label     string // "42 EVENT chat ack 3", "2probe", "closed: transport close"
	Detail    string // a short preview of the data: arguments, the open packet's JSON
	Binary    int    // attachments a BINARY_EVENT or BINARY_ACK announces
	Title     string // the whole packet as on the wire (cut), for a tooltip
}

// replayItem is one step of a session's timeline as the replay page shows
// it.
type replayItem struct {
	I      int    // index on the page, the replay's order
	T      int64  // µs since the session's start as the player counts it: never negative, never back in time
	Offset string // "+12ms" from the session's start
	Packet *packetItem
	Debug  *debugItem
	Event  string    // inspector.EventOpen, ...: a session event
	Arrow  *seqArrow // nil for debug lines, which are only in the trace
	Text   string    // session events: the trace's words ("opened over polling from 127.0.0.1")
	Diff   string    // debug lines: "+Nms" since the namespace's previous line
	// AckHref leads from a packet to its ack's peer (the ACK of an EVENT,
	// the EVENT of an ACK): its row on this page, or the replay opened at
	// it; "" when there is none.
	AckHref string
}

// Previews are cut at these many bytes.
const (
	previewLen = 72
	titleLen   = 600
)

// seqBuilder turns timeline items into replay items, keeping what one
// packet's arrow depends on: whether an upgrade is under way, each debug
// namespace's previous time, the player's clock.
type seqBuilder struct {
	s       *inspector.Session
	probing bool // a 2probe was seen and the 5 upgrade not yet
	prevNS  map[string]int64
	t       int64
}

func newSeqBuilder(s *inspector.Session) *seqBuilder {
	return &seqBuilder{s: s, prevNS: map[string]int64{}}
}

// add returns the replay item of it, the i-th on its page.
func (b *seqBuilder) add(i int, it *inspector.TimelineItem) replayItem {
	off := it.Offset.Microseconds()
	b.t = max(b.t, off)
	r := replayItem{I: i, T: b.t, Offset: "+" + debugfmt.Humanize(max(it.Offset, 0).Truncate(time.Millisecond))}
	switch it.Kind {
	case inspector.TimelinePacket:
		p := newPacketItem(it.Packet, pageCut)
		r.Packet = &p
		r.Arrow = b.packetArrow(it.Packet)
	case inspector.TimelineDebug:
		d := newDebugItem(it.Debug)
		r.Debug = &d
		ms := d.At / 1000
		last, ok := b.prevNS[d.NS]
		if !ok {
			last = ms
		}
		b.prevNS[d.NS] = ms
		r.Diff = "+" + humanizeMS(ms-last)
	case inspector.TimelineEvent:
		r.Event = it.Event
		r.Arrow, r.Text = eventArrow(b.s, it.Event)
	}
	return r
}

// eventArrow draws a session event: the handshake as the client's request,
// the upgrade and the close as notes.
func eventArrow(s *inspector.Session, event string) (*seqArrow, string) {
	switch event {
	case inspector.EventOpen:
		a := &seqArrow{Dir: "in", Transport: s.Transport, Kind: arrowHandshake, Label: "GET handshake (" + s.Transport + ")"}
		if s.Transport == "websocket" {
			a.Label = "GET handshake (websocket upgrade)"
		}
		if s.RemoteAddr != "" {
			a.Detail = "from " + s.RemoteAddr
		}
		text := "opened over " + s.Transport
		if s.RemoteAddr != "" {
			text += " from " + s.RemoteAddr
		}
		return a, text
	case inspector.EventUpgrade:
		return &seqArrow{Transport: s.Upgraded, Kind: arrowUpgrade, Label: "upgraded to " + s.Upgraded},
			"upgraded to " + s.Upgraded
	case inspector.EventClose:
		reason := s.CloseReason
		if reason == "" {
			reason = "?"
		}
		return &seqArrow{Transport: transportAtEnd(s), Kind: arrowClose, Label: "closed: " + reason},
			"closed (" + reason + ")"
	}
	return &seqArrow{Kind: arrowOther, Label: event}, event
}

func transportAtEnd(s *inspector.Session) string {
	if s.Upgraded != "" {
		return s.Upgraded
	}
	return s.Transport
}

// packetArrow labels a packet compactly: its Engine.IO type and, for a
// Socket.IO packet, its type, namespace, event, ack id, attachments and a
// preview of its arguments.
func (b *seqBuilder) packetArrow(p *inspector.Packet) *seqArrow {
	a := &seqArrow{Dir: p.Dir, Transport: p.Transport, Kind: arrowOther}
	data := ""
	if !p.Binary && len(p.Raw) > 1 {
		data = string(p.Raw[1:])
	}
	if p.Binary {
		a.Title = "<binary " + itoa(int64(p.Size)) + " bytes>"
	} else {
		a.Title = cutPreview(string(p.Raw), titleLen)
	}
	switch p.EIOType {
	case "open":
		a.Kind, a.Label, a.Detail = arrowHandshake, "0 open", cutPreview(data, previewLen)
	case "close":
		a.Kind, a.Label = arrowClose, "1 close"
	case "ping", "pong":
		digit := "2 "
		if p.EIOType == "pong" {
			digit = "3 "
		}
		if data == "probe" {
			a.Kind, a.Label = arrowUpgrade, digit[:1]+"probe"
			if p.EIOType == "ping" {
				b.probing = true
			}
		} else {
			a.Kind, a.Label, a.Detail = arrowHeartbeat, digit+p.EIOType, cutPreview(data, previewLen)
		}
	case "upgrade":
		a.Kind, a.Label = arrowUpgrade, "5 upgrade"
		b.probing = false
	case "noop":
		a.Label = "6 noop"
		if b.probing || p.Transport == "polling" && b.s.Upgraded != "" && !b.s.UpgradedAt.IsZero() && !p.At.After(b.s.UpgradedAt) {
			a.Kind, a.Label = arrowUpgrade, "6 noop (ends polling)"
		}
	case "message":
		switch {
		case p.Binary:
			a.Kind, a.Label = arrowBinary, "binary attachment"
			a.Detail = sizeText(p.Size)
		case p.SIOType != "":
			a.Kind = arrowMessage
			l := string(p.Raw[:min(2, len(p.Raw))]) + " " + p.SIOType
			if p.Nsp != "" && p.Nsp != "/" {
				l += " " + p.Nsp
			}
			if p.Event != "" {
				l += " " + p.Event
			}
			if p.AckID != nil {
				l += " ack " + itoa(*p.AckID)
			}
			a.Label = l
			a.Binary = attachments(p.Raw)
			if len(p.Args) > 0 {
				a.Detail = cutPreview(decodedArgs(compactJSON(p.Args)), previewLen)
			}
		default:
			a.Label, a.Detail = "4 message", cutPreview(data, previewLen)
		}
	default:
		a.Label, a.Detail = p.EIOType, cutPreview(data, previewLen)
	}
	return a
}

// attachments reads the count of a binary packet's header ("451-[...]": 1).
func attachments(raw []byte) int {
	if len(raw) < 4 || raw[0] != '4' || (raw[1] != '5' && raw[1] != '6') {
		return 0
	}
	n := 0
	for i := 2; i < len(raw) && i < 8; i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
		case c == '-':
			return n
		default:
			return 0
		}
	}
	return 0
}

// compactJSON removes the spaces of a JSON text, when it is JSON.
func compactJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

// cutPreview makes s one line of at most n bytes (on a rune boundary),
// ending with "…" when cut.
func cutPreview(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// seqRowClass gives a diagram row its direction, transport and kind.
func seqRowClass(a *seqArrow) string {
	dir := "wbi-seq-note"
	switch a.Dir {
	case "in":
		dir = "wbi-seq-in"
	case "out":
		dir = "wbi-seq-out"
	}
	tr := "wbi-seq-polling"
	if a.Transport == "websocket" {
		tr = "wbi-seq-websocket"
	}
	return "wbi-seq-row " + dir + " " + tr + " wbi-seq-k-" + a.Kind
}

// seqTitle is a diagram row's tooltip: direction, transport, the packet.
func seqTitle(a *seqArrow) string {
	var t string
	switch a.Dir {
	case "in":
		t = "client → server"
	case "out":
		t = "server → client"
	}
	if a.Transport != "" {
		if t != "" {
			t += ", "
		}
		t += a.Transport
	}
	if a.Title != "" {
		t += ": " + a.Title
	}
	return t
}

// clockText shows µs as the player's clock, to the tenth of a second:
// "0:04.2", "12:31.0", "1:02:03.5".
func clockText(us int64) string {
	tenths := max(us, 0) / 100000
	s := tenths / 10
	h, m, sec := s/3600, s/60%60, s%60
	two := func(n int64) string {
		if n < 10 {
			return "0" + itoa(n)
		}
		return itoa(n)
	}
	t := two(sec) + "." + itoa(tenths%10)
	if h > 0 {
		return itoa(h) + ":" + two(m) + ":" + t
	}
	return itoa(m) + ":" + t
}

// replayState is the session's state in the replay's header.
func replayState(s sessionItem) string {
	if s.EndedAt == 0 {
		return "open"
	}
	r := s.Reason
	if r == "" {
		r = "?"
	}
	return "closed: " + r + " at " + offset(s.EndedAt, s.StartedAt)
}

// seqAckWord is the flag on an EVENT's arrow whose ACK is not there, or
// on an ACK that answers nothing recorded.
func seqAckWord(ctx context.Context, state string) string {
	switch state {
	case ackMissing:
		return tr(ctx, "no ack")
	case ackWaiting:
		return tr(ctx, "waiting")
	}
	return "?"
}
