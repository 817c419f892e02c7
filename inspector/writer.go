package inspector

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// writer turns items into rows. It belongs to one goroutine (the Recorder's
// writer, or one Import); its session cache holds what it knows of the
// sessions it has seen, so that a batch writes each session row once.
type writer struct {
	db       *DB
	log      *slog.Logger
	sessions map[string]*sessState
	touched  []*sessState // sessions changed by the current batch
	// lingering are closed sessions kept one batch more, for the
	// attachments they still expect (the close is written ahead of the
	// packets queued with it); gen counts the batches settled.
	lingering []*sessState
	gen       int
	chunks    chunks  // the debug-line chunks of the current batch
	pchunks   pchunks // the packet chunks and payloads of the current batch
	scratch   []byte  // the text of the debug line being written
	// yieldEvery > 0: yield the processor every so many items.
	yieldEvery int
	// chunkRows counts the packet chunks written, one row each (and one
	// session row each): the Recorder reads it to size its batches.
	chunkRows int
	// derive: the debug lines about each packet are derived from it when
	// read (derived.go), and the chunks set their ids aside. The Recorder
	// derives them (the server does not write them); Import stores the
	// lines its file holds, and no more.
	derive bool

	// touches is the JSON of sqlTouchSessions being gathered.
	touches []byte
	// qsess and qpays map the sessions and payloads of the pqueue being
	// written to the writer's, as they are met.
	qsess []*sessState
	qpays []*wpayload

	// skip, when set, is consulted for a session the writer meets for the
	// first time: true means its items are ignored (Import skips sessions
	// the file already has).
	skip func(sid string, found bool) bool
}

// sessState is the writer's view of one session.
type sessState struct {
	s       Session // s.ID == 0 until its row is known
	pend    [2]pending
	chunk   *pchunk // its open chunk in the current batch
	touched bool    // in w.touched
	linger  int     // the gen at which it was found closed with attachments to come
	event   bool    // opened, upgraded or closed in the current batch
	skipped bool    // Import: the session is ignored
	// events are the event names stored in session_events for it (at most
	// maxSessionEvents), nil until the first.
	events map[string]struct{}
	// lastEvent is the last name found in events, checked first.
	lastEvent string
}

// pending counts the binary attachments still expected after a
// BINARY_EVENT or BINARY_ACK, per direction.
type pending struct {
	left   int
	parent packetRef
}

func newWriter(db *DB, log *slog.Logger) *writer {
	return &writer{db: db, log: log, sessions: make(map[string]*sessState)}
}

const (
	sqlInsertPayload = `INSERT INTO payloads (id, eio_type, sio_type, nsp, event, ack_id, args, binary, raw, size)
		VALUES (?,?,?,?,?,?,?,?,?,?)`
	sqlInsertChunkPackets = `INSERT INTO packet_chunks (id, session_id, n, first_at, base, list, attached,
		debug_id, debug_n, debug_end) VALUES `
	sqlChunkRow    = `(?,?,?,?,?,?,?,?,?,?)`
	sqlInsertChunk = `INSERT INTO debug_chunks (id, last_id, sid, first_at, last_at, n, lines)
		VALUES (?,?,?,?,?,?,?)`

	sqlInsertSession = `INSERT INTO sessions (sid, path, client, remote_addr, user_agent, transport,
		upgraded, upgraded_at, started_at, ended_at, close_reason, last_at, packets, errors)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`
	sqlUpdateSession = `UPDATE sessions SET path = ?, client = ?, remote_addr = ?, user_agent = ?,
		transport = ?, upgraded = ?, upgraded_at = ?, started_at = ?, ended_at = ?, close_reason = ?,
		last_at = ?, packets = ?, errors = ? WHERE id = ?`
	// Only the columns no index covers, for the sessions whose only news
	// is packets: the common case by far. One statement for all of them,
	// given as JSON [[id, last_at, packets, errors], ...]: a statement per
	// session cost more than the update itself.
	sqlTouchSessions = `UPDATE sessions SET last_at = t.value->>1, packets = t.value->>2, errors = t.value->>3
		FROM json_each(?) AS t WHERE sessions.id = t.value->>0`
	// An event name a session saw, for the sessions list's filter.
	sqlInsertSessionEvent = `INSERT OR IGNORE INTO session_events (event, session_id) VALUES (?, ?)`
)

