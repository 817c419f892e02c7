package admin

import (
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// observer is the Admin as the server's Observer. Its methods run on the
// server's goroutines: while no UI is connected they return at once; then
// they count packets and queue what a UI is told, never waiting.
type observer struct{ a *Admin }

// hooks returns the observer as the server's hooks. It reads no debug
// line: Debug stays nil, so the server writes none for it.
func (o observer) hooks() *sio.Observer {
	return &sio.Observer{
		Opened:       o.Opened,
		Upgraded:     o.Upgraded,
		Closed:       o.Closed,
		Packet:       o.Packet,
		SocketPacket: o.SocketPacket,
	}
}

func (o observer) Opened(s *engine.Session) {
	if o.a.active() {
		o.a.agg.add("rawConnection", "", 1)
	}
}

func (o observer) Upgraded(s *engine.Session, transport string) {
	if o.a.verbose() {
		o.a.q.push(item{kind: kindUpgraded, sid: s.ID(), text: transport, at: time.Now()})
	}
}

func (o observer) Closed(s *engine.Session, reason engine.Reason) {
	if !o.a.active() {
		return
	}
	o.a.agg.add("rawDisconnection", string(reason), 1)
	if o.a.verbose() {
		o.a.q.push(item{kind: kindClosed, sid: s.ID(), text: string(reason), at: time.Now()})
	}
}

func (o observer) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	if len(p.Data) == 0 || !o.a.active() {
		return
	}
	if dir == engine.In {
		o.a.agg.add2("packetsIn", "bytesIn", int64(len(p.Data)))
	} else {
		o.a.agg.add2("packetsOut", "bytesOut", int64(len(p.Data)))
	}
}

func (o observer) SocketPacket(sid string, dir engine.Direction, p *parser.Packet) {
	a := o.a
	if !a.verbose() {
		return
	}
	switch p.Type {
	case parser.Connect:
		if dir != engine.Out {
			return
		}
		// The server's CONNECT carries the socket's id: {"sid":"..."}.
		var c struct {
			SID string `json:"sid"`
		}
		if json.Unmarshal(p.Data, &c) == nil && c.SID != "" {
			a.q.push(item{kind: kindConnected, sid: sid, nsp: p.Namespace, id: c.SID, at: time.Now()})
		}
	case parser.Disconnect:
		reason := string(sio.ReasonClientNamespaceDisconnect)
		if dir == engine.Out {
			reason = string(sio.ReasonServerNamespaceDisconnect)
		}
		a.q.push(item{kind: kindDisconnected, sid: sid, nsp: p.Namespace, text: reason, at: time.Now()})
	case parser.Event, parser.BinaryEvent:
		if p.Namespace == a.nspName {
			return // the UIs' own traffic is not shown, as in Node
		}
		it := item{kind: kindEvent, sid: sid, nsp: p.Namespace, out: dir == engine.Out, at: time.Now()}
		it.data = slices.Clone(p.Data)
		if len(p.Attachments) > 0 {
			it.atts = make([][]byte, len(p.Attachments))
			for i, b := range p.Attachments {
				it.atts[i] = slices.Clone(b)
			}
		}
		a.q.push(it)
	}
}

// The kinds of notification queued for run.
const (
	kindConnected    = iota // a socket joined nsp: id
	kindDisconnected        // a socket left nsp, for reason text
	kindClosed              // session sid ended, for reason text
	kindUpgraded            // session sid moved to transport text
	kindEvent               // an event to (out) or from a socket
	kindRoom                // socket id joined (joined) or left room text
)

// item is one notification on its way to the UIs.
type item struct {
	kind   int
	sid    string // the Engine.IO session
	nsp    string
	id     string // the socket id, when known
	text   string // reason, transport or room
	out    bool   // an event sent to the client
	joined bool
	data   json.RawMessage
	atts   [][]byte
	at     time.Time
}

func (it *item) size() int64 {
	n := int64(len(it.data)) + 64
	for _, b := range it.atts {
		n += int64(len(b))
	}
	return n
}

// queue is a bounded FIFO between the server's goroutines and run: push
// never blocks, and drops (counting) when the queue is full, in items or in
// bytes.
type queue struct {
	ch      chan item
	bytes   atomic.Int64
	max     int64
	dropped atomic.Int64
	onDrop  func()
}

func (q *queue) init(items int, bytes int64) {
	q.ch = make(chan item, items)
	q.max = bytes
}

func (q *queue) push(it item) {
	n := it.size()
	if q.bytes.Add(n) > q.max {
		q.bytes.Add(-n)
		q.drop()
		return
	}
	select {
	case q.ch <- it:
	default:
		q.bytes.Add(-n)
		q.drop()
	}
}

func (q *queue) drop() {
	q.dropped.Add(1)
	if q.onDrop != nil {
		q.onDrop()
	}
}

// got is called by the reader for each item taken.
func (q *queue) got(it *item) { q.bytes.Add(-it.size()) }

// aggregate counts what server_stats reports as aggregatedEvents: per
// second, connections, disconnections by reason, packets and bytes each way.
type aggregate struct {
	mu     sync.Mutex
	counts map[aggKey]int64
}

type aggKey struct {
	second        int64 // Unix time in seconds
	kind, subType string
}

func (g *aggregate) add(kind, subType string, n int64) {
	k := aggKey{time.Now().Unix(), kind, subType}
	g.mu.Lock()
	if g.counts == nil {
		g.counts = make(map[aggKey]int64)
	}
	g.counts[k] += n
	g.mu.Unlock()
}

// add2 counts one packet of kind and n bytes of bytesKind.
func (g *aggregate) add2(kind, bytesKind string, n int64) {
	sec := time.Now().Unix()
	g.mu.Lock()
	if g.counts == nil {
		g.counts = make(map[aggKey]int64)
	}
	g.counts[aggKey{sec, kind, ""}]++
	g.counts[aggKey{sec, bytesKind, ""}] += n
	g.mu.Unlock()
}

// aggregatedEvent is one entry of server_stats' aggregatedEvents.
type aggregatedEvent struct {
	Timestamp int64  `json:"timestamp"` // milliseconds, a whole second
	Type      string `json:"type"`
	SubType   string `json:"subType,omitempty"`
	Count     int64  `json:"count"`
}

// take returns the counts so far, oldest first, and starts again.
func (g *aggregate) take() []aggregatedEvent {
	g.mu.Lock()
	counts := g.counts
	g.counts = nil
	g.mu.Unlock()
	out := make([]aggregatedEvent, 0, len(counts))
	for k, n := range counts {
		out = append(out, aggregatedEvent{Timestamp: k.second * 1000, Type: k.kind, SubType: k.subType, Count: n})
	}
	slices.SortFunc(out, func(x, y aggregatedEvent) int {
		if x.Timestamp != y.Timestamp {
			return int(x.Timestamp - y.Timestamp)
		}
		if x.Type != y.Type {
			if x.Type < y.Type {
				return -1
			}
			return 1
		}
		if x.SubType < y.SubType {
			return -1
		}
		if x.SubType > y.SubType {
			return 1
		}
		return 0
	})
	return out
}
