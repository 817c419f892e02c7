package inspector_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestImport_FailedFileAddsNothing: a file that fails at line 3 leaves
// nothing (no open, cut session), and the corrected file then imports whole.
func TestImport_FailedFileAddsNothing(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	lines := []string{
		`{"time":"2025-03-01T12:00:00Z","session":"S","dir":"out","transport":"polling","raw":"0{}","session_info":{"started_at":"2025-03-01T12:00:00Z","transport":"polling","ended_at":"2025-03-01T12:00:09Z","close_reason":"transport close"}}`,
		`{"time":"2025-03-01T12:00:01Z","session":"S","dir":"in","transport":"polling","raw":"40"}`,
		`{"time":"2025-03-01T12:00:02Z","session":"S","dir":"in","transport":"polling","raw":"42[\"a\"]"`, // cut
		`{"time":"2025-03-01T12:00:03Z","session":"S","dir":"in","transport":"polling","raw":"42[\"b\"]"}`,
	}
	_, err := db.Import(ctx, strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err %v, want one naming line 3", err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 0 || st.Packets != 0 {
		t.Fatalf("after the failed import: %d sessions (%d open), %d packets", st.Sessions, st.OpenSessions, st.Packets)
	}

	lines[2] += "}"
	n, err := db.Import(ctx, strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	if err != nil || n != 4 {
		t.Fatalf("the corrected file: %d packets, %v", n, err)
	}
	s, err := db.Session(ctx, "S")
	if err != nil || s.Packets != 4 || s.EndedAt.IsZero() || s.CloseReason != "transport close" {
		t.Errorf("session %+v, %v", s, err)
	}
}

// TestImport_LineTooLong: a 40 MB line is refused with a clear error,
// after reading no more of it than the limit.
func TestImport_LineTooLong(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	good := `{"time":"2025-03-01T12:00:00Z","session":"G","dir":"in","transport":"polling","raw":"2"}` + "\n"
	huge := `{"time":"2025-03-01T12:00:00Z","session":"G","dir":"in","transport":"polling","raw":"4` +
		strings.Repeat("x", 40<<20) + `"}` + "\n"
	r := io.MultiReader(strings.NewReader(good), strings.NewReader(huge), strings.NewReader(good))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := db.Import(ctx, r, nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, inspector.ErrLineTooLong) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err %v, want ErrLineTooLong naming line 2", err)
	}
	// The limit, plus the growth of the buffer that reached it.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*inspector.MaxImportLine {
		t.Errorf("%d MiB allocated to refuse the line (the limit is %d MiB)", alloc>>20, inspector.MaxImportLine>>20)
	}
	if st, _ := db.Stats(ctx); st.Packets != 0 {
		t.Errorf("%d packets stored", st.Packets)
	}

	// A line just under the limit is read.
	var buf bytes.Buffer
	buf.WriteString(`{"time":"2025-03-01T12:00:00Z","session":"L","dir":"in","transport":"polling","raw":"4`)
	buf.WriteString(strings.Repeat("y", inspector.MaxImportLine-buf.Len()-3))
	buf.WriteString("\"}\n")
	if n, err := db.Import(ctx, &buf, nil); err != nil || n != 1 {
		t.Errorf("a line of exactly the limit: %d, %v", n, err)
	}
}

// bigImportFile is a JSON Lines file of sessions × perSession packets,
// each session closed.
func bigImportFile(sessions, perSession int) []byte {
	var buf bytes.Buffer
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for s := range sessions {
		sid := fmt.Sprintf("big-%04d", s)
		for i := range perSession {
			at := start.Add(time.Duration(s*perSession+i) * time.Millisecond).Format(time.RFC3339Nano)
			if i == 0 {
				fmt.Fprintf(&buf, `{"time":%q,"session":%q,"dir":"out","transport":"websocket","raw":"0{}","session_info":{"started_at":%q,"transport":"websocket","ended_at":%q,"close_reason":"transport close"}}`+"\n",
					at, sid, at, start.Add(time.Duration(s*perSession+perSession)*time.Millisecond).Format(time.RFC3339Nano))
				continue
			}
			fmt.Fprintf(&buf, `{"time":%q,"session":%q,"dir":"in","transport":"websocket","raw":"42[\"n\",%d]"}`+"\n", at, sid, i)
		}
	}
	return buf.Bytes()
}

