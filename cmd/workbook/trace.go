package main

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// TraceCommand prints the recorded trace as DEBUG=* prints it live.
type TraceCommand struct {
	DB      string
	Session string
	Client  string
	Debug   string
	Since   time.Time
	Until   time.Time
	Color   string
}

func (c *TraceCommand) flags() *flagSet {
	fs := newFlagSet("trace", "workbook trace [flags]", `
Prints the trace recorded in --db in the format of the debug package, as
DEBUG=* node app.js prints it: the server's debug lines (engine,
engine:socket, socket.io:client, ...) and, under workbook:engine and
workbook:socket.io, one line per session event and per packet, in the
order and with the times they were recorded. On a terminal the lines are
coloured and end with the "+Nms" since the previous line of their
namespace; elsewhere they start with their time, as debug does
(DEBUG_COLORS, NO_COLOR and DEBUG_HIDE_DATE apply as they do to debug).

--debug selects namespaces with debug's syntax: "*", "engine*",
"socket.io:*,-socket.io:client", "*,-workbook:*" (no packet lines).
--since and --until take a duration before now (10m, 2h, 7d) or a time
(2026-11-27T13:00:00Z, 2026-11-27).`)
	fs.dbFlag(&c.DB, "the SQLite file to read")
	fs.stringVar(&c.Session, "session", "", "SID", "", "only this session (its Engine.IO id, as 'workbook sessions' lists)")
	fs.stringVar(&c.Client, "client", "", "ID", "", "only the sessions of this browser (its wb_client cookie)")
	fs.stringVar(&c.Debug, "debug", "DEBUG", "PATTERN", "*", "namespaces to print")
	fs.valueVar(newTimeValue(&c.Since), "since", "", "TIME", "only lines at or after TIME")
	fs.valueVar(newTimeValue(&c.Until), "until", "", "TIME", "only lines before TIME")
	fs.valueVar(newChoiceValue(&c.Color, "auto", "auto", "always", "never"), "color", "", "WHEN", "colours and +Nms: auto (when stdout is a terminal), always or never")
	return fs
}

// Run prints the trace.
func (c *TraceCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	db, err := openExisting(c.DB)
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	defer db.Close()
	if c.Session != "" {
		if _, err := db.Session(ctx, c.Session); errors.Is(err, inspector.ErrNotFound) {
			return fmt.Errorf("trace: no session %s in %s", c.Session, c.DB)
		} else if err != nil {
			return fmt.Errorf("trace: %w", err)
		}
	}
	t := newTracer(db, c.Debug, c.Color, stdout, inspector.PacketFilter{
		SID: c.Session, Client: c.Client, Since: c.Since, Until: c.Until,
	})
	if err := t.run(ctx); err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	return t.w.Flush()
}

// newTracer returns the tracer of trace and replay: it writes to stdout
// (through a buffer: flush t.w at the end) the items f selects whose
// namespace pattern enables, coloured as color says ("auto", "always",
// "never") and as the debug package's variables say.
func newTracer(db *inspector.DB, pattern, color string, stdout io.Writer, f inspector.PacketFilter) *tracer {
	env := debugfmt.OptionsFromEnv(stdout) // the mode debug would pick, DEBUG_HIDE_DATE
	mode := env.Mode
	switch color {
	case "never":
		mode = debugfmt.Plain
	case "always":
		if !mode.Colored() {
			mode = debugfmt.Basic
		}
	}
	return &tracer{
		db:   db,
		sel:  debugfmt.ParseSelector(pattern),
		r:    &debugfmt.Renderer{Mode: mode, HideDate: env.HideDate},
		w:    bufio.NewWriter(stdout),
		f:    f,
		seen: make(map[string]bool),
	}
}

// tracePage is how many packets or lines trace reads at a time.
const tracePage = 1000

// tracer merges, in time order, the recorded debug lines, the packets and
// the session events (opened, upgraded, closed) of the sessions it meets,
// and renders each as a line.
type tracer struct {
	db  *inspector.DB
	sel debugfmt.Selector
	r   *debugfmt.Renderer
	w   *bufio.Writer
	f   inspector.PacketFilter

	seen   map[string]bool // sessions whose events are queued
	events eventHeap
	seq    int // order of the events pushed, for ties
	buf    []byte

	// wait, if set, is called before each line is written, with the line's
	// time, after what came before has been flushed: replay waits there.
	// Its first error stops the trace and is what run returns.
	wait func(at time.Time) error
	err  error
}

