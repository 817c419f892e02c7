package inspector_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// BenchmarkBroadcastBytes records broadcasts of 64 bytes to 1,000
// sessions through a Recorder, as a server does (the same bytes to every
// session, one batch every FlushInterval), and reports what a delivery
// costs in the file: its size once checkpointed, less the size of the file
// with the sessions alone, per delivery (target: at most 16 bytes).
//
//	go test -run '^$' -bench BenchmarkBroadcastBytes -benchtime 200x ./inspector/
func BenchmarkBroadcastBytes(b *testing.B) {
	db := MustOpenDB(b)
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
	defer rec.Close()
	ctx := context.Background()
	const sessions = 1000
	start := time.Now()
	sids := openBenchSessions(b, rec, "b", sessions, start)
	empty := usedBytes(b, db)
	payload := strings.Repeat("x", 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// 10 broadcasts a batch: 100 broadcasts per second, 100 ms batches.
		at := start.Add(time.Duration(i) * 10 * time.Millisecond)
		p := msg(fmt.Sprintf(`2["bcast",0,%d,"%s"]`, at.UnixNano(), payload))
		for j, sid := range sids {
			rec.PacketAt(at.Add(time.Duration(j)*time.Microsecond), sid, engine.Out, "websocket", p)
		}
		if i%10 == 9 {
			if err := rec.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := rec.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if rec.Dropped() != 0 {
		b.Fatalf("%d dropped", rec.Dropped())
	}
	b.ReportMetric(float64(usedBytes(b, db)-empty)/float64(b.N*sessions), "bytes/delivery")
}

// usedBytes checkpoints db and returns the bytes of its pages in use.
func usedBytes(tb testing.TB, db *inspector.DB) int64 {
	tb.Helper()
	raw := mustRawDB(tb, db.Path())
	if _, err := raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	var pages, free, size int64
	if err := raw.QueryRow(`SELECT p.page_count, f.freelist_count, s.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&pages, &free, &size); err != nil {
		tb.Fatal(err)
	}
	return (pages - free) * size
}

// BenchmarkSessions100k lists the newest sessions of a database of 100,000
// sessions, as 'workbook sessions' does (target: under 200 ms). The
// database is built once in $TMPDIR/inspector-bench-100k-sessions.db.
//
//	go test -run '^$' -bench BenchmarkSessions100k ./inspector/
func BenchmarkSessions100k(b *testing.B) {
	path := filepath.Join(os.TempDir(), "inspector-bench-100k-sessions.db")
	db, err := inspector.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const sessions = 100_000
	if st, err := db.Stats(ctx); err != nil || st.Sessions != sessions {
		raw := mustRawDB(b, path)
		base := t0.UnixMicro()
		if _, err := raw.Exec(fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO sessions (id, sid, path, client, remote_addr, user_agent, transport, upgraded, upgraded_at,
				started_at, ended_at, close_reason, last_at, packets)
			SELECT i, printf('s%%019d', i), '/lessons/l' || (i %% 10) || '/socket.io/', 'client' || (i %% 1000),
				'10.0.' || (i %% 250) || '.1', 'Mozilla/5.0', 'polling', 'websocket', %d + i * 1000,
				%d + i * 1000, %d + i * 1000 + 500, 'transport close', %d + i * 1000 + 500, 20 FROM n`,
			sessions, base, base, base, base)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ss, err := db.Sessions(ctx, inspector.SessionFilter{})
		if err != nil || len(ss) != inspector.DefaultSessionLimit {
			b.Fatalf("%d sessions, %v", len(ss), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
}
