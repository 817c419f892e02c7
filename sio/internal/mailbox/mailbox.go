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
)

// Mailbox runs posted functions one at a time, in order. It holds no
// goroutine while idle: Post starts one when the box goes from empty to
// busy, and it returns once the box is drained. The zero value is ready to
// use; it logs to slog.Default.
type Mailbox struct {
	// Log receives the panics of posted functions. If nil, slog.Default().
	Log *slog.Logger
	// Name prefixes the panic's log message ("sio", "client").
	Name string

	mu      sync.Mutex
	tasks   []func()
	running bool
}

// Post queues f. It never blocks and may be called from any goroutine,
// including from a function running on the mailbox.
func (m *Mailbox) Post(f func()) {
	m.mu.Lock()
	m.tasks = append(m.tasks, f)
	if m.running {
		m.mu.Unlock()
		return
	}
	m.running = true
	m.mu.Unlock()
	go m.run()
}

func (m *Mailbox) run() {
	for {
		m.mu.Lock()
		if len(m.tasks) == 0 {
			m.running = false
			m.tasks = nil
			m.mu.Unlock()
			return
		}
		f := m.tasks[0]
		m.tasks[0] = nil
		m.tasks = m.tasks[1:]
		m.mu.Unlock()
		m.safely(f)
	}
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
