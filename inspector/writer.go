package inspector

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
	"unsafe"

	"github.com/sioworkbook/workbook/sio/engine"
)

// writer turns items into rows. It belongs to one goroutine (the Recorder's
// writer, or one Import); its session cache holds what it knows of the
// sessions it has seen, so that a batch writes each session row once.
type writer struct {
	db       *DB
	log      *slog.Logger
	sessions map[string]*sessState
	touched  []*sessState // sessions changed by the current batch

	// skip, when set, is consulted for a session the writer meets for the
	// first time: true means its items are ignored (Import skips sessions
	// the file already has).
	skip func(sid string, found bool) bool
}

// sessState is the writer's view of one session.
type sessState struct {
	s       Session // s.ID == 0 until its row is known
	pend    [2]pending
	touched bool // in w.touched
	event   bool // opened, upgraded or closed in the current batch
	skipped bool // Import: the session is ignored
}

// pending counts the binary attachments still expected after a
// BINARY_EVENT or BINARY_ACK, per direction.
type pending struct {
	left   int
	parent int64
}

func newWriter(db *DB, log *slog.Logger) *writer {
	return &writer{db: db, log: log, sessions: make(map[string]*sessState)}
}

const (
	sqlInsertPacket = `INSERT INTO packets (session_id, at, dir, transport, eio_type, sio_type, nsp, event,
		ack_id, args, binary, attachment_of, raw, size) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	sqlInsertDebug   = `INSERT INTO debug_lines (at, sid, namespace, message) VALUES (?,?,?,?)`
	sqlUpsertSession = `INSERT INTO sessions (sid, path, client, remote_addr, user_agent, transport,
		upgraded, upgraded_at, started_at, ended_at, close_reason, last_at, packets)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (sid) DO UPDATE SET path = excluded.path, client = excluded.client,
		remote_addr = excluded.remote_addr, user_agent = excluded.user_agent,
		transport = excluded.transport, upgraded = excluded.upgraded, upgraded_at = excluded.upgraded_at,
		started_at = excluded.started_at, ended_at = excluded.ended_at, close_reason = excluded.close_reason,
		last_at = excluded.last_at, packets = excluded.packets
		RETURNING id`
)

// batchStmts are the statements of one transaction.
type batchStmts struct {
	packet, debug, session, find *sql.Stmt
}

func (b *batchStmts) close() {
	for _, s := range []*sql.Stmt{b.packet, b.debug, b.session, b.find} {
		if s != nil {
			s.Close()
		}
	}
}

// write stores batch in one transaction. With live set it returns the new
// rows for the subscribers. On error nothing of the batch is stored, and the
// sessions it touched are forgotten (they are read back from the file the
// next time they appear).
func (w *writer) write(ctx context.Context, batch []item, live bool) (out []Live, err error) {
	tx, err := w.db.w.BeginTx(ctx, nil)
	if err != nil {
		w.forget()
		return nil, fmt.Errorf("inspector: begin batch: %w", err)
	}
	var st batchStmts
	defer func() {
		st.close()
		if err != nil {
			tx.Rollback()
			w.forget()
		}
	}()
	for _, p := range []struct {
		s   **sql.Stmt
		sql string
	}{{&st.packet, sqlInsertPacket}, {&st.debug, sqlInsertDebug}, {&st.session, sqlUpsertSession}, {&st.find, sqlSelectSession + ` WHERE sid = ?`}} {
		if *p.s, err = tx.PrepareContext(ctx, p.sql); err != nil {
			return nil, fmt.Errorf("inspector: prepare batch: %w", err)
		}
	}
	for i := range batch {
		it := &batch[i]
		var l Live
		switch it.kind {
		case kindFlush:
			continue
		case kindDebug:
			l, err = w.debug(ctx, &st, it, live)
		case kindPacket:
			l, err = w.packet(ctx, &st, it, live)
		default:
			err = w.sessionEvent(ctx, &st, it)
		}
		if err != nil {
			return nil, err
		}
		if l != (Live{}) {
			out = append(out, l)
		}
	}
	for _, ss := range w.touched {
		if err = w.saveSession(ctx, &st, ss); err != nil {
			return nil, err
		}
	}
	if err = tx.Commit(); err != nil {
		return nil, fmt.Errorf("inspector: commit batch: %w", err)
	}
	for _, ss := range w.touched {
		if ss.event && live {
			s := ss.s
			out = append(out, Live{Session: &s})
		}
		ss.touched, ss.event = false, false
		if !ss.s.EndedAt.IsZero() {
			// Closed: a late packet reads it back from the file.
			delete(w.sessions, ss.s.SID)
		}
	}
	w.touched = w.touched[:0]
	return out, nil
}

// forget drops the cached state of the sessions the failed batch touched.
func (w *writer) forget() {
	for _, ss := range w.touched {
		delete(w.sessions, ss.s.SID)
	}
	w.touched = w.touched[:0]
}

// state returns the session sid, from the cache, the file, or new.
func (w *writer) state(ctx context.Context, st *batchStmts, sid string, at int64) (*sessState, error) {
	ss := w.sessions[sid]
	if ss == nil {
		ss = &sessState{}
		err := scanSession(st.find.QueryRowContext(ctx, sid), &ss.s)
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

func (w *writer) sessionEvent(ctx context.Context, st *batchStmts, it *item) error {
	ss, err := w.state(ctx, st, it.sid, it.at)
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

// saveSession writes a session row as the cache has it.
func (w *writer) saveSession(ctx context.Context, st *batchStmts, ss *sessState) error {
	s := &ss.s
	if err := st.session.QueryRowContext(ctx, s.SID, s.Path, s.Client, s.RemoteAddr, s.UserAgent, s.Transport,
		s.Upgraded, nullMicro(s.UpgradedAt), toMicro(s.StartedAt), nullMicro(s.EndedAt), s.CloseReason,
		toMicro(s.LastAt), s.Packets).Scan(&s.ID); err != nil {
		return fmt.Errorf("inspector: save session %s: %w", s.SID, err)
	}
	return nil
}

func (w *writer) debug(ctx context.Context, st *batchStmts, it *item, live bool) (Live, error) {
	res, err := st.debug.ExecContext(ctx, it.at, it.sid, it.ns, it.text)
	if err != nil {
		return Live{}, fmt.Errorf("inspector: insert debug line: %w", err)
	}
	if !live {
		return Live{}, nil
	}
	id, _ := res.LastInsertId()
	return Live{Debug: &DebugLine{ID: id, SID: it.sid, At: fromMicro(it.at), Namespace: it.ns, Message: it.text}}, nil
}

func (w *writer) packet(ctx context.Context, st *batchStmts, it *item, live bool) (Live, error) {
	ss, err := w.state(ctx, st, it.sid, it.at)
	if err != nil || ss.skipped {
		return Live{}, err
	}
	if ss.s.Transport == "" {
		ss.s.Transport = it.transport
	}
	if ss.s.ID == 0 {
		// The first packet of a session whose Opened is still to come (a
		// WebSocket may write the open packet before Opened is called).
		if err := w.saveSession(ctx, st, ss); err != nil {
			return Live{}, err
		}
	}
	raw := it.data // "<digit><data>", or the bytes of a binary message
	var (
		sioType, nsp, event, ackID, args, attachmentOf any
		f                                              sioFields
		isSIO                                          bool
	)
	pend := &ss.pend[it.dir&1]
	if it.eio == engine.PacketMessage {
		if it.binary {
			if pend.left > 0 {
				attachmentOf = pend.parent
				pend.left--
			}
		} else if f, isSIO = decodeSIO(raw[1:]); isSIO {
			pend.left = 0
			sioType, nsp = f.typ.String(), f.nsp
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
	if !it.binary {
		rawArg = unsafe.String(unsafe.SliceData(raw), len(raw)) // stored as TEXT
	}
	res, err := st.packet.ExecContext(ctx, ss.s.ID, it.at, it.dir.String(), it.transport, it.eio.String(),
		sioType, nsp, event, ackID, args, it.binary, attachmentOf, rawArg, len(raw))
	if err != nil {
		return Live{}, fmt.Errorf("inspector: insert packet: %w", err)
	}
	ss.s.Packets++
	var id int64
	if live || (isSIO && f.attachments > 0) {
		id, _ = res.LastInsertId()
	}
	if isSIO && f.attachments > 0 {
		pend.left, pend.parent = f.attachments, id
	}
	if !live {
		return Live{}, nil
	}
	p := &Packet{ID: id, SessionID: ss.s.ID, SID: ss.s.SID, At: fromMicro(it.at), Dir: it.dir.String(),
		Transport: it.transport, EIOType: it.eio.String(), Binary: it.binary, Raw: raw, Size: len(raw)}
	if isSIO {
		p.SIOType, p.Nsp, p.Args = f.typ.String(), f.nsp, f.args
		if f.hasEvent {
			p.Event = f.event
		}
		if f.hasID {
			id := f.id
			p.AckID = &id
		}
	}
	if a, ok := attachmentOf.(int64); ok {
		p.AttachmentOf = a
	}
	return Live{Packet: p}, nil
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
