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
	rooms map[string]map[string]struct{} // room -> socket ids
	sids  map[string]map[string]struct{} // socket id -> rooms
}

// NewMemoryAdapter returns an empty in-memory adapter.
func NewMemoryAdapter() *MemoryAdapter {
	return &MemoryAdapter{
		rooms: make(map[string]map[string]struct{}),
		sids:  make(map[string]map[string]struct{}),
	}
}

// AddAll implements Adapter.
func (a *MemoryAdapter) AddAll(id string, rooms ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	mine := a.sids[id]
	if mine == nil {
		mine = make(map[string]struct{}, len(rooms))
		a.sids[id] = mine
	}
	for _, r := range rooms {
		mine[r] = struct{}{}
		members := a.rooms[r]
		if members == nil {
			members = make(map[string]struct{})
			a.rooms[r] = members
		}
		members[id] = struct{}{}
	}
}

// Del implements Adapter.
func (a *MemoryAdapter) Del(id, room string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.delLocked(id, room)
	if mine := a.sids[id]; mine != nil {
		delete(mine, room)
		if len(mine) == 0 {
			delete(a.sids, id)
		}
	}
}

func (a *MemoryAdapter) delLocked(id, room string) {
	if members := a.rooms[room]; members != nil {
		delete(members, id)
		if len(members) == 0 {
			delete(a.rooms, room)
		}
	}
}

// DelAll implements Adapter.
func (a *MemoryAdapter) DelAll(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for r := range a.sids[id] {
		a.delLocked(id, r)
	}
	delete(a.sids, id)
}

// SocketRooms implements Adapter.
func (a *MemoryAdapter) SocketRooms(id string) []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return sortedKeys(a.sids[id])
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
			if _, ok := a.rooms[r][id]; ok {
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
			for id := range a.rooms[r] {
				if _, dup := seen[id]; dup {
					continue
				}
				seen[id] = struct{}{}
				if !excluded(id) {
					ids = append(ids, id)
				}
			}
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
