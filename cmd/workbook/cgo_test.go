package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeDefaultAddr: without --addr, serve listens on loopback only, so
// the inspector wants no token (a learner's first click on it works), and
// `--addr :3000` is the class setup, with a token.
func TestServeDefaultAddr(t *testing.T) {
	t.Setenv("WORKBOOK_ADDR", "")
	c := &ServeCommand{}
	if err := c.flags().parse(nil, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:3000" {
		t.Fatalf("default --addr %q, want 127.0.0.1:3000", c.Addr)
	}
	if !loopbackOnly(c.Addr) {
		t.Errorf("the default %q is not loopback only", c.Addr)
	}
	if tok, gen := inspectorToken(c.Addr, ""); tok != "" || gen {
		t.Errorf("the default address wants a token: %q %v", tok, gen)
	}
	if tok, gen := inspectorToken(":3000", ""); tok == "" || !gen {
		t.Errorf("--addr :3000 (a class) has no token: %q %v", tok, gen)
	}
}

// TestServePrintsTheURL: serve says which URL to open.
func TestServePrintsTheURL(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--no-record", "--db", filepath.Join(t.TempDir(), "x.db"))
	if want := "open " + wb.URL + "/ in your browser\n"; !strings.Contains(wb.Stdout.String(), want) {
		t.Errorf("stdout has no %q:\n%s", want, wb.Stdout)
	}
	if !strings.HasPrefix(wb.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", wb.URL)
	}
}

// TestNoCgo builds the workbook with CGO_ENABLED=0, which links
// go-sqlite3's stub, and runs serve: it stops before listening and says
// plainly what is wrong and how to fix it.
func TestNoCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "workbook")
	// A busy machine builds slowly: a generous deadline on the build.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, gobin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build with CGO_ENABLED=0: %v\n%s", err, out)
	}
	existing := filepath.Join(t.TempDir(), "old.db") // read commands refuse a missing file first
	if err := os.WriteFile(existing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db")},
		{"sessions", "--db", existing}, // a read command meets the stub on its own
	} {
		var stdout, stderr bytes.Buffer
		run := exec.CommandContext(ctx, bin, args...)
		run.Stdout, run.Stderr = &stdout, &stderr
		if err := run.Run(); err == nil {
			t.Errorf("workbook %s without cgo: no error\nstdout:\n%s", strings.Join(args, " "), &stdout)
			continue
		}
		if args[0] == "serve" && strings.Contains(stdout.String(), "listening on") {
			t.Errorf("serve listened before failing:\n%s", &stdout)
		}
		for _, want := range []string{"built without cgo", "C compiler", "CGO_ENABLED=1 go build -o workbook ./cmd/workbook"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("workbook %s: stderr has no %q:\n%s", strings.Join(args, " "), want, &stderr)
			}
		}
	}
}
