package inspector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
)

// yieldEvery is how many items the writer handles between two yields of
// the processor while it keeps to a share of the CPU below the whole
// machine (RecorderOptions.CPUShare): it then runs behind every goroutine
// that is ready to run. With the default share it does not yield: a
// writer that gives way to a busy server falls behind it, and its queue
// overflows.
const yieldEvery = 16

// ErrRecorderClosed is returned by Recorder.Flush after Close.
var ErrRecorderClosed = errors.New("inspector: recorder closed")

// RecorderOptions tunes a Recorder. The zero value works.
type RecorderOptions struct {
	// QueueSize bounds the packets and debug lines waiting for the
	// writer. If zero, 262144 is used: a second of 100,000 deliveries
	// with their debug lines, about 40 MB.
	QueueSize int
	// LifecycleSize bounds the session records (open, upgrade, close)
	// waiting for the writer. They have a queue of their own, which the
	// writer empties first and a full packet queue does not touch: a
	// session is never left "open" in the file because its close came in
	// a flood of packets. A session has at most three, so this bound is
	// only reached when the writer cannot write at all for a long time.
	// If zero, 131072 is used (about 45 MB at most).
	LifecycleSize int
	// QueueBytes bounds the packet bytes waiting for the writer, so that a
	// flood of large messages cannot eat the memory. If zero, 64 MiB is used.
	QueueBytes int64
	// BatchSize is the most items written in one transaction. If zero,
	// 131072 is used: a second of 100,000 deliveries per second fits in
	// one, so that a session's packets of a batch make one chunk (a
	// session's chunk row and session row cost the writer more than the
	// packets in them).
	BatchSize int
	// FlushInterval is how long an item waits in the queue before its
	// batch is committed, when fewer than BatchSize items are waiting. If
	// zero, 100ms is used. When the last batch touched many sessions (more
	// than 50 at 100ms), the writer waits longer, up to 2 seconds, so that
	// each session's row of a batch holds more packets: the live feeds are
	// then that much later.
	FlushInterval time.Duration
	// Logger receives the recorder's warnings (items dropped). If nil,
	// slog.Default() is used.
	Logger *slog.Logger
	// CPUShare is the most of the machine's CPU time the writer takes
	// while the machine has no idle CPU (on Linux, where both can be
	// measured): a saturated server loses about that much throughput to
	// recording, and the items the writer has no time for are dropped and
	// counted. If zero, DefaultCPUShare is used; if negative or 1 (the
	// whole machine) or more, the writer takes what the scheduler gives it.
	CPUShare float64
}

