package web

import (
	"context"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
)

// The shapes below are what the pages render and what the live feed sends
// (as JSON, with short keys): one item of a trace, a packet table or the
// sessions list. Times are microseconds since the Unix epoch, as the
// database stores them; the pages' script shows them in the browser's time
// zone.

// sessionItem is a session, or a change of one (opened, upgraded, closed).
type sessionItem struct {
	K          string `json:"k"` // "s"
	SID        string `json:"sid"`
	Path       string `json:"path"`
	Lesson     string `json:"lesson"`
	Client     string `json:"client"`
	Addr       string `json:"addr"`
	UserAgent  string `json:"ua"`
	Transport  string `json:"transport"`
	Upgraded   string `json:"upgraded"`
	UpgradedAt int64  `json:"upgradedAt"` // 0: none
	StartedAt  int64  `json:"startedAt"`
	EndedAt    int64  `json:"endedAt"` // 0: open
	Reason     string `json:"reason"`
	Packets    int    `json:"packets"`
	At         int64  `json:"at"` // the latest of the times above: when this change happened
}

// packetItem is one Engine.IO packet, with its Socket.IO packet decoded.
type packetItem struct {
	K         string `json:"k"` // "p"
	ID        int64  `json:"id"`
	SID       string `json:"sid"`
	At        int64  `json:"at"`
	Dir       string `json:"dir"`
	Transport string `json:"tr"`
	EIO       string `json:"eio"`
	SIO       string `json:"sio"`
	Nsp       string `json:"nsp"`
	Event     string `json:"ev"`
	AckID     *int64 `json:"ack"`
	Args      string `json:"args"` // JSON text, placeholders as <binary #k>, possibly cut
	Binary    bool   `json:"bin"`
	Raw       string `json:"raw"` // as on the wire; hex for binary; possibly cut
	Size      int    `json:"size"`
	Of        int64  `json:"of,omitempty"` // the packet this binary attachment belongs to
	// Ack ties an EVENT that asked for an ack to its ACK, both ways; nil
	// for other packets, and in the live feed.
	Ack *ackLink `json:"ackLink,omitempty"`
}

// link sets the packet's ack link, if it has one.
func (p *packetItem) link(acks map[int64]ackLink) {
	if l, ok := acks[p.ID]; ok {
		p.Ack = &l
	}
}

// probe reports whether the packet is an upgrade's probe: 2probe or 3probe.
func (p packetItem) probe() bool {
	return (p.EIO == "ping" || p.EIO == "pong") && inspector.IsProbe([]byte(p.Raw))
}

// heartbeat reports whether the packet is a ping, pong or noop, but not a
// probe.
func (p packetItem) heartbeat() bool {
	return (p.EIO == "ping" || p.EIO == "pong" || p.EIO == "noop") && !p.probe()
}

// eioText is the packet's Engine.IO type, with the probe shown as such.
func (p packetItem) eioText() string {
	if p.probe() {
		return p.EIO + " probe"
	}
	return p.EIO
}

// ackText is the ack column of a packet's row: "3 · 12ms", "3 · no ack".
func (p packetItem) ackText(ctx context.Context) string {
	if p.AckID == nil {
		return ""
	}
	s := itoa(*p.AckID)
	if p.Ack == nil {
		return s
	}
	switch p.Ack.State {
	case ackAnswered:
		return s + " · " + rttText(p.Ack.RTT)
	case ackMissing:
		return s + " · " + tr(ctx, "no ack")
	case ackWaiting:
		return s + " · " + tr(ctx, "waiting")
	}
	return s
}

// ackTitle explains the ack column.
func (p packetItem) ackTitle(ctx context.Context) string {
	if p.Ack == nil {
		return ""
	}
	switch p.Ack.State {
	case ackAnswered:
		if isAckType(p.SIO) {
			return trf(ctx, "answers packet %d, %s after it", p.Ack.Peer, rttText(p.Ack.RTT))
		}
		return trf(ctx, "answered by packet %d after %s", p.Ack.Peer, rttText(p.Ack.RTT))
	case ackMissing:
		return tr(ctx, "the ack never came")
	case ackWaiting:
		return tr(ctx, "no ack yet")
	case ackOrphan:
		return tr(ctx, "answers no event recorded")
	}
	return ""
}

