package inspector

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

const sqlSelectSession = `SELECT id, sid, path, client, remote_addr, user_agent, transport, upgraded,
	upgraded_at, started_at, ended_at, close_reason, last_at, packets, errors FROM sessions`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanSession(row rowScanner, s *Session) error {
	var upgradedAt, endedAt sql.NullInt64
	var startedAt, lastAt int64
	if err := row.Scan(&s.ID, &s.SID, &s.Path, &s.Client, &s.RemoteAddr, &s.UserAgent, &s.Transport,
		&s.Upgraded, &upgradedAt, &startedAt, &endedAt, &s.CloseReason, &lastAt, &s.Packets, &s.Errors); err != nil {
		return err
	}
	s.StartedAt, s.LastAt = fromMicro(startedAt), fromMicro(lastAt)
	if upgradedAt.Valid {
		s.UpgradedAt = fromMicro(upgradedAt.Int64)
	}
	if endedAt.Valid {
		s.EndedAt = fromMicro(endedAt.Int64)
	}
	return nil
}

// Session returns the session with Engine.IO id sid, or ErrNotFound.
func (db *DB) Session(ctx context.Context, sid string) (*Session, error) {
	var s Session
	err := scanSession(db.r.QueryRowContext(ctx, sqlSelectSession+` WHERE sid = ?`, sid), &s)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("inspector: session %s: %w", sid, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("inspector: session %s: %w", sid, err)
	}
	return &s, nil
}

// Sessions returns the sessions f selects, newest first.
func (db *DB) Sessions(ctx context.Context, f SessionFilter) ([]Session, error) {
	var where []string
	var args []any
	if f.PathPrefix != "" {
		// A range on path rather than LIKE, so that sessions_path serves it.
		where = append(where, `path >= ? AND path < ?`)
		args = append(args, f.PathPrefix, f.PathPrefix+"\U0010FFFF")
	}
	if f.Client != "" {
		where = append(where, `client = ?`)
		args = append(args, f.Client)
	}
	if f.Addr != "" {
		where = append(where, `remote_addr = ?`)
		args = append(args, f.Addr)
	}
	if !f.Since.IsZero() {
		where = append(where, `started_at >= ?`)
		args = append(args, toMicro(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, `started_at < ?`)
		args = append(args, toMicro(f.Until))
	}
	if f.OpenOnly {
		where = append(where, `ended_at IS NULL`)
	}
	if f.ClosedOnly {
		where = append(where, `ended_at IS NOT NULL`)
	}
	if f.Reason != "" {
		where = append(where, `close_reason = ?`)
		args = append(args, f.Reason)
	}
	if f.HasError {
		where = append(where, `(errors > 0 OR close_reason IN (?`+strings.Repeat(`,?`, len(ErrorReasons)-1)+`))`)
		for _, r := range ErrorReasons {
			args = append(args, r)
		}
	}
	if f.Event != "" {
		where = append(where, `id IN (SELECT session_id FROM session_events WHERE event = ?)`)
		args = append(args, f.Event)
	}
	order := ` ORDER BY started_at DESC, id DESC`
	if c := f.Before; c != nil {
		where = append(where, `(started_at, id) < (?, ?)`)
		args = append(args, toMicro(c.StartedAt), c.ID)
	}
	if c := f.After; c != nil {
		where = append(where, `(started_at, id) > (?, ?)`)
		args = append(args, toMicro(c.StartedAt), c.ID)
		order = ` ORDER BY started_at, id`
	}
	q := sqlSelectSession
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultSessionLimit
	}
	q += order
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inspector: sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var s Session
		if err := scanSession(rows, &s); err != nil {
			return nil, fmt.Errorf("inspector: sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inspector: sessions: %w", err)
	}
	if f.After != nil {
		slices.Reverse(out)
	}
	return out, nil
}