// Recorder records what a sio.Server does into a DB. Its Observer method
// returns the hooks to set as Config.Observer (alone or with sio.Observers).
//
// Its observer methods only copy what they are told into a bounded queue and
// return; they never wait on the disk. One goroutine, the writer, takes the
// queue in batches and commits each in a transaction. When the queue is full,
// or a batch cannot be written (disk full, read-only file), the items are
// dropped and counted (Dropped), a warning is logged, and the server goes on.
// The records of a session's open, upgrade and close have a queue of their
// own (RecorderOptions.LifecycleSize), which the writer takes first: they are
// never dropped for lack of room in the packet queue.
// A process killed at any moment leaves a consistent file holding every
// committed batch.
//
// The writer records every packet unless storage cannot keep up: a packet
// sent to many sessions (a broadcast) is stored once, each delivery as a
// few bytes in its session's chunk, and the server's debug lines about each
// packet are not written at all (WantsDebug) but derived from the packets
// when read. With RecorderOptions.CPUShare below 1, the writer gives way to
// a busy server instead: it yields the processor every few items and keeps
// to that share of a machine with no idle CPU, and the queue overflows
// (Dropped counts it).
//
// The writer decodes the Socket.IO packet of each Engine.IO message itself,
// from the bytes as they went over the wire; SocketPacket calls are ignored,
// since the wire is the truth.
//
// All methods are safe for concurrent use.
type Recorder struct {
	db   *DB
	opts RecorderOptions
	log  *slog.Logger

	mu    sync.Mutex
	queue []item  // appended by the observer methods, swapped out by the writer
	life  []item  // the session records (open, upgrade, close), taken first
	pk    *pqueue // the packets (pqueue.go), swapped out by the writer
	clock clock   // stamps the packets; set again by the writer
	// pkSpare is the writer's emptied pqueue, given back for the next
	// swap (nil while the writer holds both).
	pkSpare  *pqueue
	qcap     int // items the queue takes: QueueSize, or less while the governor limits the writer
	closed   bool
	flushing bool // a Flush or Close wants the queue written without waiting

	// full: the queue has no room, items are dropped without taking mu.
	// Every observer call reads it: it has a cache line of its own, away
	// from mu and the queue that every push writes.
	_    [64]byte
	full atomic.Bool
	_    [63]byte

	wake    chan struct{} // cap 1: the writer has something to look at
	done    chan struct{} // closed when the writer has returned
	dropped droppedCount
	stored  atomic.Int64

	subs subscribers
	hold chan struct{} // tests: the writer waits for it to close before it takes anything

	// the writer's own state
	spare       []item
	lifeSpare   []item
	lifeDropped atomic.Int64
	lastWarn    time.Time
	warned      int64 // dropped count at the last warning
	gone        bool  // the file was found deleted or replaced (checkFile)
}

// item kinds.
const (
	kindPacket uint8 = iota
	kindDebug
	kindOpened
	kindUpgraded
	kindClosed
	kindFlush
)

// item is one observer call, copied. It stays small: the fields of rarer
// kinds hang off pointers.
type item struct {
	kind      uint8
	dir       engine.Direction
	eio       engine.PacketType
	binary    bool
	derive    bool   // packet: the server's lines about it are derived (derived.go)
	at        int64  // µs since the epoch
	sid       string // Engine.IO session id
	transport string // packet: transport; upgraded: new transport; opened: first transport
	data      []byte // packet: the Engine.IO packet as on the wire, owned
	text      string // debug: message, or its format when args is set; closed: reason
	args      []any  // debug: the arguments of the format, formatted by the writer
	ns        string // debug: namespace
	open      *openInfo
	flushed   chan error // kindFlush: gets the result of the commit
}

// openInfo is what Opened learns about a session's handshake request.
type openInfo struct {
	path, client, addr, agent string
}

// NewRecorder starts the writer of a recorder storing into db. Close it
// before closing db.
func NewRecorder(db *DB, opts RecorderOptions) *Recorder { return newRecorder(db, opts, nil) }

// newRecorder is NewRecorder; a writer given a hold takes nothing from the
// queues until hold is closed (tests).
func newRecorder(db *DB, opts RecorderOptions, hold chan struct{}) *Recorder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 262144
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = 64 << 20
	}
	if opts.LifecycleSize <= 0 {
		opts.LifecycleSize = 131072
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 131072
	}
	opts.BatchSize = min(opts.BatchSize, maxBatchIDs/2) // retention counts on it (prunePayloads)
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 100 * time.Millisecond
	}
	r := &Recorder{
		db:    db,
		opts:  opts,
		log:   opts.Logger,
		queue: make([]item, 0, 64),
		pk:    newPQueue(),
		clock: newClock(),
		qcap:  opts.QueueSize,
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
		hold:  hold,
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	go r.run()
	return r
}

// Observer returns the hooks through which a sio.Server tells r what it
// does: Opened, Upgraded, Closed, Packet, Debug and WantsDebug. It leaves
// SocketPacket unset, so the server does not report Socket.IO packets: the
// writer decodes them from the Engine.IO messages, as they were on the
// wire.
func (r *Recorder) Observer() *sio.Observer {
	return &sio.Observer{
		Opened:     r.Opened,
		Upgraded:   r.Upgraded,
		Closed:     r.Closed,
		Packet:     r.Packet,
		Debug:      r.Debug,
		WantsDebug: r.WantsDebug,
	}
}

