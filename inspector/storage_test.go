package inspector_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestRecorder_FileDeleted: the file is deleted while a recorder writes to
// it. The recorder says so at level Error, and counts what it can no longer
// store rather than writing it to a file no one can open again; readers do
// not bring back an empty file.
func TestRecorder_FileDeleted(t *testing.T) {
	db := MustOpenDB(t)
	logs := &logCounter{}
	rec := MustRecorder(t, db, inspector.RecorderOptions{Logger: slog.New(logs)})
	ctx := context.Background()
	rec.OpenAt(t0, "D", "/socket.io/", "", "", "", "websocket")
	rec.PacketAt(t0, "D", engine.In, "websocket", msg(`2["before"]`))
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckFile(); err != nil {
		t.Fatalf("CheckFile before the delete: %v", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db.Path() + suffix)
	}
	if err := db.CheckFile(); !errors.Is(err, inspector.ErrFileGone) {
		t.Fatalf("CheckFile after the delete: %v", err)
	}
	for i := range 10 {
		rec.PacketAt(t0, "D", engine.In, "websocket", msg(fmt.Sprintf(`2["after",%d]`, i)))
	}
	if err := rec.Flush(ctx); !errors.Is(err, inspector.ErrFileGone) {
		t.Errorf("Flush after the delete: %v, want ErrFileGone", err)
	}
	if rec.Dropped() != 10 {
		t.Errorf("dropped %d, want the 10 packets after the delete", rec.Dropped())
	}
	if logs.errors() == 0 || !strings.Contains(logs.last(), "deleted") {
		t.Errorf("%d errors logged, last %q", logs.errors(), logs.last())
	}

	// A reader opened now finds no file, and makes none.
	db2, err := inspector.OpenReadOnly(db.Path())
	if err == nil {
		db2.Close()
		t.Error("OpenReadOnly of a deleted file succeeded")
	}
	for range 8 { // more than the pool holds open: new connections
		db.Sessions(ctx, inspector.SessionFilter{})
	}
	if _, err := os.Stat(db.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a reader made the file again: %v", err)
	}
}

// TestRecorder_FileReplaced: another file put at the path is not the one
// the recorder writes to; it says so too.
func TestRecorder_FileReplaced(t *testing.T) {
	db := MustOpenDB(t)
	other := db.Path() + ".new"
	writeFile(t, other, "")
	if err := os.Rename(other, db.Path()); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckFile(); !errors.Is(err, inspector.ErrFileGone) {
		t.Fatalf("CheckFile after a rename over the file: %v", err)
	}
}

// TestRecorder_LifecycleNeverDropped: with the writer behind and a queue of
// 64 items, 2,000 sessions open, upgrade and close with 5 packets each.
// Packets are dropped and counted; every open, upgrade and close is stored.
func TestRecorder_LifecycleNeverDropped(t *testing.T) {
	db := MustOpenDB(t)
	logs := &logCounter{}
	rec, release := inspector.NewRecorderHeld(db, inspector.RecorderOptions{QueueSize: 64, Logger: slog.New(logs)})
	t.Cleanup(func() { release(); rec.Close() })
	const sessions, packets = 2000, 5
	for i := range sessions {
		sid := fmt.Sprintf("L%04d", i)
		rec.OpenAt(t0, sid, "/socket.io/", "", "", "", "polling")
		for j := range packets {
			rec.PacketAt(t0, sid, engine.In, "polling", msg(fmt.Sprintf(`2["n",%d]`, j)))
		}
		rec.UpgradeAt(t0, sid, "websocket")
		rec.CloseAt(t0, sid, "transport close")
	}
	if rec.Dropped() == 0 {
		t.Fatal("nothing dropped: the queue did not fill")
	}
	release()
	ctx := context.Background()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != sessions || st.OpenSessions != 0 {
		t.Errorf("%d sessions stored, %d open; want %d, 0", st.Sessions, st.OpenSessions, sessions)
	}
	if st.Packets+rec.Dropped() != sessions*packets {
		t.Errorf("%d packets stored + %d dropped != %d", st.Packets, rec.Dropped(), sessions*packets)
	}
	list, err := db.Sessions(ctx, inspector.SessionFilter{Limit: sessions})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Upgraded != "websocket" || s.CloseReason != "transport close" || s.Path != "/socket.io/" {
			t.Errorf("session %+v", s)
			break
		}
	}
	if logs.warns() == 0 {
		t.Error("the dropped packets are not logged")
	}
}