// ackClass is the ack cell's class: missing acks stand out.
func (p packetItem) ackClass() string {
	if p.Ack != nil && p.Ack.State == ackMissing {
		return "wbi-num wbi-ack wbi-ack-missing"
	}
	return "wbi-num wbi-ack"
}

// shortLen is the length past which a table cell cuts a payload, with an
// expand.
const shortLen = 160

// shortText is the start of a long payload, as its cell shows it folded.
func shortText(s string) string {
	i := shortLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "… (" + sizeText(len(s)) + ")"
}

// packetAnchor is the id of a packet's row, for the ack links.
func packetAnchor(id int64) string { return "p" + itoa(id) }

// debugItem is one debug line.
type debugItem struct {
	K       string `json:"k"` // "d"
	ID      int64  `json:"id"`
	SID     string `json:"sid"`
	At      int64  `json:"at"`
	NS      string `json:"ns"`
	Message string `json:"msg"`
	Color   string `json:"color"` // debug's browser colour for NS, readable: debugfmt.ReadableCSS
}

// Limits on what one packet shows. Pages show more than the live feed,
// which must stay light.
type cut struct {
	text int // bytes of text (args, raw)
	bin  int // bytes of a binary message shown as hex
}

var (
	pageCut = cut{text: 64 << 10, bin: 4096}
	liveCut = cut{text: 4096, bin: 256}
)

func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func newSessionItem(s *inspector.Session) sessionItem {
	it := sessionItem{
		K: "s", SID: s.SID, Path: s.Path, Lesson: lessonOf(s.Path), Client: s.Client,
		Addr: s.RemoteAddr, UserAgent: s.UserAgent, Transport: s.Transport, Upgraded: s.Upgraded,
		UpgradedAt: micro(s.UpgradedAt), StartedAt: micro(s.StartedAt), EndedAt: micro(s.EndedAt),
		Reason: s.CloseReason, Packets: s.Packets,
	}
	it.At = max(it.StartedAt, it.UpgradedAt, it.EndedAt)
	return it
}

func newPacketItem(p *inspector.Packet, c cut) packetItem {
	it := packetItem{
		K: "p", ID: p.ID, SID: p.SID, At: micro(p.At), Dir: p.Dir, Transport: p.Transport,
		EIO: p.EIOType, SIO: p.SIOType, Nsp: p.Nsp, Event: p.Event, AckID: p.AckID,
		Binary: p.Binary, Size: p.Size, Of: p.AttachmentOf,
	}
	if len(p.Args) > 0 {
		it.Args = cutText(decodedArgs(string(p.Args)), c.text)
	}
	if p.Binary {
		it.Raw = hexBytes(p.Raw, c.bin)
	} else {
		it.Raw = cutText(string(p.Raw), c.text)
	}
	return it
}

func newDebugItem(d *inspector.DebugLine) debugItem {
	return debugItem{K: "d", ID: d.ID, SID: d.SID, At: micro(d.At), NS: d.Namespace,
		Message: d.Message, Color: debugfmt.ReadableCSS(d.Namespace)} // readable on light and dark pages
}

// placeholder is a binary attachment's place in a packet's JSON.
var placeholder = regexp.MustCompile(`\{"_placeholder":true,"num":(\d+)\}`)

// decodedArgs shows a packet's arguments as JSON, with each binary
// attachment's placeholder written as <binary #k> (its bytes are in the
// attachment's own row).
func decodedArgs(args string) string {
	if !strings.Contains(args, `"_placeholder"`) {
		return args
	}
	return placeholder.ReplaceAllString(args, "<binary #$1>")
}

// cutText shortens s to at most n bytes (on a rune boundary), marking the
// cut with an ellipsis and the full size.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "… (" + sizeText(len(s)) + ")"
}

