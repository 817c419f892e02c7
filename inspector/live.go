package inspector

import (
	"sync"
	"sync/atomic"
)

// subscribers fans committed rows out to the live feeds. Sending never
// blocks: a feed whose buffer is full loses the item, and the loss is
// counted.
type subscribers struct {
	mu     sync.Mutex
	list   map[*subscriber]struct{}
	n      atomic.Int32
	lost   atomic.Int64
	closed bool
}

type subscriber struct {
	ch   chan Live
	lost atomic.Int64
}

// Subscribe returns a feed of the sessions, packets and debug lines the
// recorder commits, from now on, in commit order, and a function that ends
// the feed (closing the channel). buf is the channel's buffer (0 -> 1024): when it is
// full, items are dropped for this subscriber only (LiveLost counts them);
// the recorder never waits. The channel is also closed by Close.
func (r *Recorder) Subscribe(buf int) (<-chan Live, func()) {
	if buf <= 0 {
		buf = 1024
	}
	sub := &subscriber{ch: make(chan Live, buf)}
	s := &r.subs
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		close(sub.ch)
		return sub.ch, func() {}
	}
	if s.list == nil {
		s.list = make(map[*subscriber]struct{})
	}
	s.list[sub] = struct{}{}
	s.n.Add(1)
	s.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if _, ok := s.list[sub]; ok {
				delete(s.list, sub)
				s.n.Add(-1)
				close(sub.ch)
			}
		})
	}
}

// LiveLost returns the number of items live subscribers lost because their
// buffer was full, all subscribers together.
func (r *Recorder) LiveLost() int64 { return r.subs.lost.Load() }

// active reports whether anyone listens, so that the writer builds live
// items only then.
func (s *subscribers) active() bool { return s.n.Load() > 0 }

func (s *subscribers) publish(items []Live) {
	if len(items) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.list {
		for _, it := range items {
			select {
			case sub.ch <- it:
			default:
				sub.lost.Add(1)
				s.lost.Add(1)
			}
		}
	}
}

func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for sub := range s.list {
		close(sub.ch)
		delete(s.list, sub)
	}
	s.n.Store(0)
}
