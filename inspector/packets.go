package inspector

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
)

// queryer is *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// chunkQuery builds the query of the packet chunks that may hold packets
// f selects, in id order (descending for f.Last). The packets themselves
// are filtered as the chunks are read (packetScan.packet).
func chunkQuery(f PacketFilter) (string, []any) {
	where, args := chunkWhere(f)
	if f.AfterID > 0 {
		// A chunk holds at most maxChunkPackets.
		where = append(where, `c.id > ?`)
		args = append(args, f.AfterID-maxChunkPackets)
	}
	if f.BeforeID > 0 {
		where = append(where, `c.id < ?`)
		args = append(args, f.BeforeID)
	}
	q := `SELECT c.id, c.session_id, s.sid, c.first_at, c.base, c.list, c.attached
		FROM packet_chunks c JOIN sessions s ON s.id = c.session_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY c.id`
	if f.Last {
		q += ` DESC`
	}
	return q, args
}

// chunkWhere returns the conditions of f's session, client and time on the
// packet chunks (alias c) that may hold the packets it selects.
func chunkWhere(f PacketFilter) ([]string, []any) {
	var where []string
	var args []any
	if f.SID != "" {
		// The session's rowid first, so that packet_chunks_session serves
		// the rest as one index range.
		where = append(where, `c.session_id = (SELECT id FROM sessions WHERE sid = ?)`)
		args = append(args, f.SID)
	}
	if f.Client != "" {
		where = append(where, `c.session_id IN (SELECT id FROM sessions WHERE client = ?)`)
		args = append(args, f.Client)
	}
	if f.PathPrefix != "" {
		where = append(where, `c.session_id IN (SELECT id FROM sessions WHERE path >= ? AND path < ?)`)
		args = append(args, f.PathPrefix, f.PathPrefix+"\U0010FFFF")
	}
	// A packet is at most maxChunkSpan away from its chunk's first_at.
	if !f.Since.IsZero() {
		where = append(where, `c.first_at >= ?`)
		args = append(args, toMicro(f.Since)-maxChunkSpan)
	}
	if !f.Until.IsZero() {
		where = append(where, `c.first_at < ?`)
		args = append(args, toMicro(f.Until)+maxChunkSpan)
	}
	return where, args
}

// payloadRow is a row of payloads as packets share it.
type payloadRow struct {
	eioType, sioType, nsp, event string
	ackID                        *int64
	args                         json.RawMessage
	binary                       bool
	raw                          []byte
	size                         int
}

// packetScan reads the packets of the chunks a query selects. It reads
// each payload once, and keeps the last ones read: a broadcast is read
// once for all the sessions it went to.
type packetScan struct {
	q     queryer
	f     PacketFilter
	cache map[int64]*payloadRow
	refs  []chunkRef
}

// maxPayloadCache bounds the payloads a scan keeps.
const maxPayloadCache = 8192

