package nodetest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestMain fails the binary when a process started by nodetest, or anything
// in its process group, outlives the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if leaks := leftovers(2 * time.Second); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "nodetest: processes left over after the tests:\n  %s\n", strings.Join(leaks, "\n  "))
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// leftovers lists live processes that are children of this binary or in a
// process group nodetest created, retrying for up to wait while the kernel
// finishes reaping.
func leftovers(wait time.Duration) []string {
	groups := map[int]bool{}
	for _, pid := range nodetest.StartedPIDs() {
		groups[pid] = true
	}
	self := os.Getpid()
	deadline := time.Now().Add(wait)
	for {
		var found []string
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, path := range stats {
			b, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			// pid (comm) state ppid pgrp ...; comm may contain spaces.
			s := string(b)
			i := strings.LastIndexByte(s, ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(s[i+1:])
			if len(f) < 3 {
				continue
			}
			ppid, _ := strconv.Atoi(f[1])
			pgrp, _ := strconv.Atoi(f[2])
			if ppid == self || groups[pgrp] {
				found = append(found, strings.TrimSpace(s[:i+1])+" state "+f[0])
			}
		}
		if len(found) == 0 || time.Now().After(deadline) {
			return found
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOfficialServerPassesEveryScenario runs every scenario of scenarios.mjs
// with the official client against fixture-server.mjs, the official server:
// the proof that the scenarios and the fixture contract agree with the
// reference implementation. Serial scenarios run one at a time first; the
// others then run in parallel.
func TestOfficialServerPassesEveryScenario(t *testing.T) {
	fx := nodetest.StartFixture(t)
	t.Logf("fixture at %s", fx.URL)

	names := strings.Fields(nodetest.Run(t, nodetest.ScenarioScript, "--list"))
	list := nodetest.Scenarios(t)
	var listed []string
	for _, sc := range list {
		listed = append(listed, sc.Name)
		if sc.Summary == "" {
			t.Errorf("scenario %s has no summary", sc.Name)
		}
	}
	if !slices.Equal(names, listed) {
		t.Fatalf("--list gives %q, --list-json gives %q", names, listed)
	}

	for _, sc := range list {
		t.Run(sc.Name, func(t *testing.T) {
			if !sc.Serial {
				t.Parallel()
			}
			ctrl := func(command string) error {
				switch command {
				case "restart":
					fx.Restart(t)
					return nil
				}
				return fmt.Errorf("unknown CTRL command %q", command)
			}
			nodetest.RunScenario(t, fx.URL, sc.Name, ctrl)
		})
	}
}

// TestProc checks the process plumbing with an inline script: stdout lines,
// stdin, exit codes, stderr capture.
func TestProc(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	p := nodetest.Start(t, "-e", `
		console.log("hello");
		console.error("to stderr");
		process.stdout.write("READY 1\npartial");
		process.stdin.setEncoding("utf8");
		let buf = "";
		process.stdin.on("data", (d) => {
			buf += d;
			if (buf.endsWith("\n")) {
				console.log("\nGOT " + buf.trim());
				process.exit(3);
			}
		});
	`)
	line, err := p.NextLine(ctx)
	if err != nil || line != "hello" {
		t.Fatalf("NextLine = %q, %v; want hello", line, err)
	}
	if line, err = p.WaitLine(ctx, "READY "); err != nil || line != "READY 1" {
		t.Fatalf("WaitLine(READY) = %q, %v", line, err)
	}
	if err := p.Write("ping ✓"); err != nil {
		t.Fatal(err)
	}
	if line, err = p.WaitLine(ctx, "GOT "); err != nil || line != "GOT ping ✓" {
		t.Fatalf("WaitLine(GOT) = %q, %v", line, err)
	}
	if code := p.Wait(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if _, err := p.WaitLine(ctx, "NEVER"); err == nil || !strings.Contains(err.Error(), "exited with 3") {
		t.Errorf("WaitLine after exit: %v", err)
	}
	if got := p.Stderr(); got != "to stderr\n" {
		t.Errorf("Stderr = %q", got)
	}
	if got := p.Stdout(); !strings.Contains(got, "partial\n") {
		t.Errorf("Stdout = %q, want the partial line flushed", got)
	}

	// A process that never ends is killed with its group.
	hang := nodetest.Start(t, "-e", `setInterval(() => {}, 1000); console.log("UP")`)
	if _, err := hang.WaitLine(ctx, "UP"); err != nil {
		t.Fatal(err)
	}
	if code := hang.Kill(); code != -1 {
		t.Errorf("killed process exit code %d, want -1", code)
	}

	// Stop sends SIGTERM first.
	term := nodetest.Start(t, "-e", `
		process.on("SIGTERM", () => { console.log("TERM"); process.exit(0); });
		setInterval(() => {}, 1000);
		console.log("UP");
	`)
	if _, err := term.WaitLine(ctx, "UP"); err != nil {
		t.Fatal(err)
	}
	if code := term.Stop(); code != 0 {
		t.Errorf("Stop exit code %d, want 0", code)
	}
	if !strings.Contains(term.Stdout(), "TERM\n") {
		t.Errorf("Stop did not deliver SIGTERM: %q", term.Stdout())
	}
}

// TestRun checks Run and that Setup leaves a fresh install stamp.
func TestRun(t *testing.T) {
	dir := nodetest.Setup(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io", "package.json")); err != nil {
		t.Fatalf("socket.io not installed: %v", err)
	}
	out := nodetest.Run(t, "-e", `
		const v = (p) => JSON.parse(require("fs").readFileSync(p + "/package.json")).version;
		console.log(v("node_modules/socket.io"), v("node_modules/socket.io-client"));
	`)
	if got := strings.TrimSpace(out); got != "4.8.4 4.8.4" {
		t.Errorf("installed versions %q, want the pinned 4.8.4 4.8.4", got)
	}
}
