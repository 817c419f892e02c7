package inspector

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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
//
// The lines derived from packets (derived.go) are merged in, by id.
func (db *DB) DebugLines(ctx context.Context, f PacketFilter) ([]DebugLine, error) {
	stored, err := db.storedDebugLines(ctx, f)
	if err != nil {
		return nil, err
	}
	derived, err := db.derivedDebugLines(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("inspector: debug lines: %w", err)
	}
	if len(derived) == 0 {
		return stored, nil
	}
	out := append(stored, derived...)
	slices.SortFunc(out, func(a, b DebugLine) int { return cmpID(a.ID, b.ID) })
	if limit := f.limit(); limit >= 0 && len(out) > limit {
		if f.Last {
			out = out[len(out)-limit:]
		} else {
			out = out[:limit]
		}
	}
	return out, nil
}

// derivedDebugLines returns the lines derived from the packets f selects,
// at most f's limit of them, in id order (the last ones for f.Last).
//
// The lines of a session in a batch have a block of ids (numberLines): the
// derived ones take, in the order of their packets, the ids of the block
// that no stored line of the session has.
func (db *DB) derivedDebugLines(ctx context.Context, f PacketFilter) ([]DebugLine, error) {
	limit := f.limit()
	if limit == 0 {
		return nil, nil
	}
	where, args := chunkWhere(f)
	if f.AfterID > 0 {
		where = append(where, `c.debug_end > ?`)
		args = append(args, f.AfterID+1)
	}
	q := `SELECT c.id, c.session_id, s.sid, c.first_at, c.base, c.list, c.debug_id, c.debug_end
		FROM packet_chunks c JOIN sessions s ON s.id = c.session_id WHERE c.debug_n > 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	if f.Last {
		q += ` AND c.debug_id < ? ORDER BY c.debug_id DESC, c.id`
	} else {
		q += ` AND c.debug_id > ? ORDER BY c.debug_id, c.id`
	}
	q += ` LIMIT ?`
	var since, until int64
	if !f.Since.IsZero() {
		since = toMicro(f.Since)
	}
	if !f.Until.IsZero() {
		until = toMicro(f.Until)
	}
	ps := &packetScan{q: db.r}
	var out []DebugLine
	// The block being read: its lines, derived in the order of its packets.
	var (
		blockID, blockEnd int64
		blockSID          string
		block             []DebugLine
	)
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		ids, err := db.derivedIDs(ctx, blockSID, blockID, blockEnd, len(block))
		if err != nil {
			return err
		}
		var lines []DebugLine
		for i := range block {
			l := block[i]
			l.ID = ids[i]
			at := toMicro(l.At)
			if l.ID > f.AfterID && (since == 0 || at >= since) && (until == 0 || at < until) {
				lines = append(lines, l)
			}
		}
		if f.Last {
			slices.Reverse(lines)
		}
		out = append(out, lines...)
		block = block[:0]
		return nil
	}
	type chunkRow struct {
		id, sessionID, firstAt, base, debugID, debugEnd int64
		sid                                             string
		list                                            []byte
	}
	// Pages of chunks, each read whole (and cut after its last whole block)
	// before payloads and lines are read: a reader of the pool never holds
	// one connection while it waits for another.
	const page = 256 // more than the chunks of one block
	cursor := int64(0)
	if f.Last {
		cursor = math.MaxInt64
	}
	for limit < 0 || len(out) < limit {
		var rowsOf []chunkRow
		rows, err := db.r.QueryContext(ctx, q, append(args[:len(args):len(args)], cursor, page)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c chunkRow
			if err := rows.Scan(&c.id, &c.sessionID, &c.sid, &c.firstAt, &c.base, &c.list, &c.debugID, &c.debugEnd); err != nil {
				rows.Close()
				return nil, err
			}
			rowsOf = append(rowsOf, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		full := len(rowsOf) == page
		if full {
			last := rowsOf[len(rowsOf)-1].debugID
			for len(rowsOf) > 0 && rowsOf[len(rowsOf)-1].debugID == last {
				rowsOf = rowsOf[:len(rowsOf)-1]
			}
		}
		for _, c := range rowsOf {
			if c.debugID != blockID {
				if err := flush(); err != nil {
					return nil, err
				}
				if limit >= 0 && len(out) >= limit {
					break
				}
				blockID, blockEnd, blockSID = c.debugID, c.debugEnd, c.sid
			}
			refs, err := decodeList(nil, c.firstAt, c.base, c.list)
			if err != nil {
				return nil, fmt.Errorf("chunk %d: %w", c.id, err)
			}
			for k := range refs {
				_, err := ps.packet(ctx, c.id+int64(k), c.sessionID, c.sid, &refs[k], 0, func(p *Packet) (bool, error) {
					block = append(block, derivedOf(p, 0)...)
					return true, nil
				})
				if err != nil {
					return nil, err
				}
			}
			cursor = c.debugID
		}
		if err := flush(); err != nil {
			return nil, err
		}
		if !full || len(rowsOf) == 0 {
			break
		}
	}
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	if f.Last {
		slices.Reverse(out)
	}
	return out, nil
}

// derivedIDs returns the ids of the n derived lines of the block [first,
// end) of session sid: those of the block its stored lines do not have.
func (db *DB) derivedIDs(ctx context.Context, sid string, first, end int64, n int) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT lines FROM debug_chunks WHERE sid = ? AND last_id >= ? AND id < ?`,
		sid, first, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	stored := map[int64]bool{}
	for rows.Next() {
		var text []byte
		if err := rows.Scan(&text); err != nil {
			return nil, err
		}
		lines, err := decodeChunk(sid, text)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			stored[l.ID] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, n)
	for id := first; id < end && len(ids) < n; id++ {
		if !stored[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) < n {
		return nil, fmt.Errorf("%w: the block of lines %d-%d of session %s holds %d derived lines, not %d",
			errBadChunk, first, end, sid, len(ids), n)
	}
	return ids, nil
}

// storedDebugLines is DebugLines for the lines stored in debug_chunks.
func (db *DB) storedDebugLines(ctx context.Context, f PacketFilter) ([]DebugLine, error) {
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
	if f.PathPrefix != "" {
		where = append(where, `sid IN (SELECT sid FROM sessions WHERE path >= ? AND path < ?)`)
		args = append(args, f.PathPrefix, f.PathPrefix+"\U0010FFFF")
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
