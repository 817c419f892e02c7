package inspector

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DebugLines returns the debug lines f selects, oldest first (in ID order,
// the order they were recorded in). SID, Client, Since, Until, AfterID,
// Limit and Last apply; the other fields are ignored.
//
// Lines are stored in chunks (one per session and batch, see SCHEMA.md)
// whose id ranges interleave within a batch: chunks are read in the order of
// their first id (their last id for Last) until no chunk left can hold a
// line that belongs in the result.
func (db *DB) DebugLines(ctx context.Context, f PacketFilter) ([]DebugLine, error) {
	var where []string
	var args []any
	if f.SID != "" {
		where = append(where, `sid = ?`)
		args = append(args, f.SID)
	}
	if f.Client != "" {
		where = append(where, `sid IN (SELECT sid FROM sessions WHERE client = ?)`)
		args = append(args, f.Client)
	}
	since, until := int64(0), int64(0)
	if !f.Since.IsZero() {
		since = toMicro(f.Since)
		where = append(where, `last_at >= ?`)
		args = append(args, since)
	}
	if !f.Until.IsZero() {
		until = toMicro(f.Until)
		where = append(where, `first_at < ?`)
		args = append(args, until)
	}
	if f.AfterID > 0 {
		where = append(where, `last_id > ?`)
		args = append(args, f.AfterID)
	}
	q := `SELECT id, last_id, sid, lines FROM debug_chunks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Last {
		q += ` ORDER BY last_id DESC`
	} else {
		q += ` ORDER BY id`
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultPacketLimit
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inspector: debug lines: %w", err)
	}
	defer rows.Close()
	out := []DebugLine{}
	// full: out holds limit lines, and a chunk starting at id (ending at id
	// for Last) can hold none that would replace them.
	full := func(id int64) bool {
		if limit < 0 || len(out) < limit {
			return false
		}
		if f.Last {
			return id < out[limit-1].ID
		}
		return id > out[limit-1].ID
	}
	for rows.Next() {
		var first, last int64
		var sid string
		var text []byte
		if err := rows.Scan(&first, &last, &sid, &text); err != nil {
			return nil, fmt.Errorf("inspector: debug lines: %w", err)
		}
		if full(first) && !f.Last || full(last) && f.Last {
			break
		}
		lines, err := decodeChunk(sid, text)
		if err != nil {
			return nil, fmt.Errorf("inspector: debug lines of chunk %d: %w", first, err)
		}
		if f.Last {
			slices.Reverse(lines)
		}
		n := len(out)
		for _, l := range lines {
			at := toMicro(l.At)
			if l.ID <= f.AfterID || since != 0 && at < since || until != 0 && at >= until {
				continue
			}
			out = append(out, l)
		}
		// Chunks of one batch interleave: sort when this one did.
		if n > 0 && len(out) > n && (f.Last && out[n].ID > out[n-1].ID || !f.Last && out[n].ID < out[n-1].ID) {
			if f.Last {
				slices.SortFunc(out, func(a, b DebugLine) int { return cmpID(b.ID, a.ID) })
			} else {
				slices.SortFunc(out, func(a, b DebugLine) int { return cmpID(a.ID, b.ID) })
			}
		}
		if limit >= 0 && len(out) > limit {
			out = out[:limit]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inspector: debug lines: %w", err)
	}
	if f.Last {
		slices.Reverse(out)
	}
	return out, nil
}

func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// decodeChunk reads the lines of a chunk: [[id, at, namespace, message], ...].
func decodeChunk(sid string, text []byte) ([]DebugLine, error) {
	var raw [][4]json.RawMessage
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, err
	}
	out := make([]DebugLine, len(raw))
	for i, r := range raw {
		id, err := strconv.ParseInt(string(r[0]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line id: %w", err)
		}
		at, err := strconv.ParseInt(string(r[1]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line time: %w", err)
		}
		l := DebugLine{ID: id, SID: sid, At: fromMicro(at)}
		if err := json.Unmarshal(r[2], &l.Namespace); err != nil {
			return nil, fmt.Errorf("line namespace: %w", err)
		}
		if err := json.Unmarshal(r[3], &l.Message); err != nil {
			return nil, fmt.Errorf("line message: %w", err)
		}
		out[i] = l
	}
	return out, nil
}
