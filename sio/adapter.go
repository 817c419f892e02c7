package sio

import (
	"sort"
	"sync"
)

// BroadcastOptions select the sockets of a namespace a broadcast reaches.
type BroadcastOptions struct {
	// Rooms: sockets in any of these rooms; every socket when empty.
	Rooms []string
	// Except: sockets in any of these rooms are left out.
	Except []string
}

// Adapter keeps the rooms of one namespace and decides which sockets a
// broadcast reaches. Every socket is in the room named by its own id.
//
// The in-memory adapter (NewMemoryAdapter) serves one process; an adapter for
// several nodes can wrap it and forward broadcasts to its peers without any
// change to the Server API. Methods may be called from any goroutine.
type Adapter interface {
	// AddAll puts socket id into rooms.
	AddAll(id string, rooms ...string)
	// Del takes socket id out of room.
	Del(id, room string)
	// DelAll takes socket id out of every room.
	DelAll(id string)
	// SocketRooms returns the rooms socket id is in, sorted.
	SocketRooms(id string) []string
	// Rooms returns every room that has at least one socket, sorted.
	Rooms() []string
	// Select calls fn once for each socket id that opts selects, in no
	// particular order. fn must not call back into the adapter.
	Select(opts BroadcastOptions, fn func(id string))
}

// MemoryAdapter is the in-memory Adapter: rooms are two maps guarded by a
// read-write lock.
type MemoryAdapter struct {
	mu    sync.RWMutex
	rooms map[string]idSet // room -> socket ids
	sids  map[string]idSet // socket id -> rooms
}

// idSet is a set of strings that needs no map of its own while it holds a
// single one: most rooms hold one socket (its own room) and most sockets
// are in one room (their own), so that an idle socket costs two map
// entries rather than two maps. The zero value is empty.
type idSet struct {
	many map[string]struct{} // the elements, when there are two or more
	one  string              // the element, when there is one (many is nil)
	has  bool                // one is set
}

func (s idSet) len() int {
	if s.many != nil {
		return len(s.many)
	}
	if s.has {
		return 1
	}
	return 0
}

func (s idSet) contains(x string) bool {
	if s.many != nil {
		_, ok := s.many[x]
		return ok
	}
	return s.has && s.one == x
}

func (s *idSet) add(x string) {
	switch {
	case s.many != nil:
		s.many[x] = struct{}{}
	case !s.has:
		s.one, s.has = x, true
	case s.one != x:
		s.many = map[string]struct{}{s.one: {}, x: {}}
		s.one, s.has = "", false
	}
}

func (s *idSet) del(x string) {
	if s.many == nil {
		if s.has && s.one == x {
			s.one, s.has = "", false
		}
		return
	}
	delete(s.many, x)
	if len(s.many) == 1 {
		for last := range s.many {
			s.one, s.has = last, true
		}
		s.many = nil
	}
}

// each calls fn for every element, in no particular order.
func (s idSet) each(fn func(x string)) {
	if s.many == nil {
		if s.has {
			fn(s.one)
		}
		return
	}
	for x := range s.many {
		fn(x)
	}
}

func (s idSet) sorted() []string {
	out := make([]string, 0, s.len())
	s.each(func(x string) { out = append(out, x) })
	sort.Strings(out)
	return out
}

// NewMemoryAdapter returns an empty in-memory adapter.
func NewMemoryAdapter() *MemoryAdapter {
	return &MemoryAdapter{
		rooms: make(map[string]idSet),
		sids:  make(map[string]idSet),
	}
}

// AddAll implements Adapter.
func (a *MemoryAdapter) AddAll(id string, rooms ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	mine := a.sids[id]
	for _, r := range rooms {
		mine.add(r)
		members := a.rooms[r]
		members.add(id)
		a.rooms[r] = members
	}
	a.sids[id] = mine
}

// Del implements Adapter.
func (a *MemoryAdapter) Del(id, room string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.delLocked(id, room)
	if mine, ok := a.sids[id]; ok {
		mine.del(room)
		if mine.len() == 0 {
			delete(a.sids, id)
		} else {
			a.sids[id] = mine
		}
	}
}

func (a *MemoryAdapter) delLocked(id, room string) {
	if members, ok := a.rooms[room]; ok {
		members.del(id)
		if members.len() == 0 {
			delete(a.rooms, room)
		} else {
			a.rooms[room] = members
		}
	}
}

// DelAll implements Adapter.
func (a *MemoryAdapter) DelAll(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sids[id].each(func(r string) { a.delLocked(id, r) })
	delete(a.sids, id)
}

// SocketRooms implements Adapter.
func (a *MemoryAdapter) SocketRooms(id string) []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.sids[id].sorted()
}

// Rooms implements Adapter.
func (a *MemoryAdapter) Rooms() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return sortedKeys(a.rooms)
}

// Select implements Adapter. The ids are gathered under the read lock and fn
// runs after it is released, so fn may take other locks freely.
func (a *MemoryAdapter) Select(opts BroadcastOptions, fn func(id string)) {
	a.mu.RLock()
	var ids []string
	excluded := func(id string) bool {
		for _, r := range opts.Except {
			if a.rooms[r].contains(id) {
				return true
			}
		}
		return false
	}
	if len(opts.Rooms) == 0 {
		ids = make([]string, 0, len(a.sids))
		for id := range a.sids {
			if !excluded(id) {
				ids = append(ids, id)
			}
		}
	} else {
		seen := make(map[string]struct{})
		for _, r := range opts.Rooms {
			a.rooms[r].each(func(id string) {
				if _, dup := seen[id]; dup {
					return
				}
				seen[id] = struct{}{}
				if !excluded(id) {
					ids = append(ids, id)
				}
			})
		}
	}
	a.mu.RUnlock()
	for _, id := range ids {
		fn(id)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
