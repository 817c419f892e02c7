package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
)

// restarts is how many times TestOfficialClientSurvivesRestarts kills the
// server under the client.
const restarts = 50

// TestOfficialClientSurvivesRestarts: the official client (reconnectionDelay
// 100, reconnectionDelayMax 300) stays connected to `workbook testserver`
// while the process is killed with SIGKILL and started again on the same
// port, 50 times: after each restart it reconnects, and an echo with an ack
// comes back from the new server.
//
// It runs the real binary, not Run in this process, so that a kill is a
// kill: the listener and every connection vanish at once, as in production.
func TestOfficialClientSurvivesRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and restarts it 50 times")
	}
	nodetest.Setup(t)
	bin := buildWorkbook(t)
	addr := freeAddr(t)

	db := filepath.Join(t.TempDir(), "restart.db")
	srv := startBinary(t, bin, "testserver", "--addr", addr, "--db", db)
	client := nodetest.Start(t, "restart-client.mjs", "--url", "http://"+addr)
	t.Cleanup(func() { _ = client.CloseStdin() })

	// A reconnect takes a few hundred milliseconds; the deadline only bounds
	// a hang, so it is generous for a busy machine.
	const deadline = 20 * time.Second
	// works asks the client for an echo once srv runs: the ack can only come
	// from srv (every server before it is dead), on a connection the client
	// made to it, so it proves the reconnect end to end.
	works := func(n int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		token := fmt.Sprint(n)
		if err := client.Write("echo " + token); err != nil {
			t.Fatal(err)
		}
		if _, err := client.WaitLine(ctx, "ECHO "+token); err != nil {
			t.Fatalf("restart %d: no echo from the restarted server: %v\n%s\n--- the server since it started (DEBUG=*)\n%s",
				n, err, client.Report(), srv.output())
		}
	}
	works(0)
	took := make([]time.Duration, 0, restarts)
	for i := 1; i <= restarts; i++ {
		// Kill at a different point of the new connection's life each
		// time (the upgrade, the WebSocket, between heartbeats), and vary
		// what comes after: a restart at once, a server down for a while
		// (the client's attempts are refused), or a second kill right
		// after the restart (during the client's handshake).
		time.Sleep(time.Duration(i*53%700) * time.Millisecond)
		srv.kill(t)
		killed := time.Now()
		switch i % 3 {
		case 1:
			time.Sleep(time.Duration(i*97%1000) * time.Millisecond)
		case 2:
			srv = startBinary(t, bin, "testserver", "--addr", addr, "--db", db)
			time.Sleep(time.Duration(i*31%200) * time.Millisecond)
			srv.kill(t)
		}
		srv = startBinary(t, bin, "testserver", "--addr", addr, "--db", db)
		works(i)
		took = append(took, time.Since(killed))
	}
	slices.Sort(took)
	t.Logf("%d restarts: reconnected and echoed after a median %v, at most %v",
		restarts, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
}

// buildWorkbook builds this command into a temporary directory and returns
// the binary's path.
func buildWorkbook(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "workbook")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// binaryProc is a workbook process started by startBinary.
type binaryProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer // stdout and stderr
	done chan struct{}
}

// startBinary starts bin with args and waits until it prints that it
// listens. The process is killed when the test ends.
func startBinary(t *testing.T, bin string, args ...string) *binaryProc {
	t.Helper()
	p := &binaryProc{cmd: exec.Command(bin, args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "DEBUG=*") // its trace, for the failure message
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	go func() { _ = p.cmd.Wait(); once.Do(func() { close(p.done) }) }()
	t.Cleanup(func() { p.kill(t) })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.out.String(), "listening on") {
		select {
		case <-p.done:
			t.Fatalf("workbook %s exited before listening:\n%s", strings.Join(args, " "), p.out)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("workbook %s did not listen:\n%s", strings.Join(args, " "), p.out)
		}
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *binaryProc) kill(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("kill: %v", err)
	}
	<-p.done
}

// output returns what the process printed.
func (p *binaryProc) output() string { return p.out.String() }