func (t *tracer) run(ctx context.Context) error {
	packets := &pager[inspector.Packet]{fetch: func(after int64) ([]inspector.Packet, error) {
		f := t.f
		f.AfterID, f.Limit = after, tracePage
		return t.db.Packets(ctx, f)
	}, id: func(p *inspector.Packet) int64 { return p.ID }}
	lines := &pager[inspector.DebugLine]{fetch: func(after int64) ([]inspector.DebugLine, error) {
		f := t.f
		f.AfterID, f.Limit = after, tracePage
		return t.db.DebugLines(ctx, f)
	}, id: func(l *inspector.DebugLine) int64 { return l.ID }}
	for {
		p, err := packets.peek()
		if err != nil {
			return err
		}
		l, err := lines.peek()
		if err != nil {
			return err
		}
		// The next recorded item: the earlier of the two, packets first on
		// a tie (the server logs what it did with a packet after it).
		var at time.Time
		switch {
		case p == nil && l == nil:
			t.flushEvents(time.Time{})
			return t.err
		case l == nil || (p != nil && !p.At.After(l.At)):
			at = p.At
			if err := t.meet(ctx, p.SID); err != nil {
				return err
			}
		default:
			at = l.At
			if err := t.meet(ctx, l.SID); err != nil {
				return err
			}
		}
		t.flushEvents(at)
		if l == nil || (p != nil && !p.At.After(l.At)) {
			t.packet(p)
			packets.next()
		} else {
			t.line(l.At, l.Namespace, l.Message)
			lines.next()
		}
		if t.err != nil {
			return t.err
		}
		if t.w.Buffered() > 32<<10 {
			if err := t.w.Flush(); err != nil {
				return err
			}
		}
	}
}

