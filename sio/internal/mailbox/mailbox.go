// Package mailbox runs functions one at a time, in the order they were
// posted, on a goroutine that exists only while there is work. The server
// (package sio) runs each connection's handlers on one; the client (package
// sio/client) each Manager's.
package mailbox

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Mailbox runs posted functions one at a time, in order. It holds no
// goroutine while idle: Post starts one when the box goes from empty to
// busy, and it returns once the box has stayed drained for a few
// milliseconds. The zero value is ready to
// use; it logs to slog.Default.
//
// Functions come in two kinds: those posted with Post are always taken
// (the caller bounds them: one per socket, one per pending
// acknowledgement), and those offered with TryPost count against MaxTasks
// and MaxBytes until they start, and are refused past them.
type Mailbox struct {
	// Log receives the panics of posted functions. If nil, slog.Default().
	Log *slog.Logger
	// Name prefixes the panic's log message ("sio", "client").
	Name string
	// MaxTasks bounds the functions offered with TryPost that wait to
	// start. Zero means no bound.
	MaxTasks int
	// MaxBytes bounds the sizes, as given to TryPost, of those functions;
	// one is always taken when none waits. Zero means no bound.
	MaxBytes int64

	mu        sync.Mutex
	tasks     []task
	bounded   int   // tasks offered with TryPost waiting to start
	bytes     int64 // their sizes
	running   bool
	lingering bool          // the goroutine waits for more (see linger)
	wake      chan struct{} // wakes it (buffered 1)
	timer     *time.Timer   // the goroutine's own
}

// linger is how long the goroutine waits for more work once the box is
// drained before it ends. A busy connection keeps one goroutine, whose
// stack has grown to what its handlers take, rather than starting one (and
// growing its stack again) for every event; an idle one holds none.
const linger = 5 * time.Millisecond

// task is one posted function; size is what it counts against MaxBytes
// and bounded whether it counts at all.
type task struct {
	f       func()
	size    int64
	bounded bool
}

// Post queues f. It never blocks and may be called from any goroutine,
// including from a function running on the mailbox.
func (m *Mailbox) Post(f func()) {
	m.mu.Lock()
	m.enqueueLocked(task{f: f})
}

// TryPost queues f, which holds size bytes, unless the functions offered
// with TryPost that wait to start would then exceed MaxTasks or MaxBytes;
// it reports whether f was queued. Like Post, it never blocks.
func (m *Mailbox) TryPost(f func(), size int64) bool {
	m.mu.Lock()
	if m.MaxTasks > 0 && m.bounded+1 > m.MaxTasks ||
		m.MaxBytes > 0 && m.bounded > 0 && m.bytes+size > m.MaxBytes {
		m.mu.Unlock()
		return false
	}
	m.bounded++
	m.bytes += size
	m.enqueueLocked(task{f: f, size: size, bounded: true})
	return true
}

// enqueueLocked queues t, wakes or starts the goroutine, and unlocks m.mu.
func (m *Mailbox) enqueueLocked(t task) {
	m.tasks = append(m.tasks, t)
	if m.running {
		if m.lingering {
			m.lingering = false
			m.wake <- struct{}{} // buffered, and only the goroutine receives
		}
		m.mu.Unlock()
		return
	}
	m.running = true
	m.mu.Unlock()
	go m.run()
}

// Claim is for a caller that may run f itself, on a goroutine free to
// block: when the box is idle (no goroutine runs it and nothing waits),
// it queues f, starts no goroutine, and reports true; the caller must then
// call RunClaimed. Otherwise it does nothing and reports false, and the
// caller posts f as it would have. f is never refused by the bounds: it
// is the only function queued.
func (m *Mailbox) Claim(f func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running || len(m.tasks) > 0 {
		return false
	}
	m.running = true
	m.tasks = append(m.tasks, task{f: f})
	return true
}

// RunClaimed runs, on the caller's goroutine, what Claim queued and
// whatever is posted before the box is drained, then leaves the box idle.
func (m *Mailbox) RunClaimed() {
	for {
		m.mu.Lock()
		if len(m.tasks) == 0 {
			m.running = false
			m.mu.Unlock()
			return
		}
		t := m.takeLocked()
		m.mu.Unlock()
		m.safely(t.f)
	}
}

func (m *Mailbox) run() {
	for {
		m.mu.Lock()
		if len(m.tasks) == 0 {
			m.lingering = true
			if m.wake == nil {
				m.wake = make(chan struct{}, 1)
			}
			m.mu.Unlock()
			if m.wait() {
				continue
			}
			return
		}
		t := m.takeLocked()
		m.mu.Unlock()
		m.safely(t.f)
	}
}

// takeLocked takes the first task off the queue, which is not empty.
func (m *Mailbox) takeLocked() task {
	t := m.tasks[0]
	m.tasks[0] = task{}
	if len(m.tasks) == 1 {
		// Emptied: from the start of its array again, which the next
		// Post fills without allocating (slicing on would leave it no
		// room, and a box that takes one task at a time would allocate
		// an array for each).
		m.tasks = m.tasks[:0]
	} else {
		m.tasks = m.tasks[1:]
	}
	if t.bounded {
		m.bounded--
		m.bytes -= t.size
	}
	return t
}

// wait waits up to linger for Post to hand the goroutine more work. It
// reports whether there is; if not, the box is no longer running.
func (m *Mailbox) wait() bool {
	if m.timer == nil {
		m.timer = time.NewTimer(linger)
	} else {
		m.timer.Reset(linger)
	}
	select {
	case <-m.wake:
		m.timer.Stop()
		return true
	case <-m.timer.C:
	}
	m.mu.Lock()
	if m.lingering {
		m.lingering = false
		m.running = false
		m.tasks = nil
		m.wake, m.timer = nil, nil // an idle box holds neither
		m.mu.Unlock()
		return false
	}
	m.mu.Unlock()
	<-m.wake // Post came at the last moment
	return true
}

// safely runs f; a panic is logged with its stack and the mailbox goes on,
// as net/http does for a panicking Handler.
func (m *Mailbox) safely(f func()) {
	defer func() {
		if v := recover(); v != nil {
			log := m.Log
			if log == nil {
				log = slog.Default()
			}
			log.Error(m.Name+": panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	f()
}