// maxSessionEvents bounds the event names kept per session: a client that
// makes up names cannot grow session_events without end.
const maxSessionEvents = 64

// batch is the state of one transaction.
//
// Rows are inserted one prepared statement each (multi-row INSERTs cost
// more CPU per row here), with ids the writer gives itself: it holds the
// write lock, so the next free ids read when the transaction begins are
// free.
//
// Packets are gathered into one chunk per session and batch, a single row
// of compact references to the batch's payloads, each stored once however
// many sessions it went to (packetchunks.go).
//
// Debug lines are the most numerous items (a packet is told about two or
// three times) and are read by session: they are gathered into one chunk
// per session and batch, a single row, each line keeping the id it would
// have had as a row of its own.
type batch struct {
	tx                    *sql.Tx
	payload, pchunk       *sql.Stmt
	pchunkN               *sql.Stmt // chunkRows rows at once
	chunk                 *sql.Stmt
	find, insert, update  *sql.Stmt
	touch, sessEvent      *sql.Stmt
	nextPacket, nextDebug int64 // the ids the next packets and lines get
	nextPayload           int64
	chunks                *chunks  // the writer's, reset for each batch
	pchunks               *pchunks // the writer's, reset for each add
	lines                 []*item  // the debug lines of the add, numbered at its end
}

func (b *batch) close() {
	for _, s := range []*sql.Stmt{b.payload, b.pchunk, b.pchunkN, b.chunk, b.find, b.insert, b.update, b.touch, b.sessEvent} {
		if s != nil {
			s.Close()
		}
	}
}

// write stores items in one transaction. With live set it returns the new
// rows for the subscribers. On error nothing of the batch is stored, and the
// sessions it touched are forgotten (they are read back from the file the
// next time they appear).
func (w *writer) write(ctx context.Context, items []item, pk *pqBatch, live bool) (out []Live, err error) {
	b, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			b.rollback()
			w.forget()
		}
	}()
	if err = w.add(ctx, b, items, pk, live, &out); err != nil {
		return nil, err
	}
	if err = b.commit(); err != nil {
		return nil, err
	}
	w.settle(live, &out)
	return out, nil
}

// begin starts a transaction and prepares its statements.
func (w *writer) begin(ctx context.Context) (b *batch, err error) {
	tx, err := w.db.w.BeginTx(ctx, nil)
	if err != nil {
		w.forget()
		return nil, fmt.Errorf("inspector: begin batch: %w", err)
	}
	b = &batch{tx: tx}
	defer func() {
		if err != nil {
			b.rollback()
		}
	}()
	for _, p := range []struct {
		s   **sql.Stmt
		sql string
	}{
		{&b.payload, sqlInsertPayload},
		{&b.pchunk, sqlInsertChunkPackets + sqlChunkRow},
		{&b.pchunkN, sqlInsertChunkPackets + strings.Repeat(","+sqlChunkRow, chunkRows)[1:]},
		{&b.chunk, sqlInsertChunk},
		{&b.find, sqlSelectSession + ` WHERE sid = ?`},
		{&b.insert, sqlInsertSession},
		{&b.update, sqlUpdateSession},
		{&b.touch, sqlTouchSessions},
		{&b.sessEvent, sqlInsertSessionEvent},
	} {
		if *p.s, err = tx.PrepareContext(ctx, p.sql); err != nil {
			return nil, fmt.Errorf("inspector: prepare batch: %w", err)
		}
	}
	// The chunk with the largest id holds the last packet: chunks do not
	// overlap. (max(id + n) would read every chunk.)
	if err = tx.QueryRowContext(ctx, `SELECT coalesce((SELECT id + n FROM packet_chunks ORDER BY id DESC LIMIT 1), 1),
		coalesce((SELECT max(id) FROM payloads), 0) + 1`).Scan(&b.nextPacket, &b.nextPayload); err != nil {
		return nil, fmt.Errorf("inspector: batch: %w", err)
	}
	// Line ids: past the last stored line and the last block of lines
	// derived from packets.
	if err = tx.QueryRowContext(ctx, `SELECT max(coalesce((SELECT max(last_id) FROM debug_chunks), 0) + 1,
		coalesce((SELECT debug_end FROM packet_chunks WHERE debug_n > 0 ORDER BY debug_id DESC LIMIT 1), 0))`).Scan(&b.nextDebug); err != nil {
		return nil, fmt.Errorf("inspector: batch: %w", err)
	}
	b.chunks, b.pchunks = &w.chunks, &w.pchunks
	return b, nil
}

