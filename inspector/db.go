package inspector

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (cgo)
)

// migrations holds the schema, one file per version: 0001_init.sql, ...
// Each is applied once, in name order, inside a transaction, and recorded in
// the migrations table. The number before the first "_" is the version.
//
//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned by DB.Session when no session has the given id.
var ErrNotFound = errors.New("inspector: not found")

// DB owns one SQLite file. It keeps two handles on it: a single writer
// connection (the Recorder, Import and Prune take turns on it) and a pool of
// readers for queries, which WAL mode lets run while a batch is written.
//
// A DB is safe for use by multiple goroutines.
type DB struct {
	// Logger receives the DB's own log records (retention). If nil,
	// slog.Default() is used. Set it before StartRetention.
	Logger *slog.Logger

	// Now returns the current time; retention uses it. Tests may replace it
	// before use. If nil, time.Now is used.
	Now func() time.Time

	path string
	w    *sql.DB // one connection: every write goes through it, in turn
	r    *sql.DB // readers

	version int // schema version after Open
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date. The parent directory is created if missing.
//
// The connections use WAL (readers do not block the writer), foreign keys
// (deleting a session deletes its packets), synchronous=NORMAL (a commit is
// durable against a process crash, and against power loss once the WAL is
// checkpointed) and a busy timeout (another process, such as
// "workbook import", may hold the write lock for a moment).
func Open(path string) (*DB, error) {
	return open(path, openOptions{})
}

// openOptions are the knobs tests turn; the zero value is what Open uses.
type openOptions struct {
	readOnlyWriter bool // the writer cannot write (tests: a read-only file, a full disk)
}

func open(path string, o openOptions) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("inspector: open %q: a file path is needed", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("inspector: open %s: %w", path, err)
		}
	}
	db := &DB{path: path}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=1&_synchronous=NORMAL"
	// The writer takes the write lock when its transaction begins, so that
	// two processes never deadlock upgrading read locks. A new file gets
	// incremental auto-vacuum (set before WAL, before the first table),
	// which retention uses to give freed pages back.
	wdsn := base + "&_txlock=immediate&_auto_vacuum=incremental"
	if o.readOnlyWriter {
		wdsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_busy_timeout=5000"
	}
	var err error
	if db.w, err = sql.Open("sqlite3", wdsn); err != nil {
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if db.r, err = sql.Open("sqlite3", base+"&_query_only=1"); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	db.r.SetMaxOpenConns(4)
	db.r.SetMaxIdleConns(4)

	if err := db.migrate(context.Background()); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	return db, nil
}

// Path returns the file name given to Open.
func (db *DB) Path() string { return db.path }

// Version returns the schema version of the file: the number of the last
// migration applied.
func (db *DB) Version() int { return db.version }

// Close closes both handles. Close the Recorder first: its last batch needs
// the writer.
func (db *DB) Close() error {
	return errors.Join(db.w.Close(), db.r.Close())
}

func (db *DB) logger() *slog.Logger {
	if db.Logger != nil {
		return db.Logger
	}
	return slog.Default()
}

func (db *DB) now() time.Time {
	if db.Now != nil {
		return db.Now()
	}
	return time.Now()
}

// migrate applies the embedded migrations the file has not seen, each in its
// own transaction, and records them in the migrations table. PRAGMA
// user_version follows the last one, so that sqlite3 users see the version.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)

	// Reading the applied versions needs no write, so that a read-only file
	// with an up-to-date schema still opens.
	applied := map[int]bool{}
	var exists int
	if err := db.w.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'migrations'`).Scan(&exists); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	if exists == 1 {
		rows, err := db.w.QueryContext(ctx, `SELECT version FROM migrations`)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("migrations: %w", err)
			}
			applied[v] = true
			db.version = max(db.version, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
	}
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: no version number", base)
		}
		if applied[v] {
			continue
		}
		if err := db.migrateFile(ctx, name, v); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		db.version = max(db.version, v)
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string, version int) error {
	src, err := fs.ReadFile(migrations, name)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		version, filepath.Base(name), time.Now().UnixMicro()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		return err
	}
	return tx.Commit()
}
