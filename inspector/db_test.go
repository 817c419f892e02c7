package inspector_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
)

func TestOpen(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		if db.Version() < 1 {
			t.Fatalf("version %d", db.Version())
		}
		raw := mustRawDB(t, db.Path())
		var mode string
		if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode %q %v", mode, err)
		}
		var uv, n int
		raw.QueryRow(`PRAGMA user_version`).Scan(&uv)
		raw.QueryRow(`SELECT count(*) FROM migrations`).Scan(&n)
		if uv != db.Version() || n != db.Version() {
			t.Errorf("user_version %d, %d migrations, version %d", uv, n, db.Version())
		}
		var av int
		raw.QueryRow(`PRAGMA auto_vacuum`).Scan(&av)
		if av != 2 {
			t.Errorf("auto_vacuum %d, want 2 (incremental)", av)
		}
	})
	t.Run("Reopen", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sub", "dir", "x.db") // parents are made
		db, err := inspector.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		v := db.Version()
		MustCloseDB(t, db)
		db, err = inspector.Open(path) // migrations are not applied twice
		if err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, db)
		if db.Version() != v {
			t.Fatalf("version %d then %d", v, db.Version())
		}
	})
	t.Run("ErrNoFile", func(t *testing.T) {
		for _, p := range []string{"", ":memory:", "file:x.db"} {
			if _, err := inspector.Open(p); err == nil {
				t.Errorf("Open(%q) succeeded", p)
			}
		}
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		writeFile(t, path, "this is not a database, just text long enough to look like a header.......................................")
		if _, err := inspector.Open(path); err == nil {
			t.Fatal("opened a text file")
		}
	})
}

func TestSession_ErrNotFound(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := db.Session(context.Background(), "nope"); !errors.Is(err, inspector.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
}

// mustRawDB opens path with database/sql directly, to look at what the
// package wrote; it is closed when the test ends.
func mustRawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}