// hexBytes shows b as hex pairs in groups of four bytes, cut after n bytes.
func hexBytes(b []byte, n int) string {
	var sb strings.Builder
	shown := b
	if len(b) > n {
		shown = b[:n]
	}
	for i, c := range shown {
		if i > 0 {
			if i%4 == 0 {
				sb.WriteString("  ")
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	if len(b) > n {
		sb.WriteString(" … (" + sizeText(len(b)) + ")")
	}
	return sb.String()
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return trimFloat(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return trimFloat(float64(n)/(1<<10)) + " KiB"
	}
	return itoa(int64(n)) + " bytes"
}

// lessonOf names the lesson step of a server path
// ("/lessons/rooms/join/socket.io/" is "rooms/join"), or "".
func lessonOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/lessons/")
	if !ok {
		return ""
	}
	rest = strings.TrimSuffix(rest, "/")
	rest = strings.TrimSuffix(rest, "socket.io")
	return strings.TrimSuffix(rest, "/")
}

// arrow shows a packet's direction: → from the client, ← to it.
func arrow(dir string) string {
	switch dir {
	case "in":
		return "→"
	case "out":
		return "←"
	}
	return dir
}

func dirTitle(dir string) string {
	if dir == "in" {
		return "from the client"
	}
	return "to the client"
}

// summary describes a packet's Socket.IO layer in words, as the script's
// summary does: "EVENT chat message /admin ack 3".
func (p packetItem) summary(ctx context.Context) string {
	if p.SIO == "" {
		if p.Binary {
			return "binary attachment"
		}
		return ""
	}
	s := p.SIO
	if p.Event != "" {
		s += " " + p.Event
	}
	if p.Nsp != "" && p.Nsp != "/" {
		s += " " + p.Nsp
	}
	if p.AckID != nil {
		s += " ack " + itoa(*p.AckID)
		if p.Ack != nil {
			switch p.Ack.State {
			case ackAnswered:
				s += " (" + rttText(p.Ack.RTT) + ")"
			case ackMissing:
				s += " (" + tr(ctx, "no ack") + ")"
			}
		}
	}
	return s
}

// traceText is a packet in a trace: as on the wire, cut at 600 bytes.
func (p packetItem) traceText() string {
	raw := p.Raw
	if p.Binary {
		raw = "<binary " + itoa(int64(p.Size)) + " bytes> " + raw
	}
	if len(raw) > 600 {
		i := 600
		for i > 0 && !utf8.RuneStart(raw[i]) {
			i--
		}
		raw = raw[:i] + "…"
	}
	return raw
}

func (p packetItem) traceDesc() string { return p.traceDescIn(context.Background()) }

// traceDescIn is traceDesc in the page's language.
func (p packetItem) traceDescIn(ctx context.Context) string {
	tr := p.Transport
	if tr == "websocket" {
		tr = "ws"
	}
	d := p.summary(ctx)
	if d == "" {
		d = p.eioText()
	}
	return tr + " " + d
}

func (s sessionItem) transportText() string {
	if s.Upgraded != "" {
		return s.Transport + " → " + s.Upgraded
	}
	return s.Transport
}

func (s sessionItem) stateText(ctx context.Context) string {
	if s.EndedAt == 0 {
		return tr(ctx, "open")
	}
	r := s.Reason
	if r == "" {
		r = "?"
	}
	return tr(ctx, "closed: ") + r
}

func (s sessionItem) stateClass() string {
	if s.EndedAt == 0 {
		return "wbi-state wbi-state-open"
	}
	return "wbi-state wbi-state-closed"
}

func (s sessionItem) lessonText() string {
	if s.Lesson != "" {
		return s.Lesson
	}
	return "—"
}

// clock shows a time (µs) as HH:MM:SS.mmm in the server's zone; the
// pages' script redoes it in the browser's.
func clock(us int64) string {
	if us == 0 {
		return ""
	}
	return time.UnixMicro(us).Format("15:04:05.000")
}

// offset shows the time from start to at (µs) as debug's "+12ms".
func offset(at, start int64) string {
	return "+" + debugfmt.Humanize(time.Duration(at/1000-start/1000)*time.Millisecond)
}

// fullTime shows a time (µs) with its date, for session headers.
func fullTime(us int64) string {
	if us == 0 {
		return ""
	}
	return time.UnixMicro(us).Format("2006-01-02 15:04:05.000 MST")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