// integrityOK fails the test unless SQLite finds the file at path intact.
func integrityOK(t *testing.T, path string) {
	t.Helper()
	var check string
	if err := mustRawDB(t, path).QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
}

// TestFullDisk records onto a 1 MiB tmpfs until it is full: the batches
// that do not fit are dropped, counted and logged, the server's calls
// return at once, every batch committed before is there, the file is
// intact; once there is room again, recording goes on. Needs root (mount).
func TestFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts a small tmpfs: needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	path := filepath.Join(dir, "full.db")
	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	logs := &logCounter{}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{Logger: slog.New(logs), FlushInterval: time.Millisecond})
	defer rec.Close()
	ctx := context.Background()
	rec.OpenAt(t0, "F", "/socket.io/", "", "", "", "websocket")
	big := strings.Repeat("x", 4000)
	sent := 0
	var flushErr error
	for sent < 2000 && flushErr == nil { // 8 MB for a 1 MiB disk
		for range 20 {
			sent++
			rec.PacketAt(t0, "F", engine.In, "websocket", msg(fmt.Sprintf(`2["n",%d,"%s"]`, sent, big)))
		}
		flushErr = rec.Flush(ctx)
	}
	if flushErr == nil || !strings.Contains(flushErr.Error(), "full") {
		t.Fatalf("after %d packets of 4 KB on 1 MiB: Flush %v, want disk full", sent, flushErr)
	}
	if rec.Dropped() == 0 || logs.warns() == 0 || !strings.Contains(logs.last(), "full") {
		t.Errorf("dropped %d, %d warnings, last %q", rec.Dropped(), logs.warns(), logs.last())
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Packets+st.Sessions != rec.Stored() || st.Packets+1+rec.Dropped() != int64(sent)+1 {
		t.Errorf("file: %d packets, %d sessions; recorder: %d stored, %d dropped of %d+1 items",
			st.Packets, st.Sessions, rec.Stored(), rec.Dropped(), sent)
	}
	integrityOK(t, path)
	t.Logf("1 MiB tmpfs: %d of %d packets stored before it was full, %d dropped", st.Packets, sent, rec.Dropped())

	// Room again: recording goes on.
	if out, err := exec.Command("mount", "-o", "remount,size=64m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, out)
	}
	rec.PacketAt(t0, "F", engine.In, "websocket", msg(`2["after"]`))
	if err := rec.Flush(ctx); err != nil {
		t.Fatalf("Flush with room again: %v", err)
	}
	if ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: "F", Event: "after"}); len(ps) != 1 {
		t.Errorf("the packet after the remount: %d stored", len(ps))
	}
	integrityOK(t, path)
}

