package client

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// mailbox runs the handlers of one Manager one at a time, in the order they
// were posted, on a goroutine that is not the one reading the network. It
// holds no goroutine while idle: post starts one when the box goes from
// empty to busy, and it returns once the box is drained.
type mailbox struct {
	log *slog.Logger

	mu      sync.Mutex
	tasks   []func()
	running bool
}

func (m *mailbox) post(f func()) {
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

func (m *mailbox) run() {
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

// safely runs f; a panic in a handler is logged with its stack and the
// client goes on, as net/http does for a panicking Handler.
func (m *mailbox) safely(f func()) {
	defer func() {
		if v := recover(); v != nil {
			m.log.Error("client: panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	f()
}
