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
)

// The database of the query benchmarks: bigSessions sessions that each
// got bigBroadcasts broadcasts, as 1,000 clients at 100 broadcasts per
// second for 500 seconds would: 50 million deliveries.
const (
	bigSessions   = 1000
	bigBroadcasts = 50_000
	bigDBPackets  = bigSessions * bigBroadcasts
	// bigPerBatch is the broadcasts a writer's batch holds at that rate
	// (100 ms): one chunk per session and batch.
	bigPerBatch = 10
)

// bigDB opens the database of 50 million deliveries, laid out as the
// recorder writes it: a payload per broadcast, and per batch one chunk of
// bigPerBatch deliveries for each session, with the debug lines derived
// from them. It is built once (a few minutes) and kept in
// $TMPDIR/inspector-bench-50M.db, or in $INSPECTOR_BENCH_DB, for the next
// runs; only benchmarks call it, so that go test ./... never does.
func bigDB(b *testing.B) *inspector.DB {
	b.Helper()
	path := os.Getenv("INSPECTOR_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "inspector-bench-50M.db")
	}
	db, err := inspector.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if st, err := db.Stats(ctx); err == nil && st.Packets == bigDBPackets {
		return db
	}
	db.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if db, err = inspector.Open(path); err != nil {
		b.Fatal(err)
	}
	b.Logf("building %s (%d deliveries)", path, bigDBPackets)
	start := time.Now()
	raw := mustRawDB(b, path)
	base := t0.UnixMicro()
	batches := bigBroadcasts / bigPerBatch
	// One chunk's list: the deliveries 10 ms apart, each its own payload,
	// out over WebSocket (flags 3).
	list := ""
	for j := range bigPerBatch {
		if j > 0 {
			list += ","
		}
		list += fmt.Sprintf("%d,%d", j*10_000, j<<2|3)
	}
	payload := strings.Repeat("x", 64)
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO sessions (id, sid, path, client, remote_addr, user_agent, transport, upgraded, upgraded_at,
				started_at, ended_at, close_reason, last_at, packets)
			SELECT i, printf('sid%%017d', i), '/lessons/l' || (i %% 10) || '/socket.io/', 'client' || (i %% 100),
				'10.0.' || (i %% 250) || '.1', 'Mozilla/5.0', 'polling', 'websocket', %d + i * 1000,
				%d + i * 1000, NULL, '', %d + %d * 100000, %d FROM n`,
			bigSessions, base, base, base, batches, bigBroadcasts),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO payloads (id, eio_type, sio_type, nsp, event, ack_id, args, binary, raw, size)
			SELECT i, 'message', 'EVENT', '/', 'bcast', NULL, '[0,' || i || ',"%s"]', 0,
				'42["bcast",0,' || i || ',"%s"]', length('42["bcast",0,' || i || ',"%s"]') FROM n`,
			bigBroadcasts, payload, payload, payload),
	}
	// Chunk (k, s): batch k, session s; packet ids and line ids in the
	// order the writer gives them.
	const step = 250 // batches per statement
	for lo := 0; lo < batches; lo += step {
		stmts = append(stmts, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO packet_chunks (id, session_id, n, first_at, base, list, attached, debug_id, debug_n, debug_end)
			SELECT i * %d + 1, i %% %d + 1, %d, %d + (i / %d) * 100000 + i %% %d, (i / %d) * %d + 1, '%s', NULL,
				i * %d + 1, %d, i * %d + 1 + %d FROM n`,
			lo*bigSessions, min(lo+step, batches)*bigSessions-1,
			bigPerBatch, bigSessions, bigPerBatch, base, bigSessions, bigSessions, bigSessions, bigPerBatch, list,
			2*bigPerBatch, 2*bigPerBatch, 2*bigPerBatch, 2*bigPerBatch))
	}
	stmts = append(stmts, `PRAGMA wal_checkpoint(TRUNCATE)`)
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built in %v", time.Since(start).Round(time.Second))
	return db
}

// BenchmarkPacketsLast50M lists the last 1000 packets of one session in a
// database of 50 million deliveries, as the session page does (target:
// under 50 ms):
//
//	go test -run '^$' -bench BenchmarkPacketsLast50M ./inspector/
func BenchmarkPacketsLast50M(b *testing.B) {
	db := bigDB(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sid := fmt.Sprintf("sid%017d", 1+i%1000)
		ps, err := db.Packets(ctx, inspector.PacketFilter{SID: sid, Last: true, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if len(ps) != 1000 {
			b.Fatalf("%d packets", len(ps))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
}

// BenchmarkQueries50M times the other queries of the pages on the same
// database.
func BenchmarkQueries50M(b *testing.B) {
	db := bigDB(b)
	ctx := context.Background()
	last, _ := db.Packets(ctx, inspector.PacketFilter{Last: true, Limit: 1})
	for _, q := range []struct {
		name string
		f    func(i int) error
	}{
		{"Sessions", func(int) error { _, err := db.Sessions(ctx, inspector.SessionFilter{}); return err }},
		{"SessionsPath", func(int) error {
			_, err := db.Sessions(ctx, inspector.SessionFilter{PathPrefix: "/lessons/l3/"})
			return err
		}},
		{"PacketsEventLast", func(int) error {
			_, err := db.Packets(ctx, inspector.PacketFilter{Event: "bcast", SID: "sid00000000000000007", Last: true, Limit: 100})
			return err
		}},
		{"PacketsClientLast", func(int) error {
			_, err := db.Packets(ctx, inspector.PacketFilter{Client: "client7", Last: true, Limit: 100})
			return err
		}},
		{"PacketsAfterID", func(int) error {
			_, err := db.Packets(ctx, inspector.PacketFilter{AfterID: last[0].ID - 100})
			return err
		}},
		{"PacketsSince", func(int) error {
			_, err := db.Packets(ctx, inspector.PacketFilter{Since: last[0].At.Add(-time.Millisecond), Limit: 100})
			return err
		}},
		{"Stats", func(int) error { _, err := db.Stats(ctx); return err }},
		{"DebugLinesLast", func(i int) error {
			_, err := db.DebugLines(ctx, inspector.PacketFilter{SID: fmt.Sprintf("sid%017d", 1+i%1000), Last: true, Limit: 1000})
			return err
		}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := q.f(i); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
		})
	}
}
