package inspector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Kinds of TimelineItem.
const (
	TimelinePacket = "packet" // a row of packets
	TimelineDebug  = "debug"  // a debug line
	TimelineEvent  = "event"  // the session opened, upgraded or closed
)

// Session events of a timeline (TimelineItem.Event).
const (
	EventOpen    = "open"    // the handshake, at Session.StartedAt
	EventUpgrade = "upgrade" // the transport changed, at Session.UpgradedAt
	EventClose   = "close"   // the session ended, at Session.EndedAt
)

// TimelineItem is one step of a session's timeline: a packet, a debug line,
// or a session event. Exactly one of Packet, Debug and Event is set, as Kind
// says.
type TimelineItem struct {
	Kind   string
	At     time.Time
	Offset time.Duration // At minus the session's start; may be negative for a line logged before the handshake was recorded
	Packet *Packet
	Debug  *DebugLine
	Event  string // EventOpen, EventUpgrade or EventClose
}

// TimelineCursor is where a page of a timeline starts: after the packet
// and debug line ids it names, and after the time At for session events.
// The zero cursor is the start of the timeline.
type TimelineCursor struct {
	Packet int64     // last packet id already given
	Debug  int64     // last debug line id already given
	At     time.Time // time of the last item already given; zero at the start
}

// Timeline is one page of a session's timeline.
type Timeline struct {
	Session Session
	Items   []TimelineItem
	// Next is the cursor of the following page; nil when this page is the
	// last.
	Next *TimelineCursor
	// Total counts every item of the timeline, on all pages: packets,
	// debug lines and session events.
	Total int
	// Before counts the items before this page.
	Before int
}

// DefaultTimelineLimit is the size of a timeline page when the limit given
// is zero.
const DefaultTimelineLimit = 1000

// Timeline returns up to limit items (DefaultTimelineLimit if zero) of the
// timeline of session sid from cursor c on: its packets and debug lines in
// id order merged by time (a packet before a debug line of the same time:
// the server logs what it did with a packet after it), with the session's
// events (open, upgrade, close) placed by their time before the items of
// the same time. It returns an error wrapping ErrNotFound when there is no
// such session.
func (db *DB) Timeline(ctx context.Context, sid string, c TimelineCursor, limit int) (*Timeline, error) {
	if limit <= 0 {
		limit = DefaultTimelineLimit
	}
	s, err := db.Session(ctx, sid)
	if err != nil {
		return nil, fmt.Errorf("inspector: timeline: %w", err)
	}
	// One more of each than needed tells whether a stream goes on.
	packets, err := db.Packets(ctx, PacketFilter{SID: sid, AfterID: c.Packet, Limit: limit + 1})
	if err != nil {
		return nil, fmt.Errorf("inspector: timeline of %s: %w", sid, err)
	}
	lines, err := db.DebugLines(ctx, PacketFilter{SID: sid, AfterID: c.Debug, Limit: limit + 1})
	if err != nil {
		return nil, fmt.Errorf("inspector: timeline of %s: %w", sid, err)
	}
	var nLines int
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM debug_chunks WHERE sid = ?1`, sid).Scan(&nLines); err != nil {
		return nil, fmt.Errorf("inspector: timeline of %s: %w", sid, err)
	}
	var nDerived int
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(debug_n), 0) FROM (SELECT DISTINCT debug_id, debug_n
		FROM packet_chunks WHERE session_id = ?1 AND debug_n > 0)`, s.ID).Scan(&nDerived); err != nil {
		return nil, fmt.Errorf("inspector: timeline of %s: %w", sid, err)
	}
	nLines += nDerived
	events := sessionEvents(s)
	tl := &Timeline{Session: *s, Total: s.Packets + nLines + len(events), Items: []TimelineItem{}}

	// Events already given are those at or before the cursor's time.
	var ev []TimelineItem
	for _, e := range events {
		if c.At.IsZero() || e.At.After(c.At) {
			ev = append(ev, e)
		}
	}
	if c != (TimelineCursor{}) {
		if tl.Before, err = db.countBefore(ctx, s, c); err != nil {
			return nil, fmt.Errorf("inspector: timeline of %s: %w", sid, err)
		}
		tl.Before += len(events) - len(ev)
	}
	start := s.StartedAt
	add := func(it TimelineItem) {
		it.Offset = it.At.Sub(start)
		tl.Items = append(tl.Items, it)
	}
	next := c
	i, j := 0, 0
	for len(tl.Items) < limit && (i < len(packets) || j < len(lines)) {
		var it TimelineItem
		if j >= len(lines) || (i < len(packets) && !packets[i].At.After(lines[j].At)) {
			it = TimelineItem{Kind: TimelinePacket, At: packets[i].At, Packet: &packets[i]}
			next.Packet = packets[i].ID
			i++
		} else {
			it = TimelineItem{Kind: TimelineDebug, At: lines[j].At, Debug: &lines[j]}
			next.Debug = lines[j].ID
			j++
		}
		for len(ev) > 0 && !ev[0].At.After(it.At) && len(tl.Items) < limit {
			add(ev[0])
			next.At = ev[0].At
			ev = ev[1:]
		}
		if len(tl.Items) == limit {
			// The events filled the page: the item waits for the next one.
			if it.Kind == TimelinePacket {
				i--
				next.Packet = c.Packet
				if i > 0 {
					next.Packet = packets[i-1].ID
				}
			} else {
				j--
				next.Debug = c.Debug
				if j > 0 {
					next.Debug = lines[j-1].ID
				}
			}
			break
		}
		add(it)
		if it.At.After(next.At) {
			next.At = it.At
		}
	}
	more := i < len(packets) || j < len(lines)
	// The events after the last packet and line come last, when no packet
	// or line is left to come before them.
	for !more && len(ev) > 0 && len(tl.Items) < limit {
		add(ev[0])
		next.At = ev[0].At
		ev = ev[1:]
	}
	if more || len(ev) > 0 {
		tl.Next = &next
	}
	return tl, nil
}