// TestTwoProcesses: two processes record into one file at once, each its
// own session. Each waits for the other's write lock (the busy timeout);
// what one could not store it counts. The file holds exactly what each
// stored, both sessions closed, intact.
func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	path := filepath.Join(t.TempDir(), "two.db")
	MustCloseDB(t, func() *inspector.DB {
		db, err := inspector.Open(path) // the schema, before both start
		if err != nil {
			t.Fatal(err)
		}
		return db
	}())
	type result struct {
		sid    string
		out    []byte
		err    error
		stored int64
		drops  int64
	}
	results := make(chan result, 2)
	for _, sid := range []string{"A", "B"} {
		go func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessesChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "INSPECTOR_TWO_DB="+path, "INSPECTOR_TWO_SID="+sid)
			out, err := cmd.Output()
			r := result{sid: sid, out: out, err: err}
			for _, l := range strings.Split(string(out), "\n") {
				fmt.Sscanf(l, "STORED %d DROPPED %d", &r.stored, &r.drops)
			}
			results <- r
		}()
	}
	db, err := inspector.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	ctx := context.Background()
	for range 2 {
		r := <-results
		if r.err != nil {
			t.Fatalf("child %s: %v\n%s", r.sid, r.err, r.out)
		}
		s, err := db.Session(ctx, r.sid)
		if err != nil {
			t.Fatalf("session %s: %v", r.sid, err)
		}
		if int64(s.Packets) != r.stored || s.EndedAt.IsZero() {
			t.Errorf("session %s: %d packets in the file, the child stored %d (dropped %d); ended %v",
				r.sid, s.Packets, r.stored, r.drops, s.EndedAt)
		}
		if r.stored+r.drops != twoPackets {
			t.Errorf("child %s: %d stored + %d dropped != %d", r.sid, r.stored, r.drops, twoPackets)
		}
		t.Logf("child %s: %d packets stored, %d dropped", r.sid, r.stored, r.drops)
	}
	integrityOK(t, path)
}

// twoPackets is how many packets each child of TestTwoProcesses records.
const twoPackets = 20000

// TestTwoProcessesChild is a child of TestTwoProcesses.
func TestTwoProcessesChild(t *testing.T) {
	path, sid := os.Getenv("INSPECTOR_TWO_DB"), os.Getenv("INSPECTOR_TWO_SID")
	if path == "" {
		t.Skip("a child of TestTwoProcesses")
	}
	db, err := inspector.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{BatchSize: 500, FlushInterval: time.Millisecond})
	ctx := context.Background()
	rec.OpenAt(time.Time{}, sid, "/socket.io/", "", "", "", "websocket")
	for i := 1; i <= twoPackets; i++ {
		rec.PacketAt(time.Time{}, sid, engine.In, "websocket", msg(fmt.Sprintf(`2["n",%d]`, i)))
		if i%500 == 0 {
			rec.Flush(ctx) // keep the queue from overflowing: drops here would only be room
		}
	}
	rec.CloseAt(time.Time{}, sid, "transport close")
	rec.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Dropped counts items; the open and close records are never dropped
	// for room, and a failed batch would show in the session's count.
	fmt.Printf("STORED %d DROPPED %d\n", rec.Stored()-2, rec.Dropped())
}

// TestSessionsEndUnderLoad: handshakes and WebSockets against a recorded
// server whose packet queue is tiny, so that packets are dropped: every
// session is stored, and every one with its end. INSPECTOR_LOAD_SCALE=5
// runs the 5,000 handshakes and 2,000 WebSockets (1,000 and 400
// by default).
func TestSessionsEndUnderLoad(t *testing.T) {
	scale := 1
	if s := os.Getenv("INSPECTOR_LOAD_SCALE"); s != "" {
		fmt.Sscan(s, &scale)
	}
	handshakes, websockets := 1000*scale, 400*scale
	db := MustOpenDB(t)
	logs := &logCounter{}
	rec := MustRecorder(t, db, inspector.RecorderOptions{QueueSize: 64, Logger: slog.New(logs)})
	server := sio.NewServer(sio.Config{Observer: rec.Observer()})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { server.Close() })

	jobs := make(chan bool, 64) // true: a WebSocket
	errs := make(chan error, handshakes+websockets)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ws := range jobs {
				if ws {
					errs <- websocketSession(srv.URL)
				} else {
					errs <- pollingSession(srv.URL)
				}
			}
		}()
	}
	every, ws := (handshakes+websockets)/websockets, 0 // the WebSockets spread among the handshakes
	for i := range handshakes + websockets {
		isWS := i%every == 0 && ws < websockets
		if isWS {
			ws++
		}
		jobs <- isWS
	}
	close(jobs)
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			if failed == 0 {
				t.Error(err)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Fatalf("%d sessions failed", failed)
	}

	// Every session ends on the server side soon: a polling one at its
	// close packet, a WebSocket when its connection closes.
	ctx := context.Background()
	total := int64(handshakes + websockets)
	deadline := time.Now().Add(60 * time.Second)
	var st inspector.Stats
	for {
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var err error
		if st, err = db.Stats(ctx); err != nil {
			t.Fatal(err)
		}
		if st.Sessions == total && st.OpenSessions == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d sessions stored of %d, %d open; %d items dropped",
				st.Sessions, total, st.OpenSessions, rec.Dropped())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d handshakes, %d WebSockets: %d sessions stored, %d open; %d packets stored, %d items dropped",
		handshakes, websockets, st.Sessions, st.OpenSessions, st.Packets, rec.Dropped())
}

