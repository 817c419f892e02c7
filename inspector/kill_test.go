package inspector_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestKill records in a child process, kills it with SIGKILL in the middle
// of its work, and checks the file: intact, and holding every batch the
// child saw committed (the child prints the last packet id of each batch it
// is told about by its live feed, which only carries committed rows).
//
// It runs twice: one session in batches of 500, and broadcasts to 1,000
// sessions in batches of the default size (each a payload and 1,000
// deliveries in the sessions' chunks).
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	t.Run("OneSession", func(t *testing.T) { testKill(t, 1) })
	t.Run("Broadcast", func(t *testing.T) { testKill(t, 1000) })
}

func testKill(t *testing.T, sessions int) {
	path := filepath.Join(t.TempDir(), "kill.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "INSPECTOR_KILL_DB="+path, "INSPECTOR_KILL_SESSIONS="+strconv.Itoa(sessions))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Every line the child printed before it died is a promise: read them
	// all, up to the end of the pipe.
	lines := make(chan int64, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "COMMITTED "); ok {
				n, err := strconv.ParseInt(id, 10, 64)
				if err != nil {
					t.Error(err)
				}
				lines <- n
			}
		}
	}()
	var committed int64
	select {
	case committed = <-lines:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child committed nothing in 20s")
	}
	// Kill at a moment that differs from run to run, batches later.
	time.Sleep(time.Duration(100+time.Now().UnixNano()%300) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for n := range lines {
		committed = max(committed, n)
	}
	cmd.Wait()
	if committed == 0 {
		t.Fatal("the child committed nothing")
	}

	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	raw := mustRawDB(t, path)
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var fk int
	rows, err := raw.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		fk++
	}
	rows.Close()
	if fk != 0 {
		t.Errorf("%d foreign key violations", fk)
	}
	var n, maxID, counted int64
	raw.QueryRow(`SELECT count(*), coalesce(max(id), 0) FROM packets`).Scan(&n, &maxID)
	raw.QueryRow(`SELECT sum(packets) FROM sessions`).Scan(&counted)
	t.Logf("child said %d committed; the file has %d packets (max id %d)", committed, n, maxID)
	if maxID < committed || n != maxID {
		t.Errorf("%d packets, max id %d, want ids 1..%d at least, without gaps", n, maxID, committed)
	}
	if counted != n {
		t.Errorf("sessions count %d packets, the table holds %d: a batch was half written", counted, n)
	}
	if sessions == 1 {
		// Every row is the one the child sent under that number.
		var bad int64
		raw.QueryRow(`SELECT count(*) FROM packets WHERE raw != '42["n",' || id || ']'`).Scan(&bad)
		if bad != 0 {
			t.Errorf("%d packets hold another number than their id", bad)
		}
		return
	}
	// Each session holds broadcasts 1..k, without a gap, and its own
	// count of them.
	var bad, nsessions int64
	raw.QueryRow(`SELECT count(*), sum(n != top OR n != counted) FROM (
		SELECT count(*) AS n, max(CAST(substr(p.raw, 8, length(p.raw) - 8) AS INTEGER)) AS top, s.packets AS counted
		FROM packets p JOIN sessions s ON s.id = p.session_id GROUP BY p.session_id)`).Scan(&nsessions, &bad)
	if nsessions == 0 || bad != 0 {
		t.Errorf("%d of %d sessions with a gap in their broadcasts", bad, nsessions)
	}
}

// TestHelperProcess is the child of TestKill: it records numbered packets
// as fast as the writer takes them until it is killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("INSPECTOR_KILL_DB")
	if path == "" {
		t.Skip("the child of TestKill")
	}
	db := childDB(path)
	sessions, _ := strconv.Atoi(os.Getenv("INSPECTOR_KILL_SESSIONS"))
	opts := inspector.RecorderOptions{BatchSize: 500, FlushInterval: time.Millisecond}
	if sessions > 1 {
		opts = inspector.RecorderOptions{}
	}
	rec := inspector.NewRecorder(db, opts)
	feed, _ := rec.Subscribe(1 << 16)
	go func() {
		var last int64
		for l := range feed {
			if l.Packet == nil {
				continue
			}
			last = l.Packet.ID
			if len(feed) == 0 || last%1000 == 0 {
				fmt.Printf("COMMITTED %d\n", last)
			}
		}
	}()
	start := time.Now()
	sids := []string{"K"}
	for i := 1; i < sessions; i++ {
		sids = append(sids, fmt.Sprintf("K%d", i))
	}
	for _, sid := range sids {
		rec.OpenAt(start, sid, "/socket.io/", "", "", "", "websocket")
	}
	for i := 1; ; i++ {
		for rec.Queued() > 20000 {
			time.Sleep(time.Millisecond)
		}
		p := msg(`2["n",` + strconv.Itoa(i) + `]`)
		for _, sid := range sids {
			rec.PacketAt(start, sid, engine.Out, "websocket", p)
		}
		if i%3 == 0 {
			rec.DebugAt(start, "engine:ws", "K", "writing")
		}
		if time.Since(start) > 15*time.Second {
			rec.Flush(context.Background())
			fmt.Fprintln(os.Stderr, "helper: not killed")
			os.Exit(2)
		}
	}
}
