package web_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
)

// Scale of the sessions list's benchmark: scaleSessions sessions, one a
// second, the newest scaleOpen of them still open.
const (
	scaleSessions = 100_000
	scaleOpen     = 10_000
)

// scaleDB is a real SQLite file of 100,000 sessions, 10,000 open, written
// with SQL as the recorder lays them out (close reasons, CONNECT_ERROR
// counts, event names, lessons, browsers, addresses), kept in
// $TMPDIR/inspector-bench-100k-sessions.db for the next runs. Only the
// benchmarks call it.
func scaleDB(b *testing.B) (*inspector.DB, time.Time) {
	b.Helper()
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	path := filepath.Join(os.TempDir(), "inspector-bench-100k-sessions.db")
	db, err := inspector.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	if st, err := db.Stats(b.Context()); err == nil && st.Sessions == scaleSessions && st.OpenSessions == scaleOpen {
		b.Cleanup(func() { db.Close() })
		return db, base
	}
	db.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if db, err = inspector.Open(path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	us := base.UnixMicro()
	for _, q := range []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO sessions (id, sid, path, client, remote_addr, user_agent, transport, upgraded, upgraded_at,
				started_at, ended_at, close_reason, last_at, packets, errors)
			SELECT i, printf('s%%019d', i),
				CASE WHEN i %% 4 = 0 THEN '/socket.io/' ELSE '/lessons/l' || (i %% 20) || '/s' || (i %% 3) || '/socket.io/' END,
				'browser-' || (i %% 5000), '10.0.' || (i %% 250) || '.1', 'Mozilla/5.0', 'polling', 'websocket',
				%[2]d + i * 1000000 + 5000, %[2]d + i * 1000000,
				CASE WHEN i > %[3]d THEN NULL ELSE %[2]d + i * 1000000 + 600000 END,
				CASE WHEN i > %[3]d THEN '' ELSE CASE i %% 10 WHEN 0 THEN 'ping timeout' WHEN 1 THEN 'transport error'
					WHEN 2 THEN 'parse error' WHEN 3 THEN 'client namespace disconnect' ELSE 'transport close' END END,
				%[2]d + i * 1000000 + 600000, 12, CASE WHEN i %% 50 = 0 THEN 1 ELSE 0 END FROM n`,
			scaleSessions, us, scaleSessions-scaleOpen),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO session_events (event, session_id)
			SELECT 'chat message', i FROM n WHERE i %% 2 = 0 UNION ALL
			SELECT 'join', i FROM n WHERE i %% 3 = 0 UNION ALL
			SELECT 'rare', i FROM n WHERE i %% 1000 = 0`, scaleSessions),
		`ANALYZE`,
	} {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return db, base
}

// BenchmarkSessionsPage renders the sessions list of 100,000 sessions
// (10,000 open): the first page, a page 90,000 sessions deep (keyset, no
// OFFSET), and each filter; the connects chart and the close reasons are
// part of every page.
//
//	go test -run '^$' -bench BenchmarkSessionsPage -benchtime 20x ./inspector/web/
func BenchmarkSessionsPage(b *testing.B) {
	db, base := scaleDB(b)
	h := web.New(db, nil, web.Options{})
	b.Cleanup(func() { h.Close() })
	deep, err := db.Sessions(b.Context(), inspector.SessionFilter{Limit: 1,
		Before: &inspector.SessionCursor{StartedAt: base.Add((scaleSessions - 90_000) * time.Second), ID: scaleSessions - 90_000}})
	if err != nil || len(deep) != 1 {
		b.Fatalf("deep cursor: %v %v", deep, err)
	}
	at := func(i int) string {
		return url.QueryEscape(base.Add(time.Duration(i) * time.Second).Format(time.RFC3339))
	}
	for _, c := range []struct{ name, query string }{
		{"first", ""},
		{"deep", "before=" + fmt.Sprintf("%d.%d", deep[0].StartedAt.UnixMicro(), deep[0].ID)},
		{"lesson", "path=l7"},
		{"client", "client=browser-42"},
		{"addr", "addr=10.0.42.1"},
		{"reason", "reason=parse+error"},
		{"error", "error=1"},
		{"event", "event=chat+message"},
		{"event-rare", "event=rare"},
		{"open", "state=open"},
		{"hour", "since=" + at(50_000) + "&until=" + at(53_600)},
		{"error-deep", "error=1&until=" + at(10_000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "/inspector/?"+c.query, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
		})
	}
}