// pollingSession opens an Engine.IO session over polling and closes it.
func pollingSession(base string) error {
	resp, err := http.Get(base + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("handshake: %d %v", resp.StatusCode, err)
	}
	var open struct{ SID string }
	if err := json.Unmarshal(body[1:], &open); err != nil {
		return fmt.Errorf("handshake %q: %w", body, err)
	}
	resp, err = http.Post(base+"/socket.io/?EIO=4&transport=polling&sid="+open.SID, "text/plain", strings.NewReader("1"))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// websocketSession connects to "/" over a WebSocket, sends an event, and
// closes the connection.
func websocketSession(base string) error {
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	if _, _, err := c.ReadMessage(); err != nil { // open
		return err
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
		return err
	}
	if _, _, err := c.ReadMessage(); err != nil { // CONNECT reply
		return err
	}
	return c.WriteMessage(websocket.TextMessage, []byte(`42["hello","world"]`))
}

// TestOpenReadOnly_WALOnReadOnlyFS: a file left with commits in its -wal
// (its writer was killed) on a read-only file system is read whole.
func TestOpenReadOnly_WALOnReadOnlyFS(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts a read-only tmpfs: needs root")
	}
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	rec.OpenAt(t0, "W", "/socket.io/", "", "", "", "websocket")
	rec.PacketAt(t0, "W", engine.In, "websocket", msg(`2["in the wal"]`))
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	// A copy of the three files while the writer holds them open, as a
	// kill would leave them.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		data, err := os.ReadFile(db.Path() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "w.db"+suffix), string(data))
	}
	if fi, _ := os.Stat(filepath.Join(dir, "w.db-wal")); fi == nil || fi.Size() == 0 {
		t.Fatal("no commit left in the -wal file to read")
	}
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	ro, err := inspector.OpenReadOnly(filepath.Join(dir, "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, ro)
	ps, err := ro.Packets(context.Background(), inspector.PacketFilter{SID: "W"})
	if err != nil || len(ps) != 1 {
		t.Errorf("%d packets read, %v; want the 1 in the -wal file", len(ps), err)
	}
}

// TestRecorder_LifecycleBound: the session records have a bound too: past
// LifecycleSize waiting, they are dropped, counted and logged as errors (at
// the 1st, 2nd, 4th... drop, not each).
func TestRecorder_LifecycleBound(t *testing.T) {
	db := MustOpenDB(t)
	logs := &logCounter{}
	rec, release := inspector.NewRecorderHeld(db, inspector.RecorderOptions{LifecycleSize: 10, Logger: slog.New(logs)})
	t.Cleanup(func() { release(); rec.Close() })
	for i := range 15 {
		rec.OpenAt(t0, fmt.Sprintf("B%02d", i), "/socket.io/", "", "", "", "polling")
	}
	if rec.LifecycleDropped() != 5 || rec.Dropped() != 5 {
		t.Errorf("%d session records dropped (%d items), want 5", rec.LifecycleDropped(), rec.Dropped())
	}
	if n := logs.errors(); n != 3 { // drops 1, 2 and 4
		t.Errorf("%d errors logged, want 3", n)
	}
	release()
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stats(context.Background()); st.Sessions != 10 {
		t.Errorf("%d sessions stored, want the 10 that fit", st.Sessions)
	}
}