// scan calls fn for each packet f selects, in id order (descending with
// f.Last), until fn returns false or an error.
func (ps *packetScan) scan(ctx context.Context, fn func(*Packet) (bool, error)) error {
	q, args := chunkQuery(ps.f)
	// Pages of chunks, each read whole before its payloads are: a reader
	// of the pool never holds one connection while it waits for another
	// (concurrent scans would take every connection and wait for ever).
	q = `SELECT * FROM (` + q + `) WHERE id ` + map[bool]string{false: "> ? ORDER BY id", true: "< ? ORDER BY id DESC"}[ps.f.Last] + ` LIMIT ?`
	cursor := int64(0)
	if ps.f.Last {
		cursor = math.MaxInt64
	}
	type chunkRow struct {
		id, sessionID, firstAt, base int64
		sid                          string
		list, attached               []byte
	}
	var page []chunkRow
	for {
		page = page[:0]
		rows, err := ps.q.QueryContext(ctx, q, append(args[:len(args):len(args)], cursor, scanPage)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c chunkRow
			if err := rows.Scan(&c.id, &c.sessionID, &c.sid, &c.firstAt, &c.base, &c.list, &c.attached); err != nil {
				rows.Close()
				return err
			}
			page = append(page, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range page {
			refs, err := decodeList(ps.refs, c.firstAt, c.base, c.list)
			if err != nil {
				return fmt.Errorf("chunk %d: %w", c.id, err)
			}
			ps.refs = refs
			parents, err := decodeAttached(c.attached)
			if err != nil {
				return fmt.Errorf("chunk %d: %w", c.id, err)
			}
			if err := ps.prefetch(ctx, refs); err != nil {
				return err
			}
			for i := range refs {
				k := i
				if ps.f.Last {
					k = len(refs) - 1 - i
				}
				more, err := ps.packet(ctx, c.id+int64(k), c.sessionID, c.sid, &refs[k], parents[k], fn)
				if err != nil || !more {
					return err
				}
			}
			cursor = c.id
		}
		if len(page) < scanPage {
			return nil
		}
	}
}

// scanPage is how many chunks a scan reads at a time.
const scanPage = 64

// packet checks one packet against the filter and, if it is selected,
// gives it to fn.
func (ps *packetScan) packet(ctx context.Context, id, sessionID int64, sid string, r *chunkRef, parent int64,
	fn func(*Packet) (bool, error)) (bool, error) {
	f := &ps.f
	if f.AfterID > 0 && id <= f.AfterID || f.BeforeID > 0 && id >= f.BeforeID ||
		!f.Since.IsZero() && r.at < toMicro(f.Since) ||
		!f.Until.IsZero() && r.at >= toMicro(f.Until) {
		return true, nil
	}
	dir := refDir(r.flags)
	if f.Dir != "" && dir != f.Dir {
		return true, nil
	}
	pl, err := ps.payload(ctx, r.payload)
	if err != nil {
		return false, err
	}
	if f.Event != "" && pl.event != f.Event || f.Nsp != "" && pl.nsp != f.Nsp ||
		f.Type != "" && pl.eioType != f.Type && pl.sioType != f.Type ||
		f.NoHeartbeats && pl.heartbeat() ||
		f.Text != "" && (pl.binary || !bytes.Contains(pl.args, []byte(f.Text)) && !bytes.Contains(pl.raw, []byte(f.Text))) {
		return true, nil
	}
	p := &Packet{ID: id, SessionID: sessionID, SID: sid, At: fromMicro(r.at), Dir: dir,
		Transport: refTransport(r.flags), EIOType: pl.eioType, SIOType: pl.sioType, Nsp: pl.nsp,
		Event: pl.event, AckID: pl.ackID, Args: pl.args, Binary: pl.binary, AttachmentOf: parent,
		Raw: pl.raw, Size: pl.size}
	if pl.ackID != nil {
		a := *pl.ackID
		p.AckID = &a
	}
	return fn(p)
}

// heartbeat reports whether the payload is a ping, pong or noop other than
// an upgrade's probe.
func (pl *payloadRow) heartbeat() bool {
	switch pl.eioType {
	case "ping", "pong":
		return !IsProbe(pl.raw)
	case "noop":
		return true
	}
	return false
}

// IsProbe reports whether raw, an Engine.IO packet as on the wire, is the
// probe of an upgrade: "2probe" or "3probe".
func IsProbe(raw []byte) bool {
	return len(raw) == 6 && (raw[0] == '2' || raw[0] == '3') && string(raw[1:]) == "probe"
}

// prefetch reads the payloads of refs that are not in the cache with one
// query, when they lie close together (a session's broadcasts of a batch
// do): the rows between them that no ref needs cost less than a query
// each.
func (ps *packetScan) prefetch(ctx context.Context, refs []chunkRef) error {
	lo, hi, missing := int64(0), int64(0), 0
	for _, r := range refs {
		if ps.cache[r.payload] != nil {
			continue
		}
		if missing == 0 || r.payload < lo {
			lo = r.payload
		}
		if missing == 0 || r.payload > hi {
			hi = r.payload
		}
		missing++
	}
	if missing < 2 || hi-lo+1 > int64(4*missing) {
		return nil // one at a time, as payload reads them
	}
	if ps.cache == nil || len(ps.cache)+int(hi-lo+1) > maxPayloadCache {
		ps.cache = make(map[int64]*payloadRow)
	}
	rows, err := ps.q.QueryContext(ctx, sqlSelectPayload+` WHERE id BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return fmt.Errorf("payloads %d-%d: %w", lo, hi, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		pl, err := scanPayload(rows, &id)
		if err != nil {
			return fmt.Errorf("payloads %d-%d: %w", lo, hi, err)
		}
		ps.cache[id] = pl
	}
	return rows.Err()
}

const sqlSelectPayload = `SELECT id, eio_type, sio_type, nsp, event, ack_id, args, binary, raw, size FROM payloads`

// scanPayload reads a row of sqlSelectPayload.
func scanPayload(row rowScanner, id *int64) (*payloadRow, error) {
	pl := &payloadRow{}
	var sioType, nsp, event, args sql.NullString
	var ackID sql.NullInt64
	if err := row.Scan(id, &pl.eioType, &sioType, &nsp, &event, &ackID, &args, &pl.binary, &pl.raw, &pl.size); err != nil {
		return nil, err
	}
	pl.sioType, pl.nsp, pl.event = sioType.String, nsp.String, event.String
	if ackID.Valid {
		a := ackID.Int64
		pl.ackID = &a
	}
	if args.Valid {
		pl.args = json.RawMessage(args.String)
	}
	if pl.raw == nil {
		pl.raw = []byte{}
	}
	return pl, nil
}

// payload returns payload id, from the cache or the file.
func (ps *packetScan) payload(ctx context.Context, id int64) (*payloadRow, error) {
	if pl := ps.cache[id]; pl != nil {
		return pl, nil
	}
	if ps.cache == nil || len(ps.cache) >= maxPayloadCache {
		ps.cache = make(map[int64]*payloadRow)
	}
	var got int64
	pl, err := scanPayload(ps.q.QueryRowContext(ctx, sqlSelectPayload+` WHERE id = ?`, id), &got)
	if err != nil {
		return nil, fmt.Errorf("payload %d: %w", id, err)
	}
	ps.cache[id] = pl
	return pl, nil
}

// limit returns the most packets f selects: -1 for no limit.
func (f PacketFilter) limit() int {
	if f.Limit == 0 {
		return DefaultPacketLimit
	}
	return f.Limit
}

// collect returns the packets f selects, oldest first.
func collectPackets(ctx context.Context, q queryer, f PacketFilter) ([]Packet, error) {
	out := []Packet{}
	limit := f.limit()
	if limit == 0 {
		return out, nil
	}
	ps := &packetScan{q: q, f: f}
	err := ps.scan(ctx, func(p *Packet) (bool, error) {
		out = append(out, *p)
		return limit < 0 || len(out) < limit, nil
	})
	if err != nil {
		return nil, err
	}
	if f.Last {
		slices.Reverse(out)
	}
	return out, nil
}

// countPackets counts the packets f selects (up to its limit): from the
// chunks' sizes when f selects whole chunks, else one by one.
func countPackets(ctx context.Context, q queryer, f PacketFilter) (int64, error) {
	limit := int64(f.limit())
	if f.Event == "" && f.Nsp == "" && f.Dir == "" && f.Type == "" && f.Text == "" && !f.NoHeartbeats &&
		f.BeforeID == 0 && f.Since.IsZero() && f.Until.IsZero() && f.AfterID == 0 {
		cq, args := chunkQuery(f)
		var n int64
		err := q.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM packet_chunks WHERE id IN (SELECT id FROM (`+cq+`))`,
			args...).Scan(&n)
		if limit >= 0 {
			n = min(n, limit)
		}
		return n, err
	}
	var n int64
	ps := &packetScan{q: q, f: f}
	err := ps.scan(ctx, func(*Packet) (bool, error) {
		n++
		return limit < 0 || n < limit, nil
	})
	return n, err
}

// Packets returns the packets f selects, oldest first (in ID order, which is
// the order they were recorded in).
func (db *DB) Packets(ctx context.Context, f PacketFilter) ([]Packet, error) {
	out, err := collectPackets(ctx, db.r, f)
	if err != nil {
		return nil, fmt.Errorf("inspector: packets: %w", err)
	}
	return out, nil
}

// Stats counts what the database holds.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Version: db.version}
	var packets sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE ended_at IS NULL),
		sum(packets) FROM sessions`).Scan(&st.Sessions, &st.OpenSessions, &packets); err != nil {
		return st, fmt.Errorf("inspector: stats: %w", err)
	}
	st.Packets = packets.Int64
	// The lines stored, and those derived from packets: a block's count is
	// on each chunk of the block.
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT coalesce(sum(n), 0) FROM debug_chunks) +
		(SELECT coalesce(sum(debug_n), 0) FROM (SELECT DISTINCT debug_id, debug_n FROM packet_chunks WHERE debug_n > 0))`).Scan(&st.DebugLines); err != nil {
		return st, fmt.Errorf("inspector: stats: %w", err)
	}
	if fi, err := os.Stat(db.path); err == nil {
		st.FileBytes = fi.Size()
	}
	if fi, err := os.Stat(db.path + "-wal"); err == nil {
		st.WALBytes = fi.Size()
	}
	return st, nil
}