// commit commits the transaction of b.
func (b *batch) commit() error {
	b.close()
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("inspector: commit batch: %w", err)
	}
	return nil
}

// rollback abandons the transaction of b.
func (b *batch) rollback() {
	b.close()
	b.tx.Rollback()
}

// add writes items and the packets of pk (if not nil), and the session
// rows they change, in b's transaction. Several calls may share one
// transaction (Import writes a whole file in one); after each, settle.
func (w *writer) add(ctx context.Context, b *batch, items []item, pk *pqBatch, live bool, out *[]Live) (err error) {
	b.chunks.reset()
	b.pchunks.reset()
	n0 := len(*out)
	for i := range items {
		if w.yieldEvery > 0 && i%w.yieldEvery == w.yieldEvery-1 {
			// The recorder comes after the server: let every goroutine
			// that is ready run first. When the server is busy the
			// queue fills and drops are counted; when it is not, this
			// returns at once.
			runtime.Gosched()
		}
		it := &items[i]
		var l Live
		switch it.kind {
		case kindFlush:
			continue
		case kindDebug:
			l, err = w.debug(ctx, b, it, live)
		case kindPacket:
			l, err = w.packet(ctx, b, it, live)
		default:
			err = w.sessionEvent(ctx, b, it)
		}
		if err != nil {
			return err
		}
		if l != (Live{}) {
			*out = append(*out, l)
		}
	}
	if pk != nil {
		if err = w.queued(ctx, b, pk, live, out); err != nil {
			return err
		}
	}
	w.touches = w.touches[:0]
	for _, ss := range w.touched {
		ss.chunk = nil
		if err = w.saveSession(ctx, b, ss); err != nil {
			return err
		}
	}
	if err = w.saveTouches(ctx, b); err != nil {
		return err
	}
	b.nextPacket = b.pchunks.number(b.nextPacket)
	w.numberLines(b, live, out)
	if live {
		// The lines come with their packets, in time order, as they would
		// have come from the server.
		slices.SortStableFunc((*out)[n0:], func(a, b Live) int { return liveAt(a).Compare(liveAt(b)) })
	}
	w.chunkRows += len(b.pchunks.list)
	err = b.pchunks.insert(ctx, b)
	// The payloads' keys are the items' bytes, which the recorder reuses
	// once the batch is written.
	b.pchunks.forgetPayloads()
	if err != nil {
		return err
	}
	return b.chunks.insert(ctx, b.chunk)
}

// settle ends the writer's view of the sessions the last add touched:
// their changed rows go to the subscribers, and closed ones leave the cache
// (a late packet reads its session back from the file).
func (w *writer) settle(live bool, out *[]Live) {
	w.gen++
	prev := w.lingering
	w.lingering = nil
	for _, ss := range w.touched {
		for i := range ss.pend {
			// The parent's id is known now; its chunk is reused.
			if p := &ss.pend[i]; p.parent.c != nil {
				p.parent = packetRef{id: p.parent.resolve()}
			}
		}
		if ss.event && live {
			s := ss.s
			*out = append(*out, Live{Session: &s})
		}
		ss.touched, ss.event = false, false
		if !ss.s.EndedAt.IsZero() {
			if ss.pend[0].left > 0 || ss.pend[1].left > 0 {
				ss.linger = w.gen
				w.lingering = append(w.lingering, ss)
			} else {
				delete(w.sessions, ss.s.SID)
			}
		}
	}
	for _, ss := range prev {
		if ss.linger != w.gen {
			delete(w.sessions, ss.s.SID)
		}
	}
	w.touched = w.touched[:0]
}

// forget drops the cached state of the sessions the failed batch touched.
func (w *writer) forget() {
	for _, ss := range w.touched {
		delete(w.sessions, ss.s.SID)
	}
	w.touched = w.touched[:0]
}

