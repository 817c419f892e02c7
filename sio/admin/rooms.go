package admin

import (
	"slices"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// adapter returns a NewAdapter that wraps next's adapters (the in-memory
// one when next is nil) so that the rooms each socket joins and leaves are
// reported to the UIs, as Node's adapter reports join-room and leave-room.
func (a *Admin) adapter(next func(*sio.Namespace) sio.Adapter) func(*sio.Namespace) sio.Adapter {
	return func(n *sio.Namespace) sio.Adapter {
		if next == nil {
			// The in-memory adapter embedded as itself, so that whatever
			// sio asks of it beyond the Adapter interface still reaches it.
			return &memoryRooms{MemoryAdapter: sio.NewMemoryAdapter(), w: roomWatch{a: a, nsp: n.Name()}}
		}
		return &anyRooms{Adapter: next(n), w: roomWatch{a: a, nsp: n.Name()}}
	}
}

// roomWatch reports the changes an adapter makes, while a UI watches.
type roomWatch struct {
	a   *Admin
	nsp string
}

// addAll runs add (the inner AddAll) and reports the rooms that are new to id.
func (w roomWatch) addAll(inner sio.Adapter, id string, rooms []string) {
	if !w.a.verbose() {
		inner.AddAll(id, rooms...)
		return
	}
	before := inner.SocketRooms(id)
	inner.AddAll(id, rooms...)
	now := time.Now()
	for i, r := range rooms {
		if _, in := slices.BinarySearch(before, r); in || slices.Contains(rooms[:i], r) {
			continue
		}
		w.a.q.push(item{kind: kindRoom, nsp: w.nsp, id: id, text: r, joined: true, at: now})
	}
}

func (w roomWatch) del(inner sio.Adapter, id, room string) {
	if !w.a.verbose() {
		inner.Del(id, room)
		return
	}
	_, in := slices.BinarySearch(inner.SocketRooms(id), room)
	inner.Del(id, room)
	if in {
		w.a.q.push(item{kind: kindRoom, nsp: w.nsp, id: id, text: room, at: time.Now()})
	}
}

func (w roomWatch) delAll(inner sio.Adapter, id string) {
	if !w.a.verbose() {
		inner.DelAll(id)
		return
	}
	rooms := inner.SocketRooms(id)
	inner.DelAll(id)
	now := time.Now()
	for _, r := range rooms {
		w.a.q.push(item{kind: kindRoom, nsp: w.nsp, id: id, text: r, at: now})
	}
}

// memoryRooms is the in-memory adapter, watched.
type memoryRooms struct {
	*sio.MemoryAdapter
	w roomWatch
}

// AddAll implements sio.Adapter.
func (m *memoryRooms) AddAll(id string, rooms ...string) { m.w.addAll(m.MemoryAdapter, id, rooms) }

// Del implements sio.Adapter.
func (m *memoryRooms) Del(id, room string) { m.w.del(m.MemoryAdapter, id, room) }

// DelAll implements sio.Adapter.
func (m *memoryRooms) DelAll(id string) { m.w.delAll(m.MemoryAdapter, id) }

// anyRooms is any other adapter, watched.
type anyRooms struct {
	sio.Adapter
	w roomWatch
}

// AddAll implements sio.Adapter.
func (m *anyRooms) AddAll(id string, rooms ...string) { m.w.addAll(m.Adapter, id, rooms) }

// Del implements sio.Adapter.
func (m *anyRooms) Del(id, room string) { m.w.del(m.Adapter, id, room) }

// DelAll implements sio.Adapter.
func (m *anyRooms) DelAll(id string) { m.w.delAll(m.Adapter, id) }

// Unwrap returns the adapter watched, so that sio attaches it to its
// namespace as if it were used directly.
func (m *anyRooms) Unwrap() sio.Adapter { return m.Adapter }
