package lessons

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
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
// inspector stores its times. A second table holds the display names the
// learners chose (SetName):
//
//	lesson_learners(client, name)
type Store struct {
	db  *sql.DB // nil: memory
	max int     // learners (distinct clients) at most; see MaxLearners

	mu    sync.Mutex
	mem   map[string]map[TaskKey]time.Time // client -> tasks, when db is nil
	names map[string]string                // client -> display name, when db is nil

	now func() time.Time
}

const progressSchema = `CREATE TABLE IF NOT EXISTS lesson_progress (
	client  TEXT    NOT NULL,
	lesson  TEXT    NOT NULL,
	step    TEXT    NOT NULL,
	task    TEXT    NOT NULL,
	done_at INTEGER NOT NULL,
	PRIMARY KEY (client, lesson, step, task)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lesson_learners (
	client TEXT NOT NULL PRIMARY KEY,
	name   TEXT NOT NULL
) WITHOUT ROWID`

// OpenStore returns a store on db, creating its table if missing. With a
// nil db the store keeps everything in memory, for as long as the process
// lives.
func OpenStore(ctx context.Context, db *sql.DB) (*Store, error) {
	s := &Store{db: db, now: time.Now, max: MaxLearners}
	if db == nil {
		s.mem = map[string]map[TaskKey]time.Time{}
		s.names = map[string]string{}
		return s, nil
	}
	if _, err := db.ExecContext(ctx, progressSchema); err != nil {
		return nil, fmt.Errorf("lessons: creating lesson_progress and lesson_learners: %w", err)
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

// ResetLesson forgets what client has completed in one lesson (its slug).
func (s *Store) ResetLesson(ctx context.Context, client, lesson string) error {
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for k := range s.mem[client] {
			if k.Lesson == lesson {
				delete(s.mem[client], k)
			}
		}
		if len(s.mem[client]) == 0 {
			delete(s.mem, client)
		}
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM lesson_progress WHERE client = ? AND lesson = ?`, client, lesson); err != nil {
		return fmt.Errorf("lessons: resetting progress in %s: %w", lesson, err)
	}
	return nil
}

// MaxName is the longest display name, in characters.
const MaxName = 40

// ErrBadName is returned by SetName for a name longer than MaxName
// characters, or holding a control character (a line break) or bytes that
// are not UTF-8.
var ErrBadName = errors.New("lessons: a name is at most 40 characters, with no control characters")

// SetName sets the name client shows as, trimmed of spaces; an empty name
// removes it. It returns ErrBadName for a name that is not one, and
// ErrTooManyLearners for a new client past MaxLearners names.
func (s *Store) SetName(ctx context.Context, client, name string) error {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return ErrBadName
	}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, known := s.names[client]; !known && name != "" && len(s.names) >= s.max {
			return ErrTooManyLearners
		}
		if name == "" {
			delete(s.names, client)
		} else {
			s.names[client] = name
		}
		return nil
	}
	if name == "" {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM lesson_learners WHERE client = ?`, client); err != nil {
			return fmt.Errorf("lessons: removing a name: %w", err)
		}
		return nil
	}
	// One statement, as in Mark: two new learners at once cannot both
	// take the last place.
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO lesson_learners (client, name)
		 SELECT ?1, ?2
		 WHERE EXISTS (SELECT 1 FROM lesson_learners WHERE client = ?1)
		    OR (SELECT COUNT(*) FROM lesson_learners) < ?3
		 ON CONFLICT (client) DO UPDATE SET name = excluded.name`,
		client, name, s.max)
	if err != nil {
		return fmt.Errorf("lessons: setting a name: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("lessons: setting a name: %w", err)
	} else if n == 0 {
		return ErrTooManyLearners
	}
	return nil
}

// Names returns the display name of every browser that has one.
func (s *Store) Names(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for c, n := range s.names {
			out[c] = n
		}
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT client, name FROM lesson_learners`)
	if err != nil {
		return nil, fmt.Errorf("lessons: reading names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("lessons: reading names: %w", err)
		}
		out[c] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lessons: reading names: %w", err)
	}
	return out, nil
}

// Name returns the display name of client, "" when it has none.
func (s *Store) Name(ctx context.Context, client string) (string, error) {
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.names[client], nil
	}
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT name FROM lesson_learners WHERE client = ?`, client).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("lessons: reading a name: %w", err)
	}
	return name, nil
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
