package mailbox_test

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sioworkbook/workbook/sio/internal/leaktest"
	"github.com/sioworkbook/workbook/sio/internal/mailbox"
)

func TestOrderAndPanic(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	m := &mailbox.Mailbox{Log: slog.New(slog.NewTextHandler(&logs, nil)), Name: "test"}
	var got []int
	var wg sync.WaitGroup
	wg.Add(100)
	for i := 0; i < 100; i++ {
		m.Post(func() {
			defer wg.Done()
			if i == 50 {
				panic("boom")
			}
			got = append(got, i) // one at a time: no lock needed
		})
	}
	wg.Wait()
	if len(got) != 99 || got[0] != 0 || got[98] != 99 {
		t.Fatalf("ran %d functions, first %d, last %d", len(got), got[0], got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("out of order at %d: %v", i, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "test: panic in handler") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
}

// TestLingerEnds checks that the goroutine ends once the box stays empty,
// and that functions posted around the end of its wait all run, in order.
func TestLingerEnds(t *testing.T) {
	base := runtime.NumGoroutine()
	m := &mailbox.Mailbox{}
	var mu sync.Mutex
	var got []int
	n := 0
	for round := range 40 {
		// Posts spread around the linger: some find the goroutine
		// waiting, some find it gone, some come as it leaves.
		time.Sleep(time.Duration(round%8) * time.Millisecond)
		for range 3 {
			i := n
			n++
			m.Post(func() {
				mu.Lock()
				got = append(got, i)
				mu.Unlock()
			})
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		done := len(got) == n
		mu.Unlock()
		if done && runtime.NumGoroutine() <= base {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ran %d of %d; %d goroutines, %d at start", len(got), n, runtime.NumGoroutine(), base)
		}
		time.Sleep(time.Millisecond)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("out of order at %d: %v", i, got)
		}
	}
}

// TryPost counts what waits to start against MaxTasks and MaxBytes; Post
// does not count, and a function leaves the count when it starts.
func TestTryPostBounds(t *testing.T) {
	m := &mailbox.Mailbox{MaxTasks: 3, MaxBytes: 100}
	started, release := make(chan struct{}), make(chan struct{})
	m.Post(func() { close(started); <-release }) // holds the goroutine
	<-started
	ran := make(chan int, 8)
	post := func(i int, size int64) bool { return m.TryPost(func() { ran <- i }, size) }

	if !post(1, 500) {
		t.Fatal("a function that finds nothing waiting is refused for its size")
	}
	if post(2, 1) {
		t.Fatal("taken past MaxBytes")
	}
	m.Post(func() { ran <- 0 }) // not counted
	close(release)
	for _, want := range []int{1, 0} {
		if got := <-ran; got != want {
			t.Fatalf("ran %d, want %d", got, want)
		}
	}

	m2 := &mailbox.Mailbox{MaxTasks: 2}
	started, release = make(chan struct{}), make(chan struct{})
	m2.Post(func() { close(started); <-release })
	<-started
	for i := range 2 {
		if !m2.TryPost(func() { ran <- i }, 0) {
			t.Fatalf("function %d refused within MaxTasks", i)
		}
	}
	if m2.TryPost(func() {}, 0) {
		t.Fatal("taken past MaxTasks")
	}
	close(release)
	<-ran
	<-ran
	if !m2.TryPost(func() { ran <- 9 }, 0) {
		t.Fatal("refused once the queue had drained")
	}
	<-ran
}

// The goroutine of a drained box waits linger for more work, then ends: on
// a synctest bubble's clock, it is there a moment before linger has passed
// and gone at linger.
func TestLingerTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The goroutines of this bubble's mailbox; other tests' may still
		// be lingering on the real clock.
		running := func() int {
			n := 0
			for _, g := range leaktest.Matching("mailbox.(*Mailbox).run") {
				if strings.Contains(g, "synctest bubble") {
					n++
				}
			}
			return n
		}
		defer time.Sleep(time.Second) // a failing test lets the goroutine end too
		m := &mailbox.Mailbox{}
		ran := make(chan struct{})
		m.Post(func() { close(ran) })
		<-ran
		time.Sleep(mailbox.Linger - time.Nanosecond)
		synctest.Wait()
		if n := running(); n != 1 {
			t.Fatalf("%d goroutines a moment before the linger ends, want 1", n)
		}
		// Work that comes now is taken by the same goroutine, which then
		// lingers again from there.
		m.Post(func() {})
		time.Sleep(mailbox.Linger - time.Nanosecond)
		synctest.Wait()
		if n := running(); n != 1 {
			t.Fatalf("%d goroutines a moment before the second linger ends, want 1", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := running(); n != 0 {
			t.Fatalf("%d goroutines once the linger has passed, want 0", n)
		}
	})
}

// TestPostAllocs: a box that is handed one task at a time, each run before
// the next comes (a socket's events in a closed loop), allocates nothing
// per task once its goroutine runs: the emptied queue is reused.
func TestPostAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	m := &mailbox.Mailbox{}
	done := make(chan struct{})
	f := func() { done <- struct{}{} }
	m.Post(f)
	<-done
	// A busy machine may let the goroutine's linger end between two
	// tasks, and a new goroutine may allocate: well under one per task.
	if n := testing.AllocsPerRun(1000, func() {
		m.Post(f)
		<-done
	}); n > 0.1 {
		t.Errorf("%.2f allocations per task, want 0", n)
	}
}

// An idle box is claimed: the claimed function, and what is posted while
// it runs, run on the claimer's goroutine, in order, and the box is idle
// again afterwards. A busy box is not claimed, and a function posted while
// the claimer has not yet run is taken in turn.
func TestClaim(t *testing.T) {
	m := &mailbox.Mailbox{MaxTasks: 1}
	var got []string
	self := goroutineID()
	var others []uint64
	if !m.Claim(func() {
		got = append(got, "claimed")
		m.Post(func() { got = append(got, "posted"); others = append(others, goroutineID()) })
		if !m.TryPost(func() { got = append(got, "offered"); others = append(others, goroutineID()) }, 1) {
			t.Error("TryPost refused while the box runs its claimed function")
		}
	}) {
		t.Fatal("an idle box was not claimed")
	}
	if m.Claim(func() {}) {
		t.Fatal("a claimed box was claimed again")
	}
	m.RunClaimed()
	if strings.Join(got, ",") != "claimed,posted,offered" {
		t.Fatalf("ran %v", got)
	}
	for _, id := range others {
		if id != self {
			t.Errorf("a function posted meanwhile ran on goroutine %d, not the claimer's %d", id, self)
		}
	}

	// idle again: a Post starts a goroutine of its own
	done := make(chan uint64)
	m.Post(func() { done <- goroutineID() })
	if id := <-done; id == self {
		t.Error("a Post after RunClaimed ran on the claimer's goroutine")
	}
}

// goroutineID is the caller's goroutine number, from its stack's header.
func goroutineID() uint64 {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	var id uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
