package jsserver

import (
	"slices"
	"sync"
)

// Key names one instance: a browser's server for a step.
type Key struct {
	Browser string // the wb_client cookie
	Step    string // "lesson/step"
}

// Manager keeps the running instances, one per (browser, step), within
// bounds: at most PerBrowser for one browser and Total in all. Starting one
// more stops the oldest idle instance first: the one with no client
// connected, least recently active, and among busy ones the least recently
// active.
//
// The zero value is ready to use. A Manager may be used from any goroutine.
type Manager struct {
	// PerBrowser is how many instances one browser may run at once. If
	// zero, 3 is used.
	PerBrowser int
	// Total is how many instances may run at once. If zero, 32 is used.
	Total int

	mu     sync.Mutex
	byKey  map[Key]*Instance
	closed bool
}

func (m *Manager) limits() (perBrowser, total int) {
	perBrowser, total = m.PerBrowser, m.Total
	if perBrowser <= 0 {
		perBrowser = 3
	}
	if total <= 0 {
		total = 32
	}
	return perBrowser, total
}

// ErrManagerClosed is returned by Manager.Start once Close was called.
var ErrManagerClosed = &Error{Message: "the workbook is shutting down"}

// Start compiles cfg.Source, stops the instance key had (if any) and starts
// the new one, stopping the oldest idle instances beyond the bounds. A
// script that does not start (a syntax error, say) returns an *Error and
// leaves key's current instance running.
func (m *Manager) Start(key Key, cfg Config) (*Instance, error) {
	if err := Validate(cfg.Source); err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrManagerClosed
	}
	old := m.byKey[key]
	delete(m.byKey, key)
	m.mu.Unlock()
	if old != nil {
		// Before the new one starts, so that its path is free of the old
		// one's clients, and its log reads in order.
		old.Close()
	}
	in, err := Start(cfg)
	if err != nil {
		return nil, err
	}
	var stop []*Instance
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		in.Close()
		return nil, ErrManagerClosed
	}
	if m.byKey == nil {
		m.byKey = map[Key]*Instance{}
	}
	if prev := m.byKey[key]; prev != nil { // a Start for the same key at the same time
		stop = append(stop, prev)
	}
	m.byKey[key] = in
	stop = append(stop, m.evictLocked(key)...)
	m.mu.Unlock()
	for _, s := range stop {
		s.Close()
	}
	go m.forget(key, in)
	return in, nil
}

// forget drops in from the manager once it stops by itself (ErrMemory).
func (m *Manager) forget(key Key, in *Instance) {
	<-in.Done()
	m.mu.Lock()
	if m.byKey[key] == in {
		delete(m.byKey, key)
	}
	m.mu.Unlock()
}

// evictLocked takes out the instances beyond the bounds, keeping keep, and
// returns them to be closed.
func (m *Manager) evictLocked(keep Key) []*Instance {
	perBrowser, total := m.limits()
	type entry struct {
		key Key
		in  *Instance
	}
	var all []entry
	for k, in := range m.byKey {
		if k != keep {
			all = append(all, entry{k, in})
		}
	}
	// Oldest idle first: no clients before some, then least recently active.
	slices.SortFunc(all, func(a, b entry) int {
		ai, bi := a.in.Clients() == 0, b.in.Clients() == 0
		if ai != bi {
			if ai {
				return -1
			}
			return 1
		}
		return a.in.LastActive().Compare(b.in.LastActive())
	})
	var out []*Instance
	take := func(e entry) {
		delete(m.byKey, e.key)
		out = append(out, e.in)
	}
	mine := 1
	for _, e := range all {
		if e.key.Browser == keep.Browser {
			mine++
		}
	}
	for _, e := range all {
		if mine <= perBrowser {
			break
		}
		if e.key.Browser == keep.Browser {
			take(e)
			mine--
		}
	}
	for _, e := range all {
		if len(m.byKey) <= total {
			break
		}
		if _, ok := m.byKey[e.key]; ok {
			take(e)
		}
	}
	return out
}

// Get returns the instance running for key, or nil: requests go to the
// step's default (Go) server then.
func (m *Manager) Get(key Key) *Instance {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byKey[key]
}

// Stop stops the instance of key, if any, and reports whether there was
// one: DELETE .../server.js, back to the default server.
func (m *Manager) Stop(key Key) bool {
	m.mu.Lock()
	in := m.byKey[key]
	delete(m.byKey, key)
	m.mu.Unlock()
	if in == nil {
		return false
	}
	in.Close()
	return true
}

// Len returns how many instances run.
func (m *Manager) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byKey)
}

// Close stops every instance; Start fails from then on. It is idempotent
// and always returns nil.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	all := m.byKey
	m.byKey = nil
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range all {
		wg.Go(func() { in.Close() })
	}
	wg.Wait()
	return nil
}
