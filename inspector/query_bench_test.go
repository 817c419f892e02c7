package inspector_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// bigDBPackets is the size of the database of the query benchmarks.
const bigDBPackets = 5_000_000

// bigDB opens a database of 5 million packets: 1000 sessions whose packets
// interleave (as sessions that run at the same time do), with an EVENT, an
// ACK and a heartbeat in turn. It is built once (about a minute) and kept
// in $TMPDIR/inspector-bench-5M.db, or in $INSPECTOR_BENCH_DB, for the next
// runs; only benchmarks call it, so that go test ./... never does.
func bigDB(b *testing.B) *inspector.DB {
	b.Helper()
	path := os.Getenv("INSPECTOR_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "inspector-bench-5M.db")
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
	b.Logf("building %s (%d packets)", path, bigDBPackets)
	start := time.Now()
	raw := mustRawDB(b, path)
	const sessions = 1000
	base := t0.UnixMicro()
	stmts := []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO sessions (id, sid, path, client, remote_addr, user_agent, transport, upgraded, upgraded_at,
				started_at, ended_at, close_reason, last_at, packets)
			SELECT i, printf('sid%%017d', i), '/lessons/l' || (i %% 10) || '/socket.io/', 'client' || (i %% 100),
				'10.0.' || (i %% 250) || '.1', 'Mozilla/5.0', 'polling', 'websocket', %d + i * 1000,
				%d + i * 1000, NULL, '', %d + %d * 10, %d FROM n`,
			sessions, base, base, base, bigDBPackets, bigDBPackets/sessions),
	}
	const chunk = 500_000
	for lo := 0; lo < bigDBPackets; lo += chunk {
		stmts = append(stmts, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO packets (id, session_id, at, dir, transport, eio_type, sio_type, nsp, event, ack_id, args,
				binary, attachment_of, raw, size)
			SELECT i, (i %% %d) + 1, %d + i * 10,
				CASE i %% 3 WHEN 0 THEN 'in' ELSE 'out' END, 'websocket',
				CASE i %% 3 WHEN 2 THEN 'ping' ELSE 'message' END,
				CASE i %% 3 WHEN 0 THEN 'EVENT' WHEN 1 THEN 'ACK' END,
				CASE WHEN i %% 3 < 2 THEN '/' END,
				CASE i %% 3 WHEN 0 THEN 'chat message' END,
				CASE WHEN i %% 3 < 2 THEN i / 3 END,
				CASE i %% 3 WHEN 0 THEN '[{"user":"ana","text":"hello everyone","n":' || i || '}]'
					WHEN 1 THEN '["ok"]' END,
				0, NULL,
				CASE i %% 3 WHEN 0 THEN '42' || (i / 3) || '["chat message",{"user":"ana","text":"hello everyone","n":' || i || '}]'
					WHEN 1 THEN '43' || (i / 3) || '["ok"]' ELSE '2' END,
				0 FROM n`, lo+1, min(lo+chunk, bigDBPackets), sessions, base))
	}
	stmts = append(stmts, `UPDATE packets SET size = length(CAST(raw AS BLOB))`, `PRAGMA wal_checkpoint(TRUNCATE)`)
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built in %v", time.Since(start).Round(time.Second))
	return db
}

// BenchmarkPacketsLast5M lists the last 1000 packets of one session in a
// database of 5 million packets, as the session page does:
//
//	go test -run '^$' -bench BenchmarkPacketsLast5M ./inspector/
func BenchmarkPacketsLast5M(b *testing.B) {
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

// BenchmarkQueries5M times the other queries of the pages on the same
// database.
func BenchmarkQueries5M(b *testing.B) {
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
			_, err := db.Packets(ctx, inspector.PacketFilter{Event: "chat message", Last: true, Limit: 100})
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
