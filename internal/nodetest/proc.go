package nodetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RunTimeout bounds one Run call.
const RunTimeout = 2 * time.Minute

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 5 * time.Second

var (
	startedMu sync.Mutex
	started   []int // pids (= process group ids) of every Proc, for the leak check in tests
)

// Proc is a node process started by Start. Its stdout is split into lines
// that NextLine and WaitLine hand out in order; its stderr is kept and logged
// when the test fails. The process, with its whole process group, is killed
// when the test that started it ends.
//
// All methods may be called from any goroutine. NextLine and WaitLine share
// one read position, so only one goroutine should read lines.
type Proc struct {
	name   string // "node <script> <args>", for messages
	pid    int
	cancel context.CancelFunc
	stdin  io.WriteCloser

	mu      sync.Mutex
	lines   []string      // every complete stdout line so far
	partial []byte        // stdout after the last newline
	next    int           // index in lines of the next line NextLine returns
	eof     bool          // stdout is closed and partial has been flushed
	changed chan struct{} // closed (and replaced) whenever lines or eof change
	stderr  bytes.Buffer
	quiet   bool // the output was already reported; do not log it again

	done     chan struct{} // closed when the process has exited and its output is read
	exitCode int           // valid after done; -1 when killed by a signal
	waitErr  error         // valid after done
}

// Start starts `node <script> <args...>` in interop/node (Setup runs first)
// and returns at once. The process gets its own process group; when the test
// ends (t.Context is cancelled, before cleanups run) the whole group gets
// SIGKILL, and a cleanup waits for the exit. If the test failed, the
// process's stdout and stderr are written to the test log.
//
// Start must be called from the goroutine running the test.
func Start(t testing.TB, script string, args ...string) *Proc {
	t.Helper()
	p, err := startProc(t, requireEnv(t), script, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startProc starts the process and ties its lifetime to owner, without
// calling owner's Fatal, so that it can be used on behalf of a parent test.
func startProc(owner testing.TB, e *env, script string, args ...string) (*Proc, error) {
	ctx, cancel := context.WithCancel(owner.Context())
	cmd := exec.CommandContext(ctx, e.node, append([]string{script}, args...)...)
	cmd.Dir = e.nodeDir
	setProcAttrs(cmd)
	p := &Proc{
		name:    strings.Join(append([]string{"node", script}, args...), " "),
		cancel:  cancel,
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	cmd.Stdout = (*stdoutWriter)(p)
	cmd.Stderr = (*stderrWriter)(p)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("nodetest: %s: %w", p.name, err)
	}
	p.stdin = stdin
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("nodetest: start %s: %w", p.name, err)
	}
	p.pid = cmd.Process.Pid
	startedMu.Lock()
	started = append(started, p.pid)
	startedMu.Unlock()
	go p.wait(cmd)
	owner.Cleanup(func() {
		p.cancel()
		<-p.done
		if owner.Failed() {
			p.mu.Lock()
			quiet := p.quiet
			p.mu.Unlock()
			if !quiet {
				owner.Logf("%s (pid %d) exited with %d\n%s", p.name, p.pid, p.exitCode, p.Report())
			}
		}
	})
	return p, nil
}

// wait reaps the process, then marks stdout as finished.
func (p *Proc) wait(cmd *exec.Cmd) {
	err := cmd.Wait()
	p.mu.Lock()
	p.waitErr = err
	p.exitCode = cmd.ProcessState.ExitCode()
	if len(p.partial) > 0 {
		p.lines = append(p.lines, string(p.partial))
		p.partial = nil
	}
	p.eof = true
	p.notifyLocked()
	p.mu.Unlock()
	close(p.done)
}

func (p *Proc) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

type stdoutWriter Proc

func (w *stdoutWriter) Write(b []byte) (int, error) {
	p := (*Proc)(w)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	added := false
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		p.lines = append(p.lines, strings.TrimSuffix(string(p.partial[:i]), "\r"))
		p.partial = p.partial[i+1:]
		added = true
	}
	if added {
		p.notifyLocked()
	}
	return len(b), nil
}

type stderrWriter Proc

