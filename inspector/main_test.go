package inspector_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
)

// dump keeps the databases of the tests, so that you can open them with
// sqlite3: go test ./inspector/ -run TestX -dump
var dump = flag.Bool("dump", false, "keep test databases and print their paths")

// MustOpenDB opens a database in a fresh file under tb.TempDir() (or, with
// -dump, in a directory that survives the test) and closes it when the test
// ends.
func MustOpenDB(tb testing.TB) *inspector.DB {
	tb.Helper()
	dir := tb.TempDir()
	if *dump {
		var err error
		if dir, err = os.MkdirTemp("", "inspector-test-"); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("database kept in %s", dir)
	}
	db, err := inspector.Open(filepath.Join(dir, "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { MustCloseDB(tb, db) })
	return db
}

// MustCloseDB closes db, failing the test on error.
func MustCloseDB(tb testing.TB, db *inspector.DB) {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// MustRecorder starts a recorder on db that flushes fast, closed when the
// test ends (before the database: cleanups run last-in first-out).
func MustRecorder(tb testing.TB, db *inspector.DB, opts inspector.RecorderOptions) *inspector.Recorder {
	tb.Helper()
	if opts.FlushInterval == 0 {
		opts.FlushInterval = 5 * 1e6 // 5ms
	}
	r := inspector.NewRecorder(db, opts)
	tb.Cleanup(func() {
		if err := r.Close(); err != nil {
			tb.Error(err)
		}
	})
	return r
}

func writeFile(tb testing.TB, path, s string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		tb.Fatal(err)
	}
}
