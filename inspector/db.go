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

// ErrFileGone is returned by DB.CheckFile, and is the error of the
// Recorder's batches, when the file Open opened has been deleted or
// replaced since: what is written goes to a file no one can open again,
// and is lost when the process exits.
var ErrFileGone = errors.New("inspector: the database file was deleted or replaced while open")

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

	path     string
	w        *sql.DB // one connection: every write goes through it, in turn (r when read-only)
	r        *sql.DB // readers; they never create the file
	readOnly bool
	file     os.FileInfo // the file as opened, for CheckFile

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
	if err := checkPath(path); err != nil {
		return nil, err
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
	if db.r, err = openReaders(path, false); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	if err := db.migrate(context.Background()); err != nil {
		db.w.Close()
		db.r.Close()
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	if db.file, err = os.Stat(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	return db, nil
}

func checkPath(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return fmt.Errorf("inspector: open %q: a file path is needed", path)
	}
	return nil
}

// openReaders opens the pool of readers. mode=ro: a reader never creates
// the file (a deleted file stays deleted, rather than coming back empty)
// and never writes it. immutable tells SQLite that no one can write the
// file, which lets it read a WAL file on a read-only file system, where it
// cannot create the -shm file it otherwise needs.
func openReaders(path string, immutable bool) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_busy_timeout=5000&_query_only=1"
	if immutable {
		dsn += "&immutable=1"
	}
	r, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	return r, nil
}

// OpenReadOnly opens the existing database at path for reading only: it
// never creates the file or its directory, never writes it (its schema
// must be up to date: Open, as 'workbook serve' does, brings it up), and
// works on a file the process cannot write and on a read-only file system.
// Every method that writes returns an error.
func OpenReadOnly(path string) (*DB, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("inspector: open %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("inspector: open %s: a directory, not a database", path)
	}
	ctx := context.Background()
	db := &DB{path: path, readOnly: true, file: fi}
	for _, immutable := range []bool{false, true} {
		if db.r, err = openReaders(path, immutable); err != nil {
			return nil, fmt.Errorf("inspector: open %s: %w", path, err)
		}
		db.w = db.r
		if err = db.readVersion(ctx); err == nil {
			break
		}
		db.r.Close()
		// Without write access to the directory SQLite cannot make the
		// -shm file of a WAL database, and says "unable to open database
		// file". If no one can write the file, nothing can change under
		// a reader that is told so; but an immutable reader ignores the
		// -wal file, so only a file without one (closed cleanly) is read
		// that way.
		if immutable || !cannotWrite(path) || hasWAL(path) {
			return nil, fmt.Errorf("inspector: open %s read-only: %w", path, err)
		}
	}
	if latest := latestMigration(); db.version < latest {
		db.r.Close()
		return nil, fmt.Errorf("inspector: open %s: schema version %d, this workbook reads %d: "+
			"open it once with 'workbook serve' or 'workbook import' to bring it up to date", path, db.version, latest)
	}
	return db, nil
}

// cannotWrite reports whether this process cannot write path or create a
// file beside it (the -shm and -wal files of WAL mode).
func cannotWrite(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return true
	}
	f.Close()
	f, err = os.CreateTemp(filepath.Dir(path), ".workbook-probe-*")
	if err != nil {
		return true
	}
	f.Close()
	os.Remove(f.Name())
	return false
}

// hasWAL reports whether path has a -wal file that is not empty: commits
// that are not yet in the database file itself.
func hasWAL(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return err == nil && fi.Size() > 0
}

// ReadOnly reports whether the DB was opened with OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

// CheckFile returns ErrFileGone if the file at the DB's path is no longer
// the file it opened (deleted, or replaced by another), nil if it still is.
func (db *DB) CheckFile() error {
	fi, err := os.Stat(db.path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !os.SameFile(fi, db.file)) {
		return fmt.Errorf("%w: %s", ErrFileGone, db.path)
	}
	if err != nil {
		return fmt.Errorf("inspector: check %s: %w", db.path, err)
	}
	return nil
}

// Path returns the file name given to Open.
func (db *DB) Path() string { return db.path }

// Version returns the schema version of the file: the number of the last
// migration applied.
func (db *DB) Version() int { return db.version }

// Close closes both handles. Close the Recorder first: its last batch needs
// the writer.
func (db *DB) Close() error {
	if db.w == db.r {
		return db.r.Close()
	}
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
	names := migrationNames()
	applied, err := db.applied(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		v := migrationVersion(name)
		if v < 0 {
			return fmt.Errorf("migration %s: no version number", filepath.Base(name))
		}
		if applied[v] {
			continue
		}
		if err := db.migrateFile(ctx, name, v); err != nil {
			return fmt.Errorf("migration %s: %w", filepath.Base(name), err)
		}
		db.version = max(db.version, v)
	}
	return nil
}

// migrationNames returns the embedded migrations in the order they apply.
func migrationNames() []string {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	return names
}

// migrationVersion is the number before the first "_" of a migration's
// name, -1 if there is none.
func migrationVersion(name string) int {
	v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
	if err != nil {
		return -1
	}
	return v
}

// latestMigration is the version of the newest embedded migration.
func latestMigration() int {
	latest := 0
	for _, n := range migrationNames() {
		latest = max(latest, migrationVersion(n))
	}
	return latest
}

// readVersion sets db.version from the file, writing nothing.
func (db *DB) readVersion(ctx context.Context) error {
	_, err := db.applied(ctx)
	return err
}

// applied returns the versions of the migrations the file has seen, and
// sets db.version to the newest. It writes nothing, so that a read-only
// file with an up-to-date schema still opens.
func (db *DB) applied(ctx context.Context) (map[int]bool, error) {
	applied := map[int]bool{}
	var exists int
	if err := db.w.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'migrations'`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrations table: %w", err)
	}
	if exists == 0 {
		return applied, nil
	}
	rows, err := db.w.QueryContext(ctx, `SELECT version FROM migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		applied[v] = true
		db.version = max(db.version, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return applied, nil
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