// Dropped returns the number of items (packets, debug lines, and session
// records whose batch failed) that could not be stored: the queue was full,
// or their batch could not be written.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// LifecycleDropped returns the number of session records (open, upgrade,
// close) dropped because LifecycleSize of them were already waiting; they
// are also in Dropped. They are logged as errors, at the 1st, 2nd, 4th,
// 8th... drop.
func (r *Recorder) LifecycleDropped() int64 { return r.lifeDropped.Load() }

// droppedCount counts dropped items on several cache lines: when the queue
// is full every observer call of every connection drops, and one counter
// would bounce between the CPUs at that rate.
type droppedCount struct {
	stripes [8]struct {
		n atomic.Int64
		_ [56]byte
	}
}

// add counts n items dropped by the goroutine of session sid.
func (d *droppedCount) add(sid string, n int64) {
	i := 0
	if len(sid) > 0 {
		i = int(sid[len(sid)-1]) // session ids end in a random character
	}
	d.stripes[i%len(d.stripes)].n.Add(n)
}

// Add counts n items dropped where no session is at hand.
func (d *droppedCount) Add(n int64) { d.add("", n) }

// Load returns the count.
func (d *droppedCount) Load() int64 {
	var sum int64
	for i := range d.stripes {
		sum += d.stripes[i].n.Load()
	}
	return sum
}

// Stored returns the number of items committed so far.
func (r *Recorder) Stored() int64 { return r.stored.Load() }

// Queued returns the number of items waiting for the writer.
func (r *Recorder) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue) + len(r.life) + len(r.pk.items)
}

// pushLife queues a session record (open, upgrade, close). A full packet
// queue does not stop it: only LifecycleSize records waiting, or a closed
// recorder, does, and then loudly.
func (r *Recorder) pushLife(it item) {
	if it.at == 0 {
		it.at = nowMicro()
	}
	r.mu.Lock()
	if r.closed || len(r.life) >= r.opts.LifecycleSize {
		closed := r.closed
		r.mu.Unlock()
		r.dropped.add(it.sid, 1)
		// Logged at the 1st, 2nd, 4th, 8th... drop: loud, but a writer
		// stuck for good does not turn every handshake into a log write.
		if !closed {
			if n := r.lifeDropped.Add(1); n&(n-1) == 0 {
				r.log.Error("inspector: session records dropped: the writer has fallen far behind",
					"dropped", n, "sid", it.sid, "waiting", r.opts.LifecycleSize, "db", r.db.Path())
			}
		}
		return
	}
	r.life = append(r.life, it)
	n := len(r.life)
	r.mu.Unlock()
	if n == 1 {
		r.signal()
	}
}

// push queues it (a debug line, a flush), or counts it as dropped. It
// never blocks. An item with no time (at 0) is stamped now.
func (r *Recorder) push(it item) {
	if r.full.Load() {
		r.dropped.add(it.sid, 1)
		return
	}
	r.mu.Lock()
	if r.closed || len(r.queue)+len(r.pk.items) >= r.qcap {
		r.fullLocked()
		r.mu.Unlock()
		r.dropped.add(it.sid, 1)
		return
	}
	if it.at == 0 && it.kind != kindFlush {
		it.at = nowMicro()
	}
	r.queue = append(r.queue, it)
	n := len(r.queue)
	wake := n == 1 || n+len(r.pk.items) == r.readyAtLocked()
	r.mu.Unlock()
	if wake {
		r.signal()
	}
}

// readyAtLocked is how many items waiting end the gathering of a batch:
// BatchSize, or half the queue's capacity when that is less, so that the
// queue never fills while the writer waits for more. The caller holds mu.
func (r *Recorder) readyAtLocked() int { return max(1, min(r.opts.BatchSize, r.qcap/2)) }

