package inspector_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
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
