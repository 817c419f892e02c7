// Package listeners keeps the event handlers of a socket: per event name,
// once or every time, and handlers of every event. The server's and the
// client's sockets both keep theirs in a Set.
package listeners

import "sync"

// Set holds handlers of type H. The zero value is empty and ready to use;
// its methods may be called from any goroutine.
type Set[H any] struct {
	mu      sync.Mutex
	byEvent map[string][]*entry[H]
	any     []*entry[H]
}

type entry[H any] struct {
	fn   H
	once bool
}

// On adds fn for event (once: for the next event only) and returns a
// function that removes it.
func (s *Set[H]) On(event string, fn H, once bool) (remove func()) {
	e := &entry[H]{fn: fn, once: once}
	s.mu.Lock()
	if s.byEvent == nil {
		s.byEvent = make(map[string][]*entry[H])
	}
	s.byEvent[event] = append(s.byEvent[event], e)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.byEvent[event] = without(s.byEvent[event], e)
	}
}

// OnAny adds fn for every event and returns a function that removes it.
func (s *Set[H]) OnAny(fn H) (remove func()) {
	e := &entry[H]{fn: fn}
	s.mu.Lock()
	s.any = append(s.any, e)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.any = without(s.any, e)
	}
}

// Off removes every handler of the events named; with no name, of every
// event (the handlers of every event, added with OnAny, stay).
func (s *Set[H]) Off(events ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(events) == 0 {
		s.byEvent = nil
		return
	}
	for _, e := range events {
		delete(s.byEvent, e)
	}
}

// Take returns what must run for one event, in order: the handlers of every
// event, then those of event. Once handlers are removed as they are taken.
func (s *Set[H]) Take(event string) []H { return s.AppendTake(nil, event) }

// AppendTake is Take, appending to dst: a caller that passes an array of
// its own stack (var buf [4]H; AppendTake(buf[:0], name)) allocates
// nothing for an event with that many handlers or fewer.
func (s *Set[H]) AppendTake(dst []H, event string) []H {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.byEvent[event]
	out := dst
	for _, e := range s.any {
		out = append(out, e.fn)
	}
	for _, e := range list {
		out = append(out, e.fn)
		if e.once {
			s.byEvent[event] = without(s.byEvent[event], e)
		}
	}
	return out
}

// without returns list less e, in a new slice (Take's callers may still
// hold the old one).
func without[H any](list []*entry[H], e *entry[H]) []*entry[H] {
	out := make([]*entry[H], 0, len(list))
	for _, x := range list {
		if x != e {
			out = append(out, x)
		}
	}
	return out
}