// fullLocked notes that the queue has no room: until the writer takes it,
// which it will (it was woken when the first item came), the hooks drop
// without taking mu. The caller holds mu.
func (r *Recorder) fullLocked() {
	if !r.closed && len(r.queue)+len(r.pk.items) > 0 {
		r.full.Store(true)
	}
}

// pushPacket queues a delivery of packet p to session sid at at (0: now),
// or counts it as dropped. It never blocks, and allocates nothing once the
// queue's buffers have grown: p's bytes are copied once per distinct
// packet (pqueue.payload), and the stamp is taken only once the packet is
// known to fit, so that when the server outruns the writer a dropped
// packet costs no more than the check.
func (r *Recorder) pushPacket(at int64, sid string, flags uint8, p *engine.Packet) {
	r.mu.Lock()
	q := r.pk
	if r.closed || len(r.queue)+len(q.items) >= r.qcap {
		r.fullLocked()
		r.mu.Unlock()
		r.dropped.add(sid, 1)
		return
	}
	pay, _, ok := q.payload(p, r.opts.QueueBytes)
	if !ok {
		r.fullLocked()
		r.mu.Unlock()
		r.dropped.add(sid, 1)
		return
	}
	if at == 0 {
		at = r.clock.now()
	}
	q.items = append(q.items, pqItem{at: at, sess: q.session(sid), pay: pay, flags: flags})
	n := len(q.items)
	wake := n == 1 || n+len(r.queue) == r.readyAtLocked()
	r.mu.Unlock()
	if wake {
		r.signal()
	}
}

// maxSpareArena is the largest arena the writer keeps for reuse.
const maxSpareArena = 16 << 20

// limitedQueue is the most items the queue holds while the governor limits
// the writer: it stores a small part of what comes anyway, and a full
// queue of 65536 items is memory the server's garbage collector keeps
// scanning.
const limitedQueue = 4096

// setCapacity sets how many items the queue takes.
func (r *Recorder) setCapacity(limited bool) {
	c := r.opts.QueueSize
	if limited {
		c = min(c, limitedQueue)
	}
	r.mu.Lock()
	r.qcap = c
	r.mu.Unlock()
}

func (r *Recorder) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func nowMicro() int64 { return time.Now().UnixMicro() }

// clock stamps the packets: the wall clock read once, plus the monotonic
// clock since then, which is one read of the system's clock where
// time.Now takes two. The writer sets it again every batch, so that the
// stamps follow the wall clock when it is adjusted.
type clock struct {
	mono time.Time // with its monotonic reading
	wall int64     // mono in µs since the epoch
}

func newClock() clock {
	now := time.Now()
	return clock{mono: now, wall: now.UnixMicro()}
}

// now returns the time in µs since the epoch.
func (c *clock) now() int64 { return c.wall + int64(time.Since(c.mono)/time.Microsecond) }

// Opened is the hook of Observer: it records the session's handshake.
func (r *Recorder) Opened(s *engine.Session) {
	var path, client, addr, agent string
	if req := s.Request(); req != nil {
		path = req.URL.Path
		if c, err := req.Cookie("wb_client"); err == nil {
			client = c.Value
		}
		addr = req.RemoteAddr
		if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
			addr = host
		}
		agent = req.UserAgent()
	}
	r.RecordOpen(time.Time{}, s.ID(), path, client, addr, agent, s.Transport())
}

// Upgraded is the hook of Observer: it records the upgrade.
func (r *Recorder) Upgraded(s *engine.Session, transport string) {
	r.RecordUpgrade(time.Time{}, s.ID(), transport)
}

// Closed is the hook of Observer: it records the session's end.
func (r *Recorder) Closed(s *engine.Session, reason engine.Reason) {
	r.RecordClose(time.Time{}, s.ID(), string(reason))
}

// Packet is the hook of Observer: it copies p and queues it.
func (r *Recorder) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	r.recordPacket(time.Time{}, s.ID(), dir, transport, p, true)
}

