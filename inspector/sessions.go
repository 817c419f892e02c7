package inspector

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
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
	if err := db.planEvent(ctx, &f); err != nil {
		return nil, fmt.Errorf("inspector: sessions: %w", err)
	}
	where, args, order := sessionWhere(f)
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

// planEvent sets f.commonEvent. SQLite cannot tell a common event from a
// rare one: a rare one's sessions are best read first (and sorted), but the
// sessions are best walked in order, each checked, for a common one.
func (db *DB) planEvent(ctx context.Context, f *SessionFilter) error {
	if f.Event == "" {
		return nil
	}
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM session_events WHERE event = ? LIMIT ?)`,
		f.Event, commonEvent).Scan(&n)
	f.commonEvent = n >= commonEvent
	return err
}

// commonEvent is how many sessions make an event common (see planEvent).
var commonEvent = 2000

// sessionWhere returns the conditions of f on the sessions table, and the
// order of its list.
func sessionWhere(f SessionFilter) (where []string, args []any, order string) {
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
	if f.Event != "" && f.commonEvent {
		where = append(where, `EXISTS (SELECT 1 FROM session_events e WHERE e.event = ? AND e.session_id = sessions.id)`)
		args = append(args, f.Event)
	} else if f.Event != "" {
		where = append(where, `id IN (SELECT session_id FROM session_events WHERE event = ?)`)
		args = append(args, f.Event)
	}
	order = ` ORDER BY started_at DESC, id DESC`
	if c := f.Before; c != nil {
		where = append(where, `(started_at, id) < (?, ?)`)
		args = append(args, toMicro(c.StartedAt), c.ID)
	}
	if c := f.After; c != nil {
		where = append(where, `(started_at, id) > (?, ?)`)
		args = append(args, toMicro(c.StartedAt), c.ID)
		order = ` ORDER BY started_at, id`
	}
	return where, args, order
}

// Activity is what happened to the sessions a filter selects over a span of
// time, in buckets of equal length: how many opened and closed in each, and
// how the closed ones ended.
type Activity struct {
	From, To time.Time
	Step     time.Duration // the length of a bucket
	Opened   []int         // sessions that started in each bucket
	Closed   []int         // sessions that ended in each bucket
	Reasons  []ReasonCount // close reasons of the sessions that ended in the span, most first
}

// ReasonCount is how many sessions ended for a reason.
type ReasonCount struct {
	Reason string
	N      int
}

// SessionActivity counts, over [from, to) cut in n buckets, the sessions f
// selects that opened and that closed in each, and the close reasons of
// those that closed. f's paging and limit are ignored.
func (db *DB) SessionActivity(ctx context.Context, f SessionFilter, from, to time.Time, n int) (*Activity, error) {
	if n <= 0 || !to.After(from) {
		return nil, fmt.Errorf("inspector: session activity: empty span %v to %v in %d buckets", from, to, n)
	}
	f.Before, f.After = nil, nil
	if err := db.planEvent(ctx, &f); err != nil {
		return nil, fmt.Errorf("inspector: session activity: %w", err)
	}
	where, args, _ := sessionWhere(f)
	a := &Activity{From: from, To: to, Step: (to.Sub(from) + time.Duration(n) - 1) / time.Duration(n),
		Opened: make([]int, n), Closed: make([]int, n)}
	step := max(a.Step.Microseconds(), 1)
	count := func(col string, into []int) error {
		w := append(where[:len(where):len(where)], col+` >= ?`, col+` < ?`)
		q := `SELECT (` + col + ` - ?) / ?, count(*) FROM sessions WHERE ` + strings.Join(w, ` AND `) + ` GROUP BY 1`
		rows, err := db.r.QueryContext(ctx, q, append(append([]any{toMicro(from), step}, args...), toMicro(from), toMicro(to))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b int64
			var c int
			if err := rows.Scan(&b, &c); err != nil {
				return err
			}
			if b >= 0 && b < int64(n) {
				into[b] += c
			}
		}
		return rows.Err()
	}
	if err := count(`started_at`, a.Opened); err != nil {
		return nil, fmt.Errorf("inspector: session activity: %w", err)
	}
	if err := count(`ended_at`, a.Closed); err != nil {
		return nil, fmt.Errorf("inspector: session activity: %w", err)
	}
	w := append(where[:len(where):len(where)], `ended_at >= ?`, `ended_at < ?`)
	rows, err := db.r.QueryContext(ctx, `SELECT close_reason, count(*) FROM sessions WHERE `+strings.Join(w, ` AND `)+
		` GROUP BY close_reason ORDER BY 2 DESC, 1`, append(args[:len(args):len(args)], toMicro(from), toMicro(to))...)
	if err != nil {
		return nil, fmt.Errorf("inspector: session activity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReasonCount
		if err := rows.Scan(&r.Reason, &r.N); err != nil {
			return nil, fmt.Errorf("inspector: session activity: %w", err)
		}
		a.Reasons = append(a.Reasons, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inspector: session activity: %w", err)
	}
	return a, nil
}

// FirstSessionAt returns when the oldest session f selects started, or the
// zero time when it selects none.
func (db *DB) FirstSessionAt(ctx context.Context, f SessionFilter) (time.Time, error) {
	f.Before, f.After = nil, nil
	if err := db.planEvent(ctx, &f); err != nil {
		return time.Time{}, fmt.Errorf("inspector: first session: %w", err)
	}
	where, args, _ := sessionWhere(f)
	q := `SELECT min(started_at) FROM sessions`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	var us sql.NullInt64
	if err := db.r.QueryRowContext(ctx, q, args...).Scan(&us); err != nil {
		return time.Time{}, fmt.Errorf("inspector: first session: %w", err)
	}
	if !us.Valid {
		return time.Time{}, nil
	}
	return fromMicro(us.Int64), nil
}