func (w *stderrWriter) Write(b []byte) (int, error) {
	p := (*Proc)(w)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

// Pid returns the process id, which is also its process group id.
func (p *Proc) Pid() int { return p.pid }

// NextLine returns the next stdout line not yet returned by NextLine or
// skipped by WaitLine, without its newline. It waits for one until ctx is
// done. Once the process has exited and every line was returned, it returns
// io.EOF.
func (p *Proc) NextLine(ctx context.Context) (string, error) {
	for {
		p.mu.Lock()
		if p.next < len(p.lines) {
			line := p.lines[p.next]
			p.next++
			p.mu.Unlock()
			return line, nil
		}
		if p.eof {
			p.mu.Unlock()
			return "", io.EOF
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return "", fmt.Errorf("nodetest: %s: waiting for a stdout line: %w", p.name, ctx.Err())
		}
	}
}

// WaitLine reads stdout lines (as NextLine does) until one starts with
// prefix, and returns that line. It fails when ctx is done or when the
// process exits first; the error then says how it exited.
func (p *Proc) WaitLine(ctx context.Context, prefix string) (string, error) {
	for {
		line, err := p.NextLine(ctx)
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("nodetest: %s exited with %d before printing a line starting with %q",
				p.name, p.ExitCode(), prefix)
		}
		if err != nil {
			return "", fmt.Errorf("%w (no line starting with %q)", err, prefix)
		}
		if strings.HasPrefix(line, prefix) {
			return line, nil
		}
	}
}

// Write writes line and a newline to the process's stdin.
func (p *Proc) Write(line string) error {
	_, err := io.WriteString(p.stdin, line+"\n")
	if err != nil {
		return fmt.Errorf("nodetest: write to %s: %w", p.name, err)
	}
	return nil
}

// CloseStdin closes the process's stdin.
func (p *Proc) CloseStdin() error { return p.stdin.Close() }

// Done is closed once the process has exited and its output has been read.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Wait waits for the process to exit and returns its exit code, -1 when it
// was killed by a signal.
func (p *Proc) Wait() int {
	<-p.done
	return p.exitCode
}

// ExitCode returns the exit code if the process has exited (-1 when killed by
// a signal), or -1 while it is running.
func (p *Proc) ExitCode() int {
	select {
	case <-p.done:
		return p.exitCode
	default:
		return -1
	}
}

// Stop sends SIGTERM to the process group, waits up to 5 s for the process
// to exit, then kills the group, and returns the exit code as Wait does.
func (p *Proc) Stop() int {
	select {
	case <-p.done:
		return p.exitCode
	default:
	}
	_ = syscall.Kill(-p.pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		p.cancel()
		<-p.done
	}
	return p.exitCode
}

// Kill kills the process group at once and waits for the exit.
func (p *Proc) Kill() int {
	p.cancel()
	<-p.done
	return p.exitCode
}

// Stdout returns everything the process printed on stdout so far.
func (p *Proc) Stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, l := range p.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.Write(p.partial)
	return b.String()
}

// Stderr returns everything the process printed on stderr so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Report returns the process's stdout and stderr so far, labelled, for
// failure messages.
func (p *Proc) Report() string {
	return fmt.Sprintf("--- stdout of %s\n%s--- stderr\n%s--- end", p.name, ensureNL(p.Stdout()), ensureNL(p.Stderr()))
}

// markReported stops the cleanup from logging the output again.
func (p *Proc) markReported() {
	p.mu.Lock()
	p.quiet = true
	p.mu.Unlock()
}

func ensureNL(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

// Run runs `node <script> <args...>` in interop/node (Setup runs first) to
// completion, within RunTimeout, and returns its stdout and stderr combined.
// A non-zero exit fails the test with that output.
//
// Run must be called from the goroutine running the test.
func Run(t testing.TB, script string, args ...string) string {
	t.Helper()
	e := requireEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.node, append([]string{script}, args...)...)
	cmd.Dir = e.nodeDir
	setProcAttrs(cmd)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s %s (in %s) failed after %v: %v\n%s", script, strings.Join(args, " "), e.nodeDir,
			time.Since(start).Round(time.Millisecond), err, out)
	}
	return string(out)
}