// Recording without an engine.Session: a caller that sees a session's
// traffic from outside the server (workbook proxy, which sits in front of
// any Socket.IO server) tells the recorder what it saw with the Record
// methods. They follow the rules of the hooks: they copy what
// they are given into the queue and return, never block, and count what
// does not fit as dropped. A zero at stands for now.

// RecordOpen records the handshake of session sid: the server's path (with
// its trailing slash), the browser's wb_client cookie ("" if none), the
// client's IP address (no port), its User-Agent and the first transport
// ("polling" or "websocket").
func (r *Recorder) RecordOpen(at time.Time, sid, path, client, addr, agent, transport string) {
	if path != "" && !strings.HasSuffix(path, "/") {
		path += "/" // a request's path is the server's own path, with its trailing slash
	}
	r.pushLife(item{kind: kindOpened, at: micro(at), sid: sid, transport: transport,
		open: &openInfo{path: path, client: client, addr: addr, agent: agent}})
}

// RecordUpgrade records that session sid moved to transport ("websocket").
func (r *Recorder) RecordUpgrade(at time.Time, sid, transport string) {
	r.pushLife(item{kind: kindUpgraded, at: micro(at), sid: sid, transport: transport})
}

// RecordClose records the end of session sid, with the words of the
// official server for reason ("transport close", "ping timeout", ...).
func (r *Recorder) RecordClose(at time.Time, sid, reason string) {
	r.pushLife(item{kind: kindClosed, at: micro(at), sid: sid, text: reason})
}

// RecordPacket records packet p of session sid, which went in direction
// dir over transport ("polling" or "websocket"). p is copied: the caller
// may reuse its Data.
//
// No debug lines are derived from packets recorded this way: the server
// that sent them is not this one, and wrote its own lines, if any.
func (r *Recorder) RecordPacket(at time.Time, sid string, dir engine.Direction, transport string, p engine.Packet) {
	r.recordPacket(at, sid, dir, transport, p, false)
}

// recordPacket is RecordPacket; with derive, the server's debug lines
// about the packet, which it did not write (WantsDebug), are derived from
// it when read.
func (r *Recorder) recordPacket(at time.Time, sid string, dir engine.Direction, transport string, p engine.Packet, derive bool) {
	if r.full.Load() {
		r.dropped.add(sid, 1)
		return
	}
	var flags uint8
	if dir == engine.Out {
		flags |= pqOut
	}
	if transport == engine.TransportWebSocket {
		flags |= pqWS
	}
	if derive {
		flags |= pqDerive
	}
	r.pushPacket(micro(at), sid, flags, &p)
}

// micro returns t in µs since the epoch, or 0 (now, to push) for the zero
// time.
func micro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// wireLen returns len(wireBytes(p)).
func wireLen(p engine.Packet) int {
	if p.Binary {
		return len(p.Data)
	}
	return 1 + len(p.Data)
}

// WantsDebug is the hook of Observer. It returns false: the lines the
// server writes about each packet only restate it, and are derived from the
// recorded packets when read (derived.go).
func (r *Recorder) WantsDebug() bool { return false }

// Debug is the hook of Observer. It queues the line unformatted: the
// writer formats it, off the server's path, and a dropped line costs no
// formatting. The lines derived from packets, which come when another
// observer wants them, are not stored.
func (r *Recorder) Debug(namespace, sid, format string, args ...any) {
	if len(args) > 0 && derivable(namespace, format) {
		return
	}
	if r.full.Load() {
		r.dropped.add(sid, 1)
		return
	}
	r.push(item{kind: kindDebug, sid: sid, ns: namespace, text: format, args: args})
}

// Flush waits until everything queued before the call is committed (or
// dropped). It returns the error of the last batch it waited for, ctx's
// error, or ErrRecorderClosed.
func (r *Recorder) Flush(ctx context.Context) error {
	ch := make(chan error, 1)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrRecorderClosed
	}
	r.queue = append(r.queue, item{kind: kindFlush, flushed: ch})
	r.flushing = true
	r.mu.Unlock()
	r.signal()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-r.done:
		select {
		case err := <-ch:
			return err
		default:
			return ErrRecorderClosed
		}
	}
}

