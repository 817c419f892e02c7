package inspector

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ActiveGuard is how long after its last recorded packet an open session is
// safe from Prune: the recorder may still be writing to it. (An open
// session is pinged every 25 seconds, so a live one is always this recent.)
const ActiveGuard = 10 * time.Minute

// pruneChunk is the most rows Prune deletes per transaction, so that the
// recorder, which shares the writer connection, waits little.
const pruneChunk = 10000

// maxBatchIDs bounds the packet ids one batch of the writer spans: a
// Recorder's batches hold at most BatchSize items (131072 by default), an
// Import's importBatch lines.
const maxBatchIDs = 1 << 20

// prunePacketChunks is the same for packet_chunks, whose rows hold up to
// maxChunkPackets packets.
const prunePacketChunks = pruneChunk / 100

// pruneDebugChunks is the same for debug_chunks, whose rows hold many lines.
const pruneDebugChunks = 100

// Prune deletes sessions (with their packets and debug lines) whose last
// activity (their end, or their last packet when no end was recorded) is
// older than keep; then, while the data exceeds maxBytes, the oldest
// sessions; then gives the freed pages back to the file system
// (incremental vacuum). keep == 0 and maxBytes == 0 mean no such limit.
// Sessions still open and active in the last ActiveGuard are never deleted.
//
// The work is done in small transactions, so that recording goes on
// meanwhile. Prune returns the number of sessions deleted.
func (db *DB) Prune(ctx context.Context, keep time.Duration, maxBytes int64) (deleted int64, err error) {
	now := db.now()
	guard := toMicro(now.Add(-ActiveGuard))
	if keep > 0 {
		cutoff := toMicro(now.Add(-keep))
		ids, err := db.pruneCandidates(ctx, `SELECT id, sid, packets FROM sessions
			WHERE coalesce(ended_at, last_at) < ? AND (ended_at IS NOT NULL OR last_at < ?)
			ORDER BY started_at`, cutoff, guard)
		if err != nil {
			return 0, err
		}
		n, err := db.deleteSessions(ctx, ids)
		deleted += n
		if err != nil {
			return deleted, err
		}
		// Debug lines of no session ("" or a session id the server did not
		// know). They are among the first rows: look no further than the
		// first line of the time kept, so that the scan is as short as
		// what there is to delete.
		var bound int64
		if err := db.r.QueryRowContext(ctx, `SELECT coalesce(
			(SELECT id FROM debug_chunks WHERE last_at >= ? ORDER BY id LIMIT 1),
			(SELECT max(id) + 1 FROM debug_chunks), 0)`, cutoff).Scan(&bound); err != nil {
			return deleted, fmt.Errorf("inspector: prune: %w", err)
		}
		if err := db.deleteInSteps(ctx, pruneDebugChunks, `DELETE FROM debug_chunks WHERE id IN
			(SELECT id FROM debug_chunks WHERE id < ?1 AND last_at < ?2
			 AND (sid = '' OR sid NOT IN (SELECT sid FROM sessions)) LIMIT ?3)`, bound, cutoff); err != nil {
			return deleted, err
		}
	}
	if maxBytes > 0 {
		for range 100 {
			used, err := db.usedBytes(ctx)
			if err != nil {
				return deleted, err
			}
			if used <= maxBytes {
				break
			}
			var rows int64
			if err := db.w.QueryRowContext(ctx, `SELECT coalesce(sum(packets), 0) + 1 +
				(SELECT coalesce(sum(n), 0) FROM debug_chunks) FROM sessions`).Scan(&rows); err != nil {
				return deleted, fmt.Errorf("inspector: prune: %w", err)
			}
			// Delete the oldest sessions holding about the excess, judged by
			// their share of the rows (and at least one session).
			perRow := float64(used) / float64(rows)
			want := int64(math.Ceil(float64(used-maxBytes) / perRow))
			cands, err := db.pruneCandidates(ctx, `SELECT id, sid, packets FROM sessions
				WHERE ended_at IS NOT NULL OR last_at < ? ORDER BY started_at LIMIT 1000`, guard)
			if err != nil {
				return deleted, err
			}
			var pick []pruneSession
			var sum int64
			for _, c := range cands {
				if sum >= want {
					break
				}
				pick = append(pick, c)
				sum += c.packets + 1
			}
			if len(pick) == 0 {
				db.logger().Warn("inspector: database over its size limit, nothing left to prune",
					"db", db.path, "used", used, "max", maxBytes)
				break
			}
			n, err := db.deleteSessions(ctx, pick)
			deleted += n
			if err != nil {
				return deleted, err
			}
			if err := db.vacuum(ctx); err != nil {
				return deleted, err
			}
		}
	}
	if deleted > 0 {
		if err := db.vacuum(ctx); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

type pruneSession struct {
	id      int64
	sid     string
	packets int64
}

func (db *DB) pruneCandidates(ctx context.Context, q string, args ...any) ([]pruneSession, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inspector: prune: %w", err)
	}
	defer rows.Close()
	var out []pruneSession
	for rows.Next() {
		var s pruneSession
		if err := rows.Scan(&s.id, &s.sid, &s.packets); err != nil {
			return nil, fmt.Errorf("inspector: prune: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inspector: prune: %w", err)
	}
	return out, nil
}

// deleteSessions deletes each session: its packets and debug lines in
// chunks, then its row.
func (db *DB) deleteSessions(ctx context.Context, list []pruneSession) (int64, error) {
	var n int64
	for _, s := range list {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if s.packets > pruneChunk {
			if err := db.deleteInSteps(ctx, prunePacketChunks, `DELETE FROM packet_chunks WHERE id IN
				(SELECT id FROM packet_chunks WHERE session_id = ? LIMIT ?)`, s.id); err != nil {
				return n, err
			}
		}
		if err := db.deleteInSteps(ctx, pruneDebugChunks, `DELETE FROM debug_chunks WHERE id IN
			(SELECT id FROM debug_chunks WHERE sid = ? LIMIT ?)`, s.sid); err != nil {
			return n, err
		}
		// The row, and by cascade what is left of its packets.
		if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, s.id); err != nil {
			return n, fmt.Errorf("inspector: prune session %s: %w", s.sid, err)
		}
		n++
	}
	if n > 0 {
		return n, db.prunePayloads(ctx)
	}
	return n, nil
}

// prunePayloads deletes the payloads no packet refers to any more. A chunk
// refers to payloads of its own batch only, from its base on; batches take
// payload ids in order, and the packet ids of one batch span less than
// maxBatchIDs: every payload below the smallest base of the chunks of the
// oldest batch left is unused. (A payload of a batch some of whose
// sessions are kept stays until they go.)
func (db *DB) prunePayloads(ctx context.Context) error {
	var bound int64
	if err := db.w.QueryRowContext(ctx, `SELECT coalesce(
		(SELECT min(base) FROM packet_chunks WHERE id < (SELECT min(id) FROM packet_chunks) + ?),
		(SELECT max(id) + 1 FROM payloads), 0)`, maxBatchIDs).Scan(&bound); err != nil {
		return fmt.Errorf("inspector: prune: %w", err)
	}
	return db.deleteChunks(ctx, `DELETE FROM payloads WHERE id IN (SELECT id FROM payloads WHERE id < ? LIMIT ?)`, bound)
}

// deleteChunks runs q, which takes args and then a LIMIT, until it deletes
// fewer rows than the limit.
func (db *DB) deleteChunks(ctx context.Context, q string, args ...any) error {
	return db.deleteInSteps(ctx, pruneChunk, q, args...)
}

// deleteInSteps runs the DELETE q, whose last parameter is a LIMIT, with
// limit until it deletes fewer rows.
func (db *DB) deleteInSteps(ctx context.Context, limit int, q string, args ...any) error {
	for {
		res, err := db.w.ExecContext(ctx, q, append(args[:len(args):len(args)], limit)...)
		if err != nil {
			return fmt.Errorf("inspector: prune: %w", err)
		}
		if n, _ := res.RowsAffected(); n < int64(limit) {
			return nil
		}
	}
}

// usedBytes is the size of the pages in use: the file's size once the
// free pages are given back.
func (db *DB) usedBytes(ctx context.Context) (int64, error) {
	var pages, free, size int64
	err := db.w.QueryRowContext(ctx, `SELECT p.page_count, f.freelist_count, s.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&pages, &free, &size)
	if err != nil {
		return 0, fmt.Errorf("inspector: prune: size: %w", err)
	}
	return (pages - free) * size, nil
}

// vacuum gives free pages back to the file system, a few at a time, then
// checkpoints the WAL so that it shrinks too.
func (db *DB) vacuum(ctx context.Context) error {
	for {
		var free int64
		if err := db.w.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return fmt.Errorf("inspector: vacuum: %w", err)
		}
		var mode int
		if err := db.w.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
			return fmt.Errorf("inspector: vacuum: %w", err)
		}
		if free == 0 || mode != 2 { // 2: incremental
			break
		}
		if err := execAll(ctx, db.w, `PRAGMA incremental_vacuum(2048)`); err != nil {
			return fmt.Errorf("inspector: vacuum: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := execAll(ctx, db.w, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("inspector: checkpoint: %w", err)
	}
	return nil
}

// execAll runs a statement that returns rows (some pragmas do, and only do
// their work as the rows are read) to its end.
func execAll(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

// StartRetention runs Prune(keep, maxBytes) now and then every interval
// (0 -> 5 minutes) in the background, until ctx ends. It logs what it
// deletes and its errors.
func (db *DB) StartRetention(ctx context.Context, every, keep time.Duration, maxBytes int64) {
	if keep <= 0 && maxBytes <= 0 {
		return
	}
	if every <= 0 {
		every = 5 * time.Minute
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			start := time.Now()
			n, err := db.Prune(ctx, keep, maxBytes)
			switch {
			case err != nil && ctx.Err() == nil:
				db.logger().Warn("inspector: retention", "db", db.path, "err", err)
			case n > 0:
				db.logger().Info("inspector: retention", "db", db.path, "sessions_deleted", n,
					"took", time.Since(start).Round(time.Millisecond))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// ParseKeep reads a retention age for a --keep flag: a number and a unit,
// d (days) and w (weeks) besides Go's time.ParseDuration units ("90m",
// "36h", "7d", "2w", "1d12h"). "" and "0" mean no limit (0).
func ParseKeep(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] == '.' || unicode.IsDigit(rune(rest[i]))) {
			i++
		}
		j := i
		for j < len(rest) && unicode.IsLetter(rune(rest[j])) {
			j++
		}
		if i == 0 || j == i {
			return 0, fmt.Errorf("inspector: keep %q: want a number and a unit, as in 7d or 12h", s)
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		var d time.Duration
		switch unit {
		case "d", "w":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("inspector: keep %q: %w", s, err)
			}
			day := 24 * time.Hour
			if unit == "w" {
				day *= 7
			}
			d = time.Duration(f * float64(day))
		default:
			var err error
			if d, err = time.ParseDuration(num + unit); err != nil {
				return 0, fmt.Errorf("inspector: keep %q: unknown unit %q (use s, m, h, d or w)", s, unit)
			}
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("inspector: keep %q: negative", s)
	}
	return total, nil
}

// ParseSize reads a size for a --max-db-size flag: a number and an
// optional unit. KB, MB, GB and TB are powers of 1000; KiB, MiB, GiB, TiB
// and the one-letter K, M, G, T powers of 1024; B or no unit is bytes. Case
// does not matter ("1GB", "500mb", "1.5GiB", "800M"). "" and "0" mean no
// limit (0).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "0" {
		return 0, nil
	}
	i := 0
	for i < len(t) && (t[i] == '.' || unicode.IsDigit(rune(t[i]))) {
		i++
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("inspector: size %q: want a number and a unit, as in 1GB or 500MB", s)
	}
	mult := map[string]float64{
		"": 1, "B": 1,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("inspector: size %q: unknown unit %q (use B, KB, MB, GB, TB or KiB, MiB, GiB, TiB)", s, unit)
	}
	v := f * mult
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("inspector: size %q: too large", s)
	}
	return int64(v), nil
}
