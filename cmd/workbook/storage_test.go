package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readOnlyFixture imports the fixture and returns its path, on a file
// system mounted read-only when the test runs as root (which a chmod would
// not stop), else in a directory and file the process cannot write.
func readOnlyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		db := filepath.Join(dir, "ro.db")
		run(t, "import", "--db", db, fixture)
		for _, p := range []string{db, dir} {
			mode := os.FileMode(0o444)
			if p == dir {
				mode = 0o555
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return db
	}
	mnt := filepath.Join(dir, "ro")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs for a read-only file system (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	db := filepath.Join(mnt, "ro.db")
	run(t, "import", "--db", db, fixture)
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v: %s", err, out)
	}
	return db
}

// TestReadOnlyDatabase: the read commands, and serve --no-record, read a
// database they cannot write.
func TestReadOnlyDatabase(t *testing.T) {
	db := readOnlyFixture(t)
	for _, args := range [][]string{
		{"sessions", "--db", db},
		{"packets", "--db", db},
		{"trace", "--db", db},
		{"export", "--db", db},
		{"replay", "--db", db, "--session", pollingSID, "--no-wait"},
	} {
		out, errOut, err := runErr(args...)
		if err != nil {
			t.Errorf("workbook %s: %v\n%s", strings.Join(args, " "), err, errOut)
			continue
		}
		if !strings.Contains(out, pollingSID) {
			t.Errorf("workbook %s: no %s in\n%s", strings.Join(args, " "), pollingSID, out)
		}
	}
	if _, _, err := runErr("prune", "--db", db, "--keep", "1s"); err == nil {
		t.Error("prune of a read-only database succeeded")
	}

	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--no-record", "--db", db)
	resp, err := http.Get(wb.URL + "/inspector/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), pollingSID) {
		t.Errorf("the inspector of a read-only database with --no-record: %d\n%s", resp.StatusCode, body)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wb.Stderr.String(), "read-only") {
		t.Errorf("serve does not say the database is read-only:\n%s", wb.Stderr)
	}
}

// TestServeDatabaseDeleted: the --db file is deleted while serve records.
// serve says so on stderr at level ERROR, and no empty file comes back.
func TestServeDatabaseDeleted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "workbook.db")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	goClientSession(t, wb.URL, []string{"websocket"})
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	goClientSession(t, wb.URL, []string{"websocket"})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(wb.Stderr.String(), "level=ERROR") {
		if time.Now().After(deadline) {
			t.Fatalf("no error on stderr 30 s after the file was deleted:\n%s", wb.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(wb.Stderr.String(), "deleted") {
		t.Errorf("the error does not say the file was deleted:\n%s", wb.Stderr)
	}
	get(t, wb.URL+"/inspector/") // a reader, after the delete
	wb.failing = true
	if err := wb.Stop(); err == nil || !strings.Contains(err.Error(), "deleted") {
		t.Errorf("serve ended with %v, want an error saying the file was deleted", err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("%s exists again after serve: %v", db, err)
	}
}
