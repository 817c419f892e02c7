package client_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sioworkbook/workbook/sio/client"
)

// tb is what the scenarios and their helpers need of a test: *testing.T,
// or an attempt of runScenario.
type tb interface {
	Helper()
	Logf(format string, args ...any)
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(f func())
	Failed() bool
}

// runScenarioTries bounds the attempts of one scenario.
const runScenarioTries = 3

// runScenario runs sc against srv. The fixtures' heartbeat is fast (a ping
// every 300 ms, 200 ms to answer), so on a starved CPU (go test ./... runs
// many Node.js processes at once) a connection may drop that nobody meant to
// drop, and the official client's scenarios suffer the same. A failed
// attempt is therefore retried, up to runScenarioTries times, but only when
// its sockets reported more drops (disconnects for a reason the client
// reconnects after) than the scenario provokes itself (scenario.drops); the
// failures of a retried attempt are logged. Any other failure is final.
func runScenario(t *testing.T, sc scenario, srv *target) {
	t.Helper()
	for i := 1; ; i++ {
		a := &attempt{t: t}
		a.run(func() { sc.run(a, srv) })
		if len(a.failures) == 0 {
			return
		}
		drops := a.drops()
		if drops <= sc.drops || i == runScenarioTries {
			for _, f := range a.failures {
				t.Error(f)
			}
			return
		}
		t.Logf("attempt %d failed after %d unprovoked connection drops; retrying. It said:\n%s",
			i, drops-sc.drops, strings.Join(a.failures, "\n"))
	}
}

// attempt runs one try of a scenario: a tb whose failures are kept rather
// than reported, and whose Fatal ends the attempt's goroutine.
type attempt struct {
	t *testing.T

	mu       sync.Mutex
	failures []string
	cleanups []func()
	recs     []*rec
}

// realT returns the *testing.T behind t.
func realT(t tb) testing.TB {
	if a, ok := t.(*attempt); ok {
		return a.t
	}
	return t.(testing.TB)
}

func (a *attempt) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	a.mu.Lock()
	cleanups := a.cleanups
	a.cleanups = nil
	a.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
}

func (a *attempt) addRec(r *rec) {
	a.mu.Lock()
	a.recs = append(a.recs, r)
	a.mu.Unlock()
}

// drops counts the disconnects, of every socket recorded, for a reason the
// client reconnects after.
func (a *attempt) drops() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, r := range a.recs {
		for _, args := range r.seenArgs("disconnect") {
			if client.Reason(args[0].(string)).Reconnects() {
				n++
			}
		}
	}
	return n
}

// fail records a failure with the place in the scenario it comes from.
func (a *attempt) fail(msg string) {
	where := ""
	for skip := 2; ; skip++ {
		_, file, line, ok := runtime.Caller(skip)
		if !ok {
			break
		}
		if strings.HasSuffix(file, "_test.go") && !strings.HasSuffix(file, "helpers_test.go") && !strings.HasSuffix(file, "attempt_test.go") {
			where = fmt.Sprintf("%s:%d: ", file[strings.LastIndexByte(file, '/')+1:], line)
			break
		}
	}
	a.mu.Lock()
	a.failures = append(a.failures, where+msg)
	a.mu.Unlock()
}

func (a *attempt) Helper()                         {}
func (a *attempt) Logf(format string, args ...any) { a.t.Logf(format, args...) }
func (a *attempt) Error(args ...any)               { a.fail(fmt.Sprint(args...)) }
func (a *attempt) Errorf(format string, args ...any) {
	a.fail(fmt.Sprintf(format, args...))
}

func (a *attempt) Fatal(args ...any) {
	a.fail(fmt.Sprint(args...))
	runtime.Goexit()
}

func (a *attempt) Fatalf(format string, args ...any) {
	a.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (a *attempt) Cleanup(f func()) {
	a.mu.Lock()
	a.cleanups = append(a.cleanups, f)
	a.mu.Unlock()
}

func (a *attempt) Failed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.failures) > 0
}
