package nodetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FixtureScript is the official reference server, in interop/node. Its
// contract is documented at the top of the file.
const FixtureScript = "fixture-server.mjs"

// fixtureStartTimeout bounds the wait for `LISTENING <port>`.
const fixtureStartTimeout = 20 * time.Second

// Fixture is a running fixture-server.mjs: the official socket.io server
// implementing the fixture contract, listening on 127.0.0.1.
//
// Its methods may be called from any goroutine.
type Fixture struct {
	// URL is "http://127.0.0.1:<Port>", what the scenarios take as --url.
	URL string
	// Port is the TCP port; it stays the same across Restart.
	Port int

	owner testing.TB
	env   *env

	mu   sync.Mutex
	proc *Proc
}

// StartFixture starts fixture-server.mjs on a free port and waits until it
// listens. The server lives until t ends. It must be called from the
// goroutine running t.
func StartFixture(t testing.TB) *Fixture {
	t.Helper()
	f := &Fixture{owner: t, env: requireEnv(t)}
	p, port, err := f.start(0)
	if err != nil {
		t.Fatal(err)
	}
	f.proc, f.Port = p, port
	f.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	return f
}

// start runs the fixture on port (0: any) and returns it with its port.
func (f *Fixture) start(port int) (*Proc, int, error) {
	p, err := startProc(f.owner, f.env, FixtureScript, "--port", strconv.Itoa(port))
	if err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(f.owner.Context(), fixtureStartTimeout)
	defer cancel()
	line, err := p.WaitLine(ctx, "LISTENING ")
	if err != nil {
		p.Kill()
		p.markReported()
		return nil, 0, fmt.Errorf("%w\n%s", err, p.Report())
	}
	got, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "LISTENING ")))
	if err != nil || got <= 0 || (port != 0 && got != port) {
		p.Kill()
		return nil, 0, fmt.Errorf("nodetest: fixture printed %q, want LISTENING <port> (port %d)", line, port)
	}
	return p, got, nil
}

// Proc returns the fixture process currently running.
func (f *Fixture) Proc() *Proc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.proc
}

// Restart stops the fixture with SIGTERM (it closes every connection without
// sending Socket.IO DISCONNECT packets) and starts a new one on the same port,
// returning once it listens. Failures are reported on t, which may be a
// subtest of the test that started the fixture; the new process still lives
// until that test ends. It must be called from the goroutine running t.
func (f *Fixture) Restart(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if code := f.proc.Stop(); code != 0 {
		t.Errorf("fixture exited with %d on SIGTERM, want 0\n%s", code, f.proc.Report())
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		p, _, err := f.start(f.Port)
		if err == nil {
			f.proc = p
			return
		}
		lastErr = err // most likely the port is not free yet
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("restarting the fixture on port %d: %v", f.Port, lastErr)
}
