package nodetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MinNodeMajor is the oldest Node.js major version the interop scripts run on.
const MinNodeMajor = 20

const (
	// stampName is the file inside node_modules that holds the sha256 of the
	// package-lock.json that node_modules was installed from.
	stampName = ".nodetest-lock.sha256"
	// lockName is the flock file, next to package.json, that serialises
	// installs across test binaries.
	lockName = ".install.lock"
	// installTimeout bounds one `npm ci`.
	installTimeout = 5 * time.Minute
)

// env is what Setup found; it is computed once per test binary.
type env struct {
	node, npm string // absolute paths
	nodeDir   string // absolute path of interop/node
}

var (
	setupMu  sync.Mutex
	setupEnv *env // non-nil once node_modules is known to be fresh
)

// Setup makes sure the Node.js side of the interop tests can run and returns
// the absolute path of the interop/node directory.
//
// When node or npm is not on PATH, or node is older than MinNodeMajor, Setup
// skips the test, unless the environment variable CI is non-empty: then it
// fails it, so that a CI machine without Node.js cannot pass silently.
//
// It installs interop/node/node_modules with `npm ci --no-audit --no-fund`
// when it is missing or was installed from another package-lock.json (a stamp
// file inside node_modules keeps the lock's sha256). The install holds an
// exclusive flock on interop/node/.install.lock, so test binaries running in
// parallel under `go test ./...` install once and wait for each other.
// Install errors fail the test.
//
// Setup is cheap after its first success in a test binary. Like t.Fatal, it
// must be called from the goroutine running the test.
func Setup(t testing.TB) string {
	t.Helper()
	return requireEnv(t).nodeDir
}

// requireEnv is Setup returning everything it found.
func requireEnv(t testing.TB) *env {
	t.Helper()
	e, err := setup()
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			if os.Getenv("CI") == "" {
				t.Skip(err.Error())
			}
			t.Fatal(err.Error() + " (CI is set, so this fails instead)")
		}
		t.Fatal(err.Error())
	}
	return e
}

// missingError reports that Node.js or npm is not usable on this machine.
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

func setup() (*env, error) {
	setupMu.Lock()
	defer setupMu.Unlock()
	if setupEnv != nil {
		return setupEnv, nil
	}
	const hint = "interop tests need Node.js 20+ and npm (e.g. `apt-get install nodejs npm`, or from nodejs.org); " +
		"they are skipped without them unless CI is set"
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, &missingError{"node not found on PATH: " + hint}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, &missingError{"npm not found on PATH: " + hint}
	}
	if err := checkNodeVersion(node); err != nil {
		return nil, &missingError{err.Error() + ": " + hint}
	}
	nodeDir, err := findNodeDir()
	if err != nil {
		return nil, err
	}
	if err := ensureInstalled(nodeDir, npm); err != nil {
		return nil, err
	}
	setupEnv = &env{node: node, npm: npm, nodeDir: nodeDir}
	return setupEnv, nil
}

// checkNodeVersion fails when `node --version` is older than MinNodeMajor.
func checkNodeVersion(node string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %v", node, err)
	}
	v := strings.TrimSpace(string(out)) // "v20.20.2"
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return fmt.Errorf("%s --version printed %q", node, v)
	}
	if n < MinNodeMajor {
		return fmt.Errorf("node %s at %s is too old (want %d+)", v, node, MinNodeMajor)
	}
	return nil
}

// findNodeDir locates interop/node: first from the module root above the
// working directory (go test runs in the package directory), then from this
// source file's location.
func findNodeDir() (string, error) {
	var tried []string
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; {
			if fileExists(filepath.Join(dir, "go.mod")) {
				cand := filepath.Join(dir, "interop", "node")
				if fileExists(filepath.Join(cand, "package.json")) {
					return cand, nil
				}
				tried = append(tried, cand)
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		cand := filepath.Join(filepath.Dir(file), "..", "..", "interop", "node")
		if fileExists(filepath.Join(cand, "package.json")) {
			return filepath.Clean(cand), nil
		}
		tried = append(tried, cand)
	}
	return "", fmt.Errorf("nodetest: cannot find interop/node/package.json (tried %q)", tried)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// lockHash is the hex sha256 of nodeDir/package-lock.json.
func lockHash(nodeDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(nodeDir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("nodetest: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// fresh reports whether node_modules was installed from the lock with hash want.
func fresh(nodeDir, want string) bool {
	got, err := os.ReadFile(filepath.Join(nodeDir, "node_modules", stampName))
	return err == nil && string(bytes.TrimSpace(got)) == want
}

// ensureInstalled runs `npm ci` in nodeDir unless node_modules is fresh.
func ensureInstalled(nodeDir, npm string) error {
	want, err := lockHash(nodeDir)
	if err != nil {
		return err
	}
	if fresh(nodeDir, want) {
		return nil
	}

	lf, err := os.OpenFile(filepath.Join(nodeDir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("nodetest: install lock: %w", err)
	}
	defer lf.Close() // also releases the flock
	for {
		err = syscall.Flock(int(lf.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("nodetest: flock %s: %w", lf.Name(), err)
	}
	// Another test binary may have installed while we waited for the lock.
	if fresh(nodeDir, want) {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_progress=false")
	setProcAttrs(cmd)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("nodetest: `npm ci --no-audit --no-fund` in %s failed after %v: %v\n%s",
			nodeDir, time.Since(start).Round(time.Millisecond), err, out)
	}
	stamp := filepath.Join(nodeDir, "node_modules", stampName)
	tmp := stamp + ".tmp"
	if err := os.WriteFile(tmp, []byte(want+"\n"), 0o644); err != nil {
		return fmt.Errorf("nodetest: write install stamp: %w", err)
	}
	if err := os.Rename(tmp, stamp); err != nil {
		return fmt.Errorf("nodetest: write install stamp: %w", err)
	}
	return nil
}