// state returns the session sid, from the cache, the file, or new.
func (w *writer) state(ctx context.Context, b *batch, sid string, at int64) (*sessState, error) {
	ss := w.sessions[sid]
	if ss == nil {
		ss = &sessState{}
		err := scanSession(b.find.QueryRowContext(ctx, sid), &ss.s)
		found := err == nil
		if err == sql.ErrNoRows {
			ss.s = Session{SID: sid, StartedAt: fromMicro(at), LastAt: fromMicro(at)}
		} else if err != nil {
			return nil, fmt.Errorf("inspector: find session %s: %w", sid, err)
		}
		if w.skip != nil && w.skip(sid, found) {
			ss.skipped = true
		}
		w.sessions[sid] = ss
	}
	if !ss.touched && !ss.skipped {
		ss.touched = true
		w.touched = append(w.touched, ss)
	}
	if t := fromMicro(at); t.After(ss.s.LastAt) {
		ss.s.LastAt = t
	}
	return ss, nil
}

func (w *writer) sessionEvent(ctx context.Context, b *batch, it *item) error {
	ss, err := w.state(ctx, b, it.sid, it.at)
	if err != nil || ss.skipped {
		return err
	}
	ss.event = true
	at := fromMicro(it.at)
	switch it.kind {
	case kindOpened:
		if o := it.open; o != nil {
			ss.s.Path, ss.s.Client, ss.s.RemoteAddr, ss.s.UserAgent = o.path, o.client, o.addr, o.agent
		}
		ss.s.Transport = it.transport
		if at.Before(ss.s.StartedAt) {
			ss.s.StartedAt = at
		}
	case kindUpgraded:
		ss.s.Upgraded, ss.s.UpgradedAt = it.transport, at
	case kindClosed:
		ss.s.EndedAt, ss.s.CloseReason = at, it.text
	}
	return nil
}

// insertSession writes the row of a session met for the first time.
func (w *writer) insertSession(ctx context.Context, b *batch, ss *sessState) error {
	s := &ss.s
	if err := b.insert.QueryRowContext(ctx, s.SID, s.Path, s.Client, s.RemoteAddr, s.UserAgent, s.Transport,
		s.Upgraded, nullMicro(s.UpgradedAt), toMicro(s.StartedAt), nullMicro(s.EndedAt), s.CloseReason,
		toMicro(s.LastAt), s.Packets, s.Errors).Scan(&s.ID); err != nil {
		return fmt.Errorf("inspector: insert session %s: %w", s.SID, err)
	}
	return nil
}

// saveSession writes what the batch changed in a session row.
func (w *writer) saveSession(ctx context.Context, b *batch, ss *sessState) error {
	s := &ss.s
	var err error
	switch {
	case s.ID == 0:
		return w.insertSession(ctx, b, ss)
	case ss.event:
		_, err = b.update.ExecContext(ctx, s.Path, s.Client, s.RemoteAddr, s.UserAgent, s.Transport,
			s.Upgraded, nullMicro(s.UpgradedAt), toMicro(s.StartedAt), nullMicro(s.EndedAt), s.CloseReason,
			toMicro(s.LastAt), s.Packets, s.Errors, s.ID)
	default:
		w.touch(s)
	}
	if err != nil {
		return fmt.Errorf("inspector: save session %s: %w", s.SID, err)
	}
	return nil
}

// maxStatementJSON is about the most JSON the writer gives one statement:
// past it, the rows go in several.
const maxStatementJSON = 1 << 20

// touch adds s to the sessions whose packet counts saveTouches writes.
func (w *writer) touch(s *Session) {
	b := w.touches
	if len(b) == 0 {
		b = append(b, '[')
	} else {
		b = append(b, ',')
	}
	b = append(b, '[')
	b = strconv.AppendInt(b, s.ID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, toMicro(s.LastAt), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.Packets), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.Errors), 10)
	w.touches = append(b, ']')
}

// saveTouches writes the sessions touch gathered.
func (w *writer) saveTouches(ctx context.Context, b *batch) error {
	if len(w.touches) == 0 {
		return nil
	}
	w.touches = append(w.touches, ']')
	_, err := b.touch.ExecContext(ctx, unsafe.String(unsafe.SliceData(w.touches), len(w.touches)))
	w.touches = w.touches[:0]
	if cap(w.touches) > maxStatementJSON {
		w.touches = nil
	}
	if err != nil {
		return fmt.Errorf("inspector: save sessions: %w", err)
	}
	return nil
}

