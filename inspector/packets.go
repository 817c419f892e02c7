package inspector

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

const sqlSelectPacket = `SELECT p.id, p.session_id, s.sid, p.at, p.dir, p.transport, p.eio_type, p.sio_type,
	p.nsp, p.event, p.ack_id, p.args, p.binary, p.attachment_of, p.raw, p.size
	FROM packets p JOIN sessions s ON s.id = p.session_id`

func scanPacket(row rowScanner, p *Packet) error {
	var at int64
	var sioType, nsp, event, args sql.NullString
	var ackID, attachmentOf sql.NullInt64
	if err := row.Scan(&p.ID, &p.SessionID, &p.SID, &at, &p.Dir, &p.Transport, &p.EIOType, &sioType,
		&nsp, &event, &ackID, &args, &p.Binary, &attachmentOf, &p.Raw, &p.Size); err != nil {
		return err
	}
	p.At = fromMicro(at)
	p.SIOType, p.Nsp, p.Event = sioType.String, nsp.String, event.String
	if ackID.Valid {
		id := ackID.Int64
		p.AckID = &id
	}
	if args.Valid {
		p.Args = json.RawMessage(args.String)
	}
	p.AttachmentOf = attachmentOf.Int64
	return nil
}

// packetQuery builds the WHERE clause, ORDER BY and LIMIT of f for the
// packets table (alias p).
func packetQuery(f PacketFilter) (string, []any) {
	var where []string
	var args []any
	if f.SID != "" {
		// The session's rowid first, so that packets_session serves the
		// rest as one index range.
		where = append(where, `p.session_id = (SELECT id FROM sessions WHERE sid = ?)`)
		args = append(args, f.SID)
	}
	if f.Client != "" {
		where = append(where, `p.session_id IN (SELECT id FROM sessions WHERE client = ?)`)
		args = append(args, f.Client)
	}
	if f.Event != "" {
		where = append(where, `p.event = ?`)
		args = append(args, f.Event)
	}
	if f.Nsp != "" {
		where = append(where, `p.nsp = ?`)
		args = append(args, f.Nsp)
	}
	if f.Dir != "" {
		where = append(where, `p.dir = ?`)
		args = append(args, f.Dir)
	}
	if !f.Since.IsZero() {
		where = append(where, `p.at >= ?`)
		args = append(args, toMicro(f.Since))
		if f.SID == "" && f.Client == "" {
			// Rows come in id order; without a session to narrow them,
			// start the id scan at the first row of the time range
			// (packets_at finds it: "+id" keeps SQLite from taking min(id)
			// from the rowid order instead) rather than at the first row.
			where = append(where, `p.id >= (SELECT coalesce(min(+id), 0) FROM packets WHERE at >= ?)`)
			args = append(args, toMicro(f.Since))
		}
	}
	if !f.Until.IsZero() {
		where = append(where, `p.at < ?`)
		args = append(args, toMicro(f.Until))
	}
	if f.AfterID > 0 {
		where = append(where, `p.id > ?`)
		args = append(args, f.AfterID)
	}
	q := ""
	if len(where) > 0 {
		q = ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + orderLimit("p.id", f), args
}

// orderLimit returns the ORDER BY and LIMIT of f on column id.
func orderLimit(id string, f PacketFilter) string {
	q := ` ORDER BY ` + id
	if f.Last {
		q += ` DESC`
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultPacketLimit
	}
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return q
}

// Packets returns the packets f selects, oldest first (in ID order, which is
// the order they were recorded in).
func (db *DB) Packets(ctx context.Context, f PacketFilter) ([]Packet, error) {
	where, args := packetQuery(f)
	rows, err := db.r.QueryContext(ctx, sqlSelectPacket+where, args...)
	if err != nil {
		return nil, fmt.Errorf("inspector: packets: %w", err)
	}
	defer rows.Close()
	out := []Packet{}
	for rows.Next() {
		var p Packet
		if err := scanPacket(rows, &p); err != nil {
			return nil, fmt.Errorf("inspector: packets: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inspector: packets: %w", err)
	}
	if f.Last {
		slices.Reverse(out)
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
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM debug_chunks`).Scan(&st.DebugLines); err != nil {
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