// Close writes what is queued, stops the writer and ends the live feeds.
// Later observer calls are counted as dropped. Close returns the error of
// the last batch, if any.
func (r *Recorder) Close() error {
	ch := make(chan error, 1)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.done
		return nil
	}
	r.queue = append(r.queue, item{kind: kindFlush, flushed: ch})
	r.closed = true
	r.flushing = true
	r.mu.Unlock()
	r.signal()
	<-r.done
	r.subs.closeAll()
	select {
	case err := <-ch:
		return err
	default:
		return nil
	}
}

// run is the writer: it waits for items, lets a batch gather for up to
// FlushInterval (or until BatchSize items wait, or a Flush asks), then
// writes everything queued, BatchSize items per transaction.
func (r *Recorder) run() {
	defer close(r.done)
	gov := newGovernor(r.opts.CPUShare)
	w := newWriter(r.db, r.log)
	w.derive = true
	if gov.enabled {
		w.yieldEvery = yieldEvery
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	window := r.opts.FlushInterval
	for {
		<-r.wake
		if r.hold != nil {
			<-r.hold
		}
		// Gather.
		r.mu.Lock()
		ready := r.flushing || len(r.queue)+len(r.pk.items) >= r.readyAtLocked()
		r.mu.Unlock()
		if !ready {
			timer.Reset(window)
		wait:
			for {
				select {
				case <-timer.C:
					break wait
				case <-r.wake:
					r.mu.Lock()
					ready = r.flushing || len(r.queue)+len(r.pk.items) >= r.readyAtLocked()
					r.mu.Unlock()
					if ready {
						timer.Stop()
						break wait
					}
				}
			}
		}
		// Take.
		r.mu.Lock()
		life := r.life
		r.life = r.lifeSpare[:0]
		batch := r.queue
		r.queue = r.spare[:0]
		pk := r.pk
		r.pk = r.pkSpare
		if r.pk == nil {
			r.pk = newPQueue()
		}
		r.pkSpare = nil
		r.clock = newClock()
		r.full.Store(false)
		r.flushing = false
		closed := r.closed
		r.mu.Unlock()

		// The session records first: they hold the sessions' rows, and
		// nothing may push them out. Then the debug lines and the
		// packets, BatchSize of each per transaction. The flushes are
		// answered once all is written, with the first error.
		w.chunkRows = 0
		var flushes []chan error
		var ferr error
		for rest := life; len(rest) > 0; {
			n := r.step(gov, closed)
			if err := r.write(w, rest[:min(n, len(rest))], nil); err != nil && ferr == nil {
				ferr = err
			}
			gov.after()
			rest = rest[min(n, len(rest)):]
		}
		for rest, pkts := batch, pk.items; len(rest) > 0 || len(pkts) > 0; {
			n := r.step(gov, closed)
			ni, np := min(n, len(rest)), min(n, len(pkts))
			for _, it := range rest[:ni] {
				if it.kind == kindFlush {
					flushes = append(flushes, it.flushed)
				}
			}
			if err := r.write(w, rest[:ni], &pqBatch{q: pk, items: pkts[:np]}); err != nil && ferr == nil {
				ferr = err
			}
			gov.after()
			rest, pkts = rest[ni:], pkts[np:]
		}
		for _, ch := range flushes {
			ch <- ferr
		}
		window = gatherWindow(r.opts.FlushInterval, w.chunkRows)
		clear(life)
		r.lifeSpare = life[:0]
		clear(batch) // let the debug lines' arguments go
		r.spare = batch[:0]
		// Nothing refers to its bytes any more: the batch is written and
		// the live packets have copies.
		pk.reset()
		r.mu.Lock()
		r.pkSpare = pk
		r.mu.Unlock()
		if closed {
			r.mu.Lock()
			empty := len(r.queue) == 0 && len(r.life) == 0 && len(r.pk.items) == 0
			r.mu.Unlock()
			if empty {
				return
			}
		}
		r.mu.Lock()
		if len(r.queue) > 0 || len(r.life) > 0 || len(r.pk.items) > 0 {
			r.signal()
		}
		r.mu.Unlock()
	}
}

// chunkRowsPerSecond and maxGather size the writer's batches when many
// sessions each send a little (see gatherWindow).
const (
	chunkRowsPerSecond = 500
	maxGather          = 2 * time.Second
)

// adaptiveGather is false only in the benchmark that measures what the
// window saves.
var adaptiveGather = true

// gatherWindow returns how long the writer lets its next batch gather,
// given the packet chunks the last one wrote. Each session a batch touches
// costs a chunk row and a session row, whatever its number of packets: a
// thousand sessions getting a broadcast every 50 ms cost a row per packet
// at the default 100 ms, more than the packets themselves. The window
// grows so that about chunkRowsPerSecond chunks are written a second, up
// to maxGather; with a few sessions (a class, a learner) it stays at
// interval, which is how late the live feeds are.
func gatherWindow(interval time.Duration, chunks int) time.Duration {
	if !adaptiveGather {
		return interval
	}
	w := time.Duration(chunks) * time.Second / chunkRowsPerSecond
	return min(max(w, interval), max(maxGather, interval))
}

// step is called before each transaction of the writer: the governor may
// hold it back, and says how many items it may take.
func (r *Recorder) step(gov *governor, closed bool) int {
	if !closed {
		gov.before()
		r.setCapacity(gov.limiting())
	}
	return gov.batchSize(r.opts.BatchSize)
}

// write commits one batch (items, and the packets of pk if not nil),
// publishes it to the subscribers, and counts and reports the items it
// could not store. It returns the batch's error.
func (r *Recorder) write(w *writer, batch []item, pk *pqBatch) error {
	n := 0
	for _, it := range batch {
		if it.kind != kindFlush {
			n++
		}
	}
	if pk != nil {
		n += len(pk.items)
	}
	var live []Live
	var err error
	if n > 0 {
		if err = r.checkFile(); err == nil {
			live, err = w.write(context.Background(), batch, pk, r.subs.active())
		}
		if err != nil {
			r.dropped.Add(int64(n))
		} else {
			r.stored.Add(int64(n))
			r.subs.publish(live)
		}
	}
	r.reportDrops(err)
	return err
}

// checkFile returns ErrFileGone once the file the DB opened is deleted or
// replaced, and says so at level Error the first time. Writing on would
// store the items in a file no one can open again, lost at exit: they are
// dropped and counted instead, where the count is seen.
func (r *Recorder) checkFile() error {
	err := r.db.CheckFile()
	if errors.Is(err, ErrFileGone) && !r.gone {
		r.gone = true
		r.log.Error("inspector: the database file was deleted or replaced: nothing more is recorded, "+
			"and the pages no longer find it; restart to record into a new file", "db", r.db.Path())
	}
	return err
}

// reportDrops logs dropped items: at once the first time, then at most
// every 10 seconds while the count grows.
func (r *Recorder) reportDrops(err error) {
	d := r.dropped.Load()
	if d == r.warned {
		return
	}
	now := time.Now()
	if r.warned != 0 && now.Sub(r.lastWarn) < 10*time.Second {
		return
	}
	attrs := []any{"dropped", d, "db", r.db.Path()}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	level := slog.LevelWarn
	if errors.Is(err, ErrFileGone) {
		level = slog.LevelError
	}
	r.log.Log(context.Background(), level, "inspector: items not recorded", attrs...)
	r.warned, r.lastWarn = d, now
}

// String names the recorder by its database file.
func (r *Recorder) String() string {
	return fmt.Sprintf("inspector.Recorder(%s)", r.db.Path())
}
