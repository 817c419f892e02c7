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
