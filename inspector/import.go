package inspector

import (
	"context"
	"fmt"
	"time"
)

// An import commits its file in chunks of importBatch lines (export.go), each
// its own transaction, so that the write lock is free between them: a
// Recorder sharing the writer connection gets it at the next commit (the
// connection pool hands it to whoever waits), and a workbook in another
// process within its busy timeout. The sessions a run creates are listed in
// import_pending, with the run, until its last commit; a run that fails
// deletes them, so a failed import leaves nothing; a run that dies (its
// process killed) leaves them listed, and the next import deletes them
// once the run's beat is older than importStale, and imports them whole.

// importStale is how long a run may go without committing a chunk before
// the next import takes it for dead. A chunk takes milliseconds, or up to
// the busy timeout (5 s) when another process holds the lock; a retry
// sooner than this after a kill skips the cut sessions (it cannot tell a
// dead run from a slow one), and the next one after it completes them.
var importStale = 30 * time.Second

// importRun is one Import's bookkeeping.
type importRun struct {
	db     *DB
	id     int64
	marked map[string]bool // sids listed in import_pending
}

// startImport deletes the sessions of dead runs and registers a new run.
func (db *DB) startImport(ctx context.Context) (*importRun, error) {
	stale, err := db.pruneCandidates(ctx, `SELECT s.id, s.sid, s.packets FROM import_pending p
		JOIN import_runs r ON r.id = p.run JOIN sessions s ON s.id = p.session_id WHERE r.beat < ?`,
		time.Now().Add(-importStale).UnixMicro())
	if err != nil {
		return nil, err
	}
	if len(stale) > 0 {
		db.logger().Warn("inspector: import: deleting the sessions an import cut short left, to import them whole",
			"sessions", len(stale), "db", db.path)
		if _, err := db.deleteSessions(ctx, stale); err != nil {
			return nil, err
		}
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM import_runs WHERE beat < ?`, time.Now().Add(-importStale).UnixMicro()); err != nil {
		return nil, fmt.Errorf("inspector: import: %w", err)
	}
	run := &importRun{db: db, marked: map[string]bool{}}
	if err := db.w.QueryRowContext(ctx, `INSERT INTO import_runs (beat) VALUES (?) RETURNING id`,
		time.Now().UnixMicro()).Scan(&run.id); err != nil {
		return nil, fmt.Errorf("inspector: import: %w", err)
	}
	return run, nil
}

// mark lists the sessions sids (created by this run) in import_pending and
// refreshes the run's beat, in b's transaction.
func (run *importRun) mark(ctx context.Context, b *batch, sids []string) error {
	for _, sid := range sids {
		if run.marked[sid] {
			continue
		}
		if _, err := b.tx.ExecContext(ctx, `INSERT OR IGNORE INTO import_pending (session_id, run)
			SELECT id, ? FROM sessions WHERE sid = ?`, run.id, sid); err != nil {
			return fmt.Errorf("inspector: import: %w", err)
		}
		run.marked[sid] = true
	}
	if _, err := b.tx.ExecContext(ctx, `UPDATE import_runs SET beat = ? WHERE id = ?`, time.Now().UnixMicro(), run.id); err != nil {
		return fmt.Errorf("inspector: import: %w", err)
	}
	return nil
}

// finish ends the run in b's transaction, its last: its sessions are whole.
func (run *importRun) finish(ctx context.Context, b *batch) error {
	if _, err := b.tx.ExecContext(ctx, `DELETE FROM import_runs WHERE id = ?`, run.id); err != nil {
		return fmt.Errorf("inspector: import: %w", err)
	}
	return nil // import_pending's rows go with the run (ON DELETE CASCADE)
}

// abandon deletes what a failed run stored, and the run. It runs even when
// ctx is cancelled (the cancellation may be why the run failed).
func (run *importRun) abandon(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	list, err := run.db.pruneCandidates(ctx, `SELECT s.id, s.sid, s.packets FROM import_pending p
		JOIN sessions s ON s.id = p.session_id WHERE p.run = ?`, run.id)
	if err == nil {
		_, err = run.db.deleteSessions(ctx, list)
	}
	if _, derr := run.db.w.ExecContext(ctx, `DELETE FROM import_runs WHERE id = ?`, run.id); err == nil && derr != nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("inspector: import: deleting what a failed import stored: %w", err)
	}
	return nil
}