func (w *writer) debug(ctx context.Context, b *batch, it *item, live bool) (Live, error) {
	if w.skip != nil {
		// Import: the lines of a session the file already has are
		// skipped with its packets.
		ss, err := w.state(ctx, b, it.sid, it.at)
		if err != nil || ss.skipped {
			return Live{}, err
		}
	}
	// Its id is given when the batch ends (numberLines), with the lines
	// derived from the session's packets.
	b.lines = append(b.lines, it)
	return Live{}, nil
}

// numberLines gives ids to the debug lines of the batch, stored and
// derived from packets, session by session: the lines of one session in
// one batch take a block of consecutive ids, in time order. The packet
// chunks of the session note the block (debug_id, debug_end) and how many
// of its lines are derived (debug_n): a reader finds their ids as those of
// the block that no stored line of the session has. With live set, the
// lines go to out.
func (w *writer) numberLines(b *batch, live bool, out *[]Live) {
	type block struct {
		sid    string
		lines  []*item
		chunks []*pchunk
	}
	var order []*block
	bySID := map[string]*block{}
	get := func(sid string) *block {
		bl := bySID[sid]
		if bl == nil {
			bl = &block{sid: sid}
			bySID[sid] = bl
			order = append(order, bl)
		}
		return bl
	}
	for _, it := range b.lines {
		get(it.sid).lines = append(get(it.sid).lines, it)
	}
	for _, c := range b.pchunks.list {
		if c.debugN > 0 {
			get(c.ss.s.SID).chunks = append(get(c.ss.s.SID).chunks, c)
		}
	}
	for _, bl := range order {
		first := b.nextDebug
		derived := 0
		// Merge the stored lines with the packets' lines by time (a
		// packet's first on a tie: the server tells what it did with a
		// packet after the lines about receiving or sending it).
		li := 0
		storeLine := func(it *item) {
			id := b.nextDebug
			b.nextDebug++
			msg := it.text
			if it.args != nil {
				w.scratch = debugfmt.AppendMessage(w.scratch[:0], it.text, it.args...)
				msg = unsafe.String(unsafe.SliceData(w.scratch), len(w.scratch)) // until the next line
			}
			b.chunks.add(id, it.at, it.sid, it.ns, msg)
			if live {
				*out = append(*out, Live{Debug: &DebugLine{ID: id, SID: it.sid, At: fromMicro(it.at),
					Namespace: it.ns, Message: strings.Clone(msg)}})
			}
		}
		for _, c := range bl.chunks {
			for k, at := range c.ats {
				for li < len(bl.lines) && bl.lines[li].at < at {
					storeLine(bl.lines[li])
					li++
				}
				n := int(c.nlines[k])
				if live && k < len(c.live) && c.live[k] != nil {
					for _, l := range derivedOf(c.live[k], b.nextDebug) {
						*out = append(*out, Live{Debug: &l})
					}
				}
				b.nextDebug += int64(n)
				derived += n
			}
		}
		for ; li < len(bl.lines); li++ {
			storeLine(bl.lines[li])
		}
		for _, c := range bl.chunks {
			c.debugID, c.debugN, c.debugEnd = first, derived, b.nextDebug
		}
	}
	b.lines = b.lines[:0]
}

func (w *writer) packet(ctx context.Context, b *batch, it *item, live bool) (Live, error) {
	ss, err := w.state(ctx, b, it.sid, it.at)
	if err != nil || ss.skipped {
		return Live{}, err
	}
	pl, err := w.payload(ctx, b, it.data, it.eio, it.binary)
	if err != nil {
		return Live{}, err
	}
	return w.store(ctx, b, ss, pl, delivery{at: it.at, dir: it.dir, ws: it.transport == engine.TransportWebSocket,
		derive: it.derive, eio: it.eio, binary: it.binary, raw: it.data}, live)
}