// TestImport_RecorderWritesMeanwhile: a recorder writing to the database
// while a large file is imported drops nothing. The recorder gets a packet
// for every few thousand lines the import reads (its progress), more in
// all than its queue holds: it must write while the import runs, not after
// it. Importing the file again adds nothing.
func TestImport_RecorderWritesMeanwhile(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	const queue = 4000
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{QueueSize: queue, FlushInterval: time.Millisecond, CPUShare: -1})
	defer rec.Close()
	at := time.Now()
	rec.RecordOpen(at, "live", "/socket.io/", "", "127.0.0.1", "", "websocket")
	const sessions, perSession = 150, 2000
	file := bigImportFile(sessions, perSession)

	recorded := 0
	progress := func(done, total int64) {
		// A progress call comes with every few thousand lines.
		for range 250 {
			recorded++
			at = at.Add(time.Microsecond)
			rec.RecordPacket(at, "live", engine.In, "websocket", engine.Packet{Type: engine.PacketMessage, Data: []byte(`2["tick"]`)})
		}
	}
	n, err := db.Import(ctx, bytes.NewReader(file), progress)
	if err != nil || n != sessions*perSession {
		t.Fatalf("import: %d packets, %v; want %d", n, err, sessions*perSession)
	}
	if recorded <= 2*queue {
		t.Fatalf("only %d packets recorded during the import: the test needs more than the queue holds", recorded)
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if d := rec.Dropped(); d != 0 {
		t.Errorf("the recorder dropped %d of %d items during the import", d, recorded)
	}
	if s, err := db.Session(ctx, "live"); err != nil || s.Packets != recorded {
		t.Errorf("the live session: %+v, %v; want %d packets", s, err, recorded)
	}

	// Again: nothing added, every session whole.
	if n, err := db.Import(ctx, bytes.NewReader(file), nil); err != nil || n != 0 {
		t.Errorf("the second import: %d packets, %v", n, err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != sessions+1 || st.Packets != sessions*perSession+int64(recorded) {
		t.Errorf("after two imports: %d sessions, %d packets", st.Sessions, st.Packets)
	}
}

// TestImport_FailureAfterChunks: a file that fails after several chunks
// were committed leaves nothing either, and then imports whole.
func TestImport_FailureAfterChunks(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	const sessions, perSession = 6, 1000
	good := bigImportFile(sessions, perSession)
	bad := append(append([]byte{}, good...), "{\"time\":\n"...)
	if _, err := db.Import(ctx, bytes.NewReader(bad), nil); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d", sessions*perSession+1)) {
		t.Fatalf("err %v, want one naming the last line", err)
	}
	if st, err := db.Stats(ctx); err != nil || st.Sessions != 0 || st.Packets != 0 {
		t.Fatalf("after the failed import: %+v, %v", st, err)
	}
	if n, err := db.Import(ctx, bytes.NewReader(good), nil); err != nil || n != sessions*perSession {
		t.Fatalf("the good file: %d, %v", n, err)
	}
	if n, err := db.PendingImports(); err != nil || n != 0 {
		t.Errorf("%d sessions still pending, %v", n, err)
	}
}

// TestImport_Killed: an import killed (SIGKILL) in the middle of its file
// leaves the sessions it had begun listed as pending; the next import of
// the file, once the dead run is stale, deletes them and imports every
// session whole.
func TestImport_Killed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	path, file := filepath.Join(dir, "import.db"), filepath.Join(dir, "big.jsonl")
	const sessions, perSession = 40, 2000
	if err := os.WriteFile(file, bigImportFile(sessions, perSession), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImport$", "-test.count=1")
	cmd.Env = append(os.Environ(), "INSPECTOR_IMPORT_DB="+path, "INSPECTOR_IMPORT_FILE="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child says "PROGRESS" after each chunk it committed: kill it
	// after a few, well before its end.
	sc := bufio.NewScanner(out)
	seen := 0
	for seen < 5 && sc.Scan() {
		if sc.Text() == "PROGRESS" {
			seen++
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if seen < 5 {
		t.Fatalf("the child ended after %d chunks", seen)
	}

	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	ctx := context.Background()
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingImports()
	if err != nil || st.Sessions == 0 || st.Packets >= sessions*perSession || int64(pending) != st.Sessions {
		t.Fatalf("after the kill: %d sessions, %d packets, %d pending (%v)", st.Sessions, st.Packets, pending, err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The dead run's beat is fresh: take it for dead at once.
	inspector.SetImportStale(t, 0)
	n, err := db.Import(ctx, f, nil)
	if err != nil || n != sessions*perSession {
		t.Fatalf("the import again: %d packets, %v; want %d", n, err, sessions*perSession)
	}
	list, err := db.Sessions(ctx, inspector.SessionFilter{Limit: 1000})
	if err != nil || len(list) != sessions {
		t.Fatalf("%d sessions, %v", len(list), err)
	}
	for _, s := range list {
		if s.Packets != perSession || s.EndedAt.IsZero() {
			t.Errorf("session %s: %d packets, ended %v", s.SID, s.Packets, s.EndedAt)
		}
	}
	if n, err := db.PendingImports(); err != nil || n != 0 {
		t.Errorf("%d sessions still pending, %v", n, err)
	}
}

// TestHelperImport is the child of TestImport_Killed: it imports a file,
// saying PROGRESS after each chunk, slowly enough to be killed in the
// middle.
func TestHelperImport(t *testing.T) {
	path := os.Getenv("INSPECTOR_IMPORT_DB")
	if path == "" {
		t.Skip("the child of TestImport_Killed")
	}
	db := childDB(path)
	f, err := os.Open(os.Getenv("INSPECTOR_IMPORT_FILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	calls := 0
	_, err = db.Import(context.Background(), f, func(done, total int64) {
		// The first call comes before any chunk.
		if calls++; calls > 1 {
			fmt.Println("PROGRESS")
			// Wait for the parent's kill after a few: the test needs
			// the import cut in the middle, whatever the machine's speed.
			if calls > 6 {
				time.Sleep(time.Hour)
			}
		}
	})
	fmt.Fprintln(os.Stderr, "the import ended before it was killed:", err)
	os.Exit(1)
}

// childDB opens the database of a child process, or ends the child.
func childDB(path string) *inspector.DB {
	db, err := inspector.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return db
}
