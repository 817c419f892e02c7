// Package leaktest waits, in tests, for goroutines to end: for the count of
// the whole process to come back to a baseline taken before the work
// started, or for the goroutines running some packages' code to end. Each
// wait polls until a deadline and fails with the stacks it blames.
package leaktest

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Deadline is how long a wait polls before it fails. It is generous: the
// machines that run the tests are often busy.
const Deadline = 10 * time.Second

// Wait waits until the process runs at most base goroutines, base being
// runtime.NumGoroutine() taken before the test started anything. It fails
// t with every goroutine's stack if the count is still higher at the
// deadline.
func Wait(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(Deadline)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d (the count before the test):\n%s", n, base, stacks())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitMatching waits until at most max goroutines have a stack that
// contains one of substrings (a package path with its trailing dot, such as
// "workbook/sio/engine.", names the goroutines running that package's
// code). It fails t with those goroutines' stacks at the deadline.
func WaitMatching(t testing.TB, max int, substrings ...string) {
	t.Helper()
	deadline := time.Now().Add(Deadline)
	for {
		found := Matching(substrings...)
		if len(found) <= max {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines run %q, want at most %d:\n%s", len(found), substrings, max, strings.Join(found, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Matching returns the stacks of the goroutines, other than the caller's,
// that contain one of substrings.
func Matching(substrings ...string) []string {
	var out []string
	for i, g := range bytes.Split(stacks(), []byte("\n\n")) {
		if i == 0 {
			continue // the caller's own goroutine comes first
		}
		for _, s := range substrings {
			if bytes.Contains(g, []byte(s)) {
				out = append(out, string(g))
				break
			}
		}
	}
	return out
}

func stacks() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