// countBefore counts the packets and debug lines of session s up to the
// ids of cursor c.
func (db *DB) countBefore(ctx context.Context, s *Session, c TimelineCursor) (int, error) {
	var packets, lines int
	// A chunk's packets have the ids id .. id+n-1.
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(min(n, ?2 - id + 1)), 0) FROM packet_chunks
		WHERE session_id = ?1 AND id <= ?2`, s.ID, c.Packet).Scan(&packets); err != nil {
		return 0, err
	}
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM debug_chunks WHERE sid = ? AND last_id <= ?`, s.SID, c.Debug).Scan(&lines); err != nil {
		return 0, err
	}
	// The lines derived from the packets of the session: whole blocks
	// before the cursor, then the one that holds it, line by line.
	var derived int
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(sum(debug_n), 0) FROM (SELECT DISTINCT debug_id, debug_n
		FROM packet_chunks WHERE session_id = ?1 AND debug_n > 0 AND debug_end - 1 <= ?2)`, s.ID, c.Debug).Scan(&derived); err != nil {
		return 0, err
	}
	var first, end int64
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT debug_id, debug_end, debug_n FROM packet_chunks
		WHERE session_id = ?1 AND debug_n > 0 AND debug_id <= ?2 AND debug_end - 1 > ?2 LIMIT 1`, s.ID, c.Debug).Scan(&first, &end, &n)
	if err == nil {
		ids, err := db.derivedIDs(ctx, s.SID, first, end, n)
		if err != nil {
			return 0, err
		}
		for _, id := range ids {
			if id <= c.Debug {
				derived++
			}
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	lines += derived
	// The chunks that hold the cursor's line and later ones: count their
	// lines one by one.
	rows, err := db.r.QueryContext(ctx, `SELECT lines FROM debug_chunks WHERE sid = ? AND id <= ? AND last_id > ?`, s.SID, c.Debug, c.Debug)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var text []byte
		if err := rows.Scan(&text); err != nil {
			return 0, err
		}
		ls, err := decodeChunk(s.SID, text)
		if err != nil {
			return 0, err
		}
		for _, l := range ls {
			if l.ID <= c.Debug {
				lines++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return packets + lines, nil
}

// sessionEvents are the open, upgrade and close of s, in time order.
func sessionEvents(s *Session) []TimelineItem {
	out := []TimelineItem{{Kind: TimelineEvent, At: s.StartedAt, Event: EventOpen}}
	if !s.UpgradedAt.IsZero() {
		out = append(out, TimelineItem{Kind: TimelineEvent, At: s.UpgradedAt, Event: EventUpgrade})
	}
	if !s.EndedAt.IsZero() {
		out = append(out, TimelineItem{Kind: TimelineEvent, At: s.EndedAt, Event: EventClose})
	}
	// An upgrade recorded after the close (a clock step) stays before it.
	if len(out) == 3 && out[2].At.Before(out[1].At) {
		out[2].At = out[1].At
	}
	return out
}