// queued writes the packets the Recorder's hooks queued (pqueue.go): the
// session and the payload of each are looked up once per transaction, not
// per delivery.
func (w *writer) queued(ctx context.Context, b *batch, pk *pqBatch, live bool, out *[]Live) error {
	q := pk.q
	w.qsess = append(w.qsess[:0], make([]*sessState, len(q.sids))...)
	w.qpays = append(w.qpays[:0], make([]*wpayload, len(q.pays))...)
	for i := range pk.items {
		if w.yieldEvery > 0 && i%w.yieldEvery == w.yieldEvery-1 {
			runtime.Gosched() // as add does
		}
		it := &pk.items[i]
		ss := w.qsess[it.sess]
		if ss == nil {
			var err error
			if ss, err = w.state(ctx, b, q.sids[it.sess], it.at); err != nil {
				return err
			}
			w.qsess[it.sess] = ss
		} else if t := fromMicro(it.at); t.After(ss.s.LastAt) {
			ss.s.LastAt = t
		}
		ref := q.pays[it.pay]
		raw := q.wire(it.pay)
		pl := w.qpays[it.pay]
		if pl == nil {
			var err error
			if pl, err = w.payload(ctx, b, raw, ref.eio, ref.binary); err != nil {
				return err
			}
			w.qpays[it.pay] = pl
		}
		dir := engine.In
		if it.flags&pqOut != 0 {
			dir = engine.Out
		}
		l, err := w.store(ctx, b, ss, pl, delivery{at: it.at, dir: dir, ws: it.flags&pqWS != 0,
			derive: it.flags&pqDerive != 0, eio: ref.eio, binary: ref.binary, raw: raw}, live)
		if err != nil {
			return err
		}
		if l != (Live{}) {
			*out = append(*out, l)
		}
	}
	clear(w.qsess)
	clear(w.qpays)
	return nil
}

// delivery is one packet to store, from either queue.
type delivery struct {
	at     int64
	dir    engine.Direction
	ws     bool
	derive bool
	eio    engine.PacketType
	binary bool
	raw    []byte // "<digit><data>", or the bytes of a binary message
}