// meet queues the events of session sid the first time it shows up.
func (t *tracer) meet(ctx context.Context, sid string) error {
	if sid == "" || t.seen[sid] {
		return nil
	}
	t.seen[sid] = true
	s, err := t.db.Session(ctx, sid)
	if errors.Is(err, inspector.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	opened := s.SID + " opened over " + s.Transport
	if s.RemoteAddr != "" {
		opened += " from " + s.RemoteAddr
	}
	t.push(s.StartedAt, opened)
	if !s.UpgradedAt.IsZero() {
		t.push(s.UpgradedAt, s.SID+" upgraded to "+s.Upgraded)
	}
	if !s.EndedAt.IsZero() {
		t.push(s.EndedAt, s.SID+" closed ("+s.CloseReason+")")
	}
	return nil
}

func (t *tracer) push(at time.Time, msg string) {
	if (!t.f.Since.IsZero() && at.Before(t.f.Since)) || (!t.f.Until.IsZero() && !at.Before(t.f.Until)) {
		return
	}
	t.seq++
	heap.Push(&t.events, traceEvent{at: at, seq: t.seq, msg: msg})
}

// flushEvents prints the queued session events up to and including at, or
// all of them when at is zero.
func (t *tracer) flushEvents(at time.Time) {
	for len(t.events) > 0 && (at.IsZero() || !t.events[0].at.After(at)) {
		e := heap.Pop(&t.events).(traceEvent)
		t.line(e.at, debugfmt.NamespaceEngine, e.msg)
	}
}

// packet prints the lines a live Printer prints for p: the Engine.IO packet
// under workbook:engine and, for a Socket.IO packet, the decoded packet
// under workbook:socket.io (after the Engine.IO line when received, before
// it when sent).
func (t *tracer) packet(p *inspector.Packet) {
	dir := engine.In
	if p.Dir == "out" {
		dir = engine.Out
	}
	var sio string
	if p.SIOType != "" && t.sel.Enabled(debugfmt.NamespaceSocketIO) {
		sio = debugfmt.SocketPacketMessage(p.SID, dir, socketPacket(p))
	}
	if sio != "" && dir == engine.Out {
		t.line(p.At, debugfmt.NamespaceSocketIO, sio)
	}
	if t.sel.Enabled(debugfmt.NamespaceEngine) {
		t.line(p.At, debugfmt.NamespaceEngine, debugfmt.PacketMessage(p.SID, dir, p.Transport, enginePacket(p)))
	}
	if sio != "" && dir == engine.In {
		t.line(p.At, debugfmt.NamespaceSocketIO, sio)
	}
}

func (t *tracer) line(at time.Time, namespace, msg string) {
	if !t.sel.Enabled(namespace) || t.err != nil {
		return
	}
	if t.wait != nil {
		if err := t.w.Flush(); err != nil {
			t.err = err
			return
		}
		if err := t.wait(at); err != nil {
			t.err = err
			return
		}
	}
	t.buf = t.r.AppendLine(t.buf[:0], at, debugfmt.EscapeControls(namespace), debugfmt.EscapeControls(msg))
	t.buf = append(t.buf, '\n')
	t.w.Write(t.buf)
}

// enginePacket rebuilds the Engine.IO packet of a recorded one.
func enginePacket(p *inspector.Packet) engine.Packet {
	if p.Binary {
		return engine.Packet{Type: engine.PacketMessage, Data: p.Raw, Binary: true}
	}
	ep := engine.Packet{Type: eioType(p.EIOType)}
	if len(p.Raw) > 1 {
		ep.Data = p.Raw[1:]
	}
	return ep
}

func eioType(name string) engine.PacketType {
	for t := engine.PacketOpen; t <= engine.PacketNoop; t++ {
		if t.String() == name {
			return t
		}
	}
	return engine.PacketMessage
}

// socketPacket rebuilds, from a recorded message, the Socket.IO packet the
// live Printer describes: its data as on the wire (["event",...args] for an
// event) and as many attachments (empty: only their count is printed) as
// its header announces.
func socketPacket(p *inspector.Packet) *parser.Packet {
	sp := &parser.Packet{Namespace: p.Nsp}
	for t := parser.Type(0); t <= 6; t++ {
		if t.String() == p.SIOType {
			sp.Type = t
		}
	}
	if p.AckID != nil {
		sp.HasID, sp.ID = true, uint64(*p.AckID)
	}
	sp.Data = p.Args
	if sp.Type == parser.Event || sp.Type == parser.BinaryEvent {
		name, _ := json.Marshal(p.Event)
		args := strings.TrimSpace(string(p.Args))
		data := "[" + string(name)
		if inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(args, "["), "]")); inner != "" && strings.HasPrefix(args, "[") {
			data += "," + inner
		}
		sp.Data = json.RawMessage(data + "]")
	}
	if sp.Type == parser.BinaryEvent || sp.Type == parser.BinaryAck {
		// The count is the number before "-" right after the type digit.
		raw := p.Raw
		if len(raw) > 2 {
			end := 2
			for end < len(raw) && raw[end] >= '0' && raw[end] <= '9' {
				end++
			}
			if end < len(raw) && raw[end] == '-' {
				if n, err := strconv.Atoi(string(raw[2:end])); err == nil && n <= 1<<10 {
					sp.Attachments = make([][]byte, n)
				}
			}
		}
	}
	return sp
}

// pager reads rows page by page in ID order.
type pager[T any] struct {
	fetch func(after int64) ([]T, error)
	id    func(*T) int64
	page  []T
	i     int
	after int64
	done  bool
}

// peek returns the current row, or nil at the end.
func (p *pager[T]) peek() (*T, error) {
	if p.i < len(p.page) {
		return &p.page[p.i], nil
	}
	if p.done {
		return nil, nil
	}
	page, err := p.fetch(p.after)
	if err != nil {
		return nil, err
	}
	p.page, p.i = page, 0
	if len(page) < tracePage {
		p.done = true
	}
	if len(page) == 0 {
		return nil, nil
	}
	p.after = p.id(&page[len(page)-1])
	return &p.page[0], nil
}

func (p *pager[T]) next() { p.i++ }

// traceEvent is a session event waiting for its turn.
type traceEvent struct {
	at  time.Time
	seq int
	msg string
}

type eventHeap []traceEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(traceEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
