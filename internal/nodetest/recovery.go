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

// Scripts of the connection state recovery tests, in interop/node.
const (
	// RecoveryServerScript is the official server with recovery on.
	RecoveryServerScript = "recovery-server.mjs"
	// RecoveryClientScript checks recovery with the official client.
	RecoveryClientScript = "recovery-client.mjs"
)

// RecoveryClientTimeout bounds one RunRecoveryClient.
const RecoveryClientTimeout = 2 * time.Minute

// Departures records the sockets a server has let go of (disconnected, its
// session kept when recoverable), so that a test can answer the `CTRL gone
// <id>` of recovery-client.mjs only once the server is done with it.
//
// The zero value is ready to use; methods may be called from any goroutine.
type Departures struct {
	mu      sync.Mutex
	gone    map[string]bool
	changed chan struct{} // closed and replaced on every Mark
}

// Mark records that socket id is gone.
func (d *Departures) Mark(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gone == nil {
		d.gone = make(map[string]bool)
	}
	d.gone[id] = true
	if d.changed != nil {
		close(d.changed)
		d.changed = nil
	}
}

// Wait returns once socket id is gone, or ctx's error. A socket that comes
// back and goes again counts anew: Wait forgets the mark it returns on.
func (d *Departures) Wait(ctx context.Context, id string) error {
	for {
		d.mu.Lock()
		if d.gone[id] {
			delete(d.gone, id)
			d.mu.Unlock()
			return nil
		}
		if d.changed == nil {
			d.changed = make(chan struct{})
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("nodetest: socket %s still connected: %w", id, ctx.Err())
		}
	}
}

// RecoveryServer is a running recovery-server.mjs.
type RecoveryServer struct {
	// URL is "http://127.0.0.1:<port>".
	URL string
	// Gone records the sockets it has let go of.
	Gone *Departures
}

// StartRecoveryServer starts recovery-server.mjs, the official server with
// connection state recovery for clients gone less than d, and waits until
// it listens. It lives until t ends.
func StartRecoveryServer(t testing.TB, d time.Duration) *RecoveryServer {
	t.Helper()
	p := Start(t, RecoveryServerScript, "--port", "0", "--recovery", strconv.FormatInt(d.Milliseconds(), 10))
	ctx, cancel := context.WithTimeout(t.Context(), fixtureStartTimeout)
	defer cancel()
	line, err := p.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("%v\n%s", err, p.Report())
	}
	s := &RecoveryServer{URL: "http://127.0.0.1:" + strings.TrimPrefix(line, "LISTENING "), Gone: &Departures{}}
	go func() { // the only reader of p's lines from now on; ends with p
		for {
			line, err := p.NextLine(t.Context())
			if err != nil {
				return
			}
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "GONE" {
				s.Gone.Mark(f[2])
			}
		}
	}()
	return s
}

// RunRecoveryClient runs recovery-client.mjs with args (--case, --nsp,
// --transport, --recovery-ms) against the server at url, answering its
// `CTRL gone <id>` once gone says so, and fails t unless it prints `PASS`
// and exits 0 within RecoveryClientTimeout. It must be called from the
// goroutine running t.
func RunRecoveryClient(t testing.TB, url string, gone *Departures, args ...string) {
	t.Helper()
	var c string
	for i, a := range args {
		if a == "--case" && i+1 < len(args) {
			c = args[i+1]
		}
	}
	p := Start(t, RecoveryClientScript, append([]string{"--url", url}, args...)...)
	ctx, cancel := context.WithTimeout(t.Context(), RecoveryClientTimeout)
	defer cancel()
	drive(t, p, fmt.Sprintf("%s %v", RecoveryClientScript, args), RecoveryClientTimeout, "PASS "+c, func(command string) error {
		id, ok := strings.CutPrefix(command, "gone ")
		if !ok {
			return fmt.Errorf("unknown command")
		}
		return gone.Wait(ctx, id)
	})
}
