package lessons

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// TaskKey names one task of one step.
type TaskKey struct {
	Lesson, Step, Task string
}

// Store keeps which tasks each browser has completed: in the table
// lesson_progress of a SQL database (SQLite), or in memory when it has
// none. A Store is safe for use by multiple goroutines.
//
// The table belongs to this package, which creates it if missing:
//
//	lesson_progress(client, lesson, step, task, done_at)
//
// client is the browser id (cookie "wb_client"); done_at is when the task
// was first completed, in microseconds since the Unix epoch (UTC), as the
// inspector stores its times.
type Store struct {
	db  *sql.DB // nil: memory
	max int     // learners (distinct clients) at most; see MaxLearners

	mu  sync.Mutex
	mem map[string]map[TaskKey]time.Time // client -> tasks, when db is nil

	now func() time.Time
}

const progressSchema = `CREATE TABLE IF NOT EXISTS lesson_progress (
	client  TEXT    NOT NULL,
	lesson  TEXT    NOT NULL,
	step    TEXT    NOT NULL,
	task    TEXT    NOT NULL,
	done_at INTEGER NOT NULL,
	PRIMARY KEY (client, lesson, step, task)
) WITHOUT ROWID`

// OpenStore returns a store on db, creating its table if missing. With a
// nil db the store keeps everything in memory, for as long as the process
// lives.
func OpenStore(ctx context.Context, db *sql.DB) (*Store, error) {
	s := &Store{db: db, now: time.Now, max: MaxLearners}
	if db == nil {
		s.mem = map[string]map[TaskKey]time.Time{}
		return s, nil
	}
	if _, err := db.ExecContext(ctx, progressSchema); err != nil {
		return nil, fmt.Errorf("lessons: creating lesson_progress: %w", err)
	}
	return s, nil
}

// MaxLearners bounds the browsers a Store keeps progress for: anyone can
// make up browser ids, and each would be a row of the classroom. A class
// is far smaller.
const MaxLearners = 10000

// ErrTooManyLearners is returned by Mark for a browser the Store has no
// progress of yet, when it keeps MaxLearners browsers already.
var ErrTooManyLearners = errors.New("lessons: too many learners: progress of a new browser not recorded")

// Mark records that client completed task k. It reports whether this is
// the first time (false when the task was already done), and returns
// ErrTooManyLearners for a new client past MaxLearners.
func (s *Store) Mark(ctx context.Context, client string, k TaskKey) (bool, error) {
	at := s.now().UTC()
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		tasks := s.mem[client]
		if tasks == nil {
			if len(s.mem) >= s.max {
				return false, ErrTooManyLearners
			}
			tasks = map[TaskKey]time.Time{}
			s.mem[client] = tasks
		}
		if _, ok := tasks[k]; ok {
			return false, nil
		}
		tasks[k] = at
		return true, nil
	}
	// A known client, or room for one more: one statement, so that two
	// new clients at once cannot both take the last place.
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO lesson_progress (client, lesson, step, task, done_at)
		 SELECT ?1, ?2, ?3, ?4, ?5
		 WHERE EXISTS (SELECT 1 FROM lesson_progress WHERE client = ?1)
		    OR (SELECT COUNT(DISTINCT client) FROM lesson_progress) < ?6
		 ON CONFLICT DO NOTHING`,
		client, k.Lesson, k.Step, k.Task, at.UnixMicro(), s.max)
	if err != nil {
		return false, fmt.Errorf("lessons: marking %s/%s/%s done: %w", k.Lesson, k.Step, k.Task, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lessons: marking %s/%s/%s done: %w", k.Lesson, k.Step, k.Task, err)
	}
	if n == 1 {
		return true, nil
	}
	var known bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM lesson_progress WHERE client = ?)`, client).Scan(&known); err != nil {
		return false, fmt.Errorf("lessons: marking %s/%s/%s done: %w", k.Lesson, k.Step, k.Task, err)
	}
	if !known {
		return false, ErrTooManyLearners
	}
	return false, nil
}

// Done returns the tasks client has completed, with when.
func (s *Store) Done(ctx context.Context, client string) (map[TaskKey]time.Time, error) {
	out := map[TaskKey]time.Time{}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for k, at := range s.mem[client] {
			out[k] = at
		}
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT lesson, step, task, done_at FROM lesson_progress WHERE client = ?`, client)
	if err != nil {
		return nil, fmt.Errorf("lessons: reading progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k TaskKey
		var at int64
		if err := rows.Scan(&k.Lesson, &k.Step, &k.Task, &at); err != nil {
			return nil, fmt.Errorf("lessons: reading progress: %w", err)
		}
		out[k] = time.UnixMicro(at).UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lessons: reading progress: %w", err)
	}
	return out, nil
}

// Reset forgets everything client has completed.
func (s *Store) Reset(ctx context.Context, client string) error {
	if s.db == nil {
		s.mu.Lock()
		delete(s.mem, client)
		s.mu.Unlock()
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lesson_progress WHERE client = ?`, client); err != nil {
		return fmt.Errorf("lessons: resetting progress: %w", err)
	}
	return nil
}

// All returns the tasks every browser has completed, with when: browser
// id -> tasks (the classroom view).
func (s *Store) All(ctx context.Context) (map[string]map[TaskKey]time.Time, error) {
	out := map[string]map[TaskKey]time.Time{}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for client, tasks := range s.mem {
			m := make(map[TaskKey]time.Time, len(tasks))
			for k, at := range tasks {
				m[k] = at
			}
			out[client] = m
		}
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT client, lesson, step, task, done_at FROM lesson_progress`)
	if err != nil {
		return nil, fmt.Errorf("lessons: reading everyone's progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var client string
		var k TaskKey
		var at int64
		if err := rows.Scan(&client, &k.Lesson, &k.Step, &k.Task, &at); err != nil {
			return nil, fmt.Errorf("lessons: reading everyone's progress: %w", err)
		}
		if out[client] == nil {
			out[client] = map[TaskKey]time.Time{}
		}
		out[client][k] = time.UnixMicro(at).UTC()
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lessons: reading everyone's progress: %w", err)
	}
	return out, nil
}