// payload returns the payload of the batch with bytes raw, inserting it
// the first time.
func (w *writer) payload(ctx context.Context, b *batch, raw []byte, eio engine.PacketType, binary bool) (*wpayload, error) {
	pl, isNew := b.pchunks.payload(raw, binary, &b.nextPayload)
	if isNew {
		if err := w.insertPayload(ctx, b, pl, raw, eio, binary); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// store adds packet d of session ss, whose payload is pl, to the session's
// chunk.
func (w *writer) store(ctx context.Context, b *batch, ss *sessState, pl *wpayload, d delivery, live bool) (Live, error) {
	transport := engine.TransportPolling
	if d.ws {
		transport = engine.TransportWebSocket
	}
	if ss.s.Transport == "" {
		ss.s.Transport = transport
	}
	if ss.s.ID == 0 {
		// The first packet of a session whose Opened is still to come (a
		// WebSocket may write the open packet before Opened is called), or
		// that came in this batch: the row must exist before its packets.
		if err := w.insertSession(ctx, b, ss); err != nil {
			return Live{}, err
		}
	}
	raw := d.raw
	c := b.pchunks.chunk(ss, d.at)
	k := len(c.ats)
	flags := int64(0)
	if d.dir == engine.Out {
		flags |= refOut
	}
	if d.ws {
		flags |= refWebSocket
	}
	c.ats = append(c.ats, d.at)
	c.refs = append(c.refs, pl.id<<refShift|flags)
	// The packet's own debug lines are derived from it (derived.go): the
	// chunk sets their ids aside. They depend on the payload, the
	// direction and the transport only: counted once for each.
	n := 0
	if w.derive && d.derive {
		if n = int(pl.lines[flags]) - 1; n < 0 {
			n = packetLines(&lineSource{out: d.dir == engine.Out, ws: d.ws,
				binary: d.binary, raw: raw, sio: &pl.f, isSIO: pl.isSIO}, nil)
			pl.lines[flags] = int8(n + 1)
		}
	}
	c.nlines = append(c.nlines, uint8(n))
	c.debugN += n
	pend := &ss.pend[d.dir&1]
	if d.eio == engine.PacketMessage {
		if d.binary {
			if pend.left > 0 {
				c.attached = append(c.attached, attachment{k: k, parent: pend.parent})
				pend.left--
			}
		} else if pl.isSIO {
			pend.left = 0
			if pl.f.attachments > 0 {
				pend.left, pend.parent = pl.f.attachments, packetRef{c: c, k: k}
			}
		}
	}
	ss.s.Packets++
	if pl.isSIO && !d.binary {
		if err := w.searchable(ctx, b, ss, &pl.f); err != nil {
			return Live{}, err
		}
	}
	if !live {
		return Live{}, nil
	}
	// The ids are given when the batch ends (pchunks.insert fills them in).
	p := &Packet{SessionID: ss.s.ID, SID: ss.s.SID, At: fromMicro(d.at), Dir: d.dir.String(),
		Transport: transport, EIOType: d.eio.String(), Binary: d.binary,
		Raw: append([]byte(nil), raw...), Size: len(raw)}
	if pl.isSIO && !d.binary {
		f := &pl.f
		p.SIOType, p.Nsp = f.typ.String(), f.nsp
		if f.args != nil {
			p.Args = append(json.RawMessage(nil), f.args...)
		}
		if f.hasEvent {
			p.Event = f.event
		}
		if f.hasID {
			id := f.id
			p.AckID = &id
		}
	}
	for len(c.live) < k {
		c.live = append(c.live, nil)
	}
	c.live = append(c.live, p)
	return Live{Packet: p}, nil
}

// searchable keeps what the sessions list filters on: the CONNECT_ERROR
// count and the event names seen.
func (w *writer) searchable(ctx context.Context, b *batch, ss *sessState, f *sioFields) error {
	if f.typ == parser.ConnectError {
		ss.s.Errors++
	}
	if !f.hasEvent || f.event == "" || f.event == ss.lastEvent || len(ss.events) >= maxSessionEvents {
		return nil
	}
	if _, ok := ss.events[f.event]; ok {
		ss.lastEvent = f.event // a broadcast's session sees its name again and again
		return nil
	}
	if _, err := b.sessEvent.ExecContext(ctx, f.event, ss.s.ID); err != nil {
		return fmt.Errorf("inspector: session %s event %q: %w", ss.s.SID, f.event, err)
	}
	if ss.events == nil {
		ss.events = make(map[string]struct{})
	}
	ss.events[f.event] = struct{}{}
	ss.lastEvent = f.event
	return nil
}

// insertPayload writes a payload met for the first time in the batch.
func (w *writer) insertPayload(ctx context.Context, b *batch, pl *wpayload, raw []byte, eio engine.PacketType, binary bool) error {
	var sioType, nsp, event, ackID, args any
	if eio == engine.PacketMessage && !binary {
		if pl.f, pl.isSIO = decodeSIO(raw[1:]); pl.isSIO {
			f := &pl.f
			sioType, nsp = sioTypeNames[f.typ], f.nsp
			if f.hasEvent {
				event = f.event
			}
			if f.hasID {
				ackID = f.id
			}
			if f.args != nil {
				args = unsafe.String(unsafe.SliceData(f.args), len(f.args))
			}
		}
	}
	var rawArg any = raw
	if !binary {
		rawArg = unsafe.String(unsafe.SliceData(raw), len(raw)) // stored as TEXT
	}
	if _, err := b.payload.ExecContext(ctx, pl.id, eioTypeName(eio), sioType, nsp, event, ackID, args,
		binary, rawArg, len(raw)); err != nil {
		return fmt.Errorf("inspector: insert packet: %w", err)
	}
	return nil
}

// liveAt is the time of a packet or a line of the live feed.
func liveAt(l Live) time.Time {
	switch {
	case l.Packet != nil:
		return l.Packet.At
	case l.Debug != nil:
		return l.Debug.At
	}
	return time.Time{}
}

// Names as stored, boxed once: the rows of a batch share them.
var (
	dirNames     = [2]any{engine.In.String(), engine.Out.String()}
	sioTypeNames = func() (a [7]any) {
		for i := range a {
			a[i] = parser.Type(i).String()
		}
		return a
	}()
	eioTypeNames = func() (a [7]any) {
		for i := range a {
			a[i] = engine.PacketType(i).String()
		}
		return a
	}()
)

func eioTypeName(t engine.PacketType) any {
	if int(t) < len(eioTypeNames) {
		return eioTypeNames[t]
	}
	return t.String()
}

// Times are stored as integer microseconds since the Unix epoch.

func toMicro(t time.Time) int64 { return t.UnixMicro() }

func fromMicro(us int64) time.Time { return time.UnixMicro(us) }

// nullMicro stores the zero time as NULL.
func nullMicro(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}
