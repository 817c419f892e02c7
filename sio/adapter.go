package sio

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// BroadcastOptions select the sockets of a namespace an operation reaches,
// and say how: on every node of a cluster, or on this one only.
type BroadcastOptions struct {
	// Rooms: sockets in any of these rooms; every socket when empty.
	Rooms []string
	// Except: sockets in any of these rooms are left out.
	Except []string
	// Flags change how a broadcast is delivered.
	Flags BroadcastFlags
}

// BroadcastFlags are the flags of a broadcast, as the Node adapters carry
// them between nodes.
type BroadcastFlags struct {
	// Volatile drops the event for each socket that cannot take it now.
	Volatile bool
	// Local keeps the operation on this node: other nodes are not told.
	Local bool
	// Timeout is how long a broadcast with acknowledgements waits for them;
	// zero means no limit but the caller's context.
	Timeout time.Duration
}

// Adapter keeps the rooms of one namespace on this node and carries the
// namespace's operations to every node of a cluster. Every socket is in the
// room named by its own id.
//
// The first six methods are this node's bookkeeping. The others are the
// operations a Node adapter exchanges with its peers (socket.io-adapter's
// ClusterAdapter): each does its share on this node through Local (see
// Namespace.Local) and asks the other nodes for theirs. The in-memory
// adapter (NewMemoryAdapter) serves one process: its operations are Local's.
// An adapter for several nodes (sio/redisadapter) embeds it for the
// bookkeeping and overrides the operations. An adapter that wraps another
// returns it from a method Unwrap() Adapter, so that the one it wraps learns
// its namespace too.
//
// Methods may be called from any goroutine. The operations take a context
// because a cluster adapter does I/O; they return an error when the other
// nodes could not be asked, or did not all answer in time (with the answers
// that came, where there are answers).
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
	// Select calls fn once for each socket id of this node that opts
	// selects, in no particular order. fn must not call back into the
	// adapter: the adapter may hold a lock while it calls fn.
	Select(opts BroadcastOptions, fn func(id string))

	// Broadcast delivers p, an EVENT or BINARY_EVENT packet of the
	// namespace, to the sockets opts selects on every node.
	Broadcast(ctx context.Context, p *parser.Packet, opts BroadcastOptions) error
	// BroadcastWithAck delivers p, which carries an ack id, as Broadcast
	// does, and reports, per node, how many sockets it was sent to
	// (onCount, once per node; a negative count takes back sockets that
	// disconnected before answering) and each socket's answer (onAck,
	// with the first argument of the acknowledgement). It returns once
	// the packet is on its way; the callbacks may run until
	// opts.Flags.Timeout after that, from any goroutine.
	BroadcastWithAck(ctx context.Context, p *parser.Packet, opts BroadcastOptions, onCount func(n int), onAck func(arg any)) error
	// FetchSockets returns the sockets opts selects on every node.
	FetchSockets(ctx context.Context, opts BroadcastOptions) ([]*RemoteSocket, error)
	// AddSockets puts the sockets opts selects, on every node, into rooms.
	AddSockets(ctx context.Context, opts BroadcastOptions, rooms []string) error
	// DelSockets takes the sockets opts selects, on every node, out of
	// rooms.
	DelSockets(ctx context.Context, opts BroadcastOptions, rooms []string) error
	// DisconnectSockets disconnects the sockets opts selects on every
	// node; with close set, their whole connections are closed.
	DisconnectSockets(ctx context.Context, opts BroadcastOptions, close bool) error
	// ServerSideEmit sends an event to the other nodes' handlers
	// (Namespace.OnServerSideEmit); this node's handlers do not run.
	// With ack false it returns once the event is on its way, with nil
	// answers; with ack true it waits for every other node's answer,
	// and returns them in the order they came.
	ServerSideEmit(ctx context.Context, event string, args []any, ack bool) ([]any, error)
	// ServerCount returns the number of nodes, this one included.
	ServerCount(ctx context.Context) (int, error)
}

// MemoryAdapter is the in-memory Adapter: rooms are two maps guarded by a
// read-write lock, and the operations reach this process only.
type MemoryAdapter struct {
	mu    sync.RWMutex
	rooms map[string]idSet // room -> socket ids
	sids  map[string]idSet // socket id -> rooms

	nsp atomic.Pointer[Namespace] // set when a namespace takes the adapter
	rec *recoveryState            // set by attach with Config.ConnectionStateRecovery; see recovery.go
}

// attach is called by the namespace that uses the adapter, or an adapter
// that embeds it, so that its operations reach that namespace's sockets.
func (a *MemoryAdapter) attach(n *Namespace) {
	if a.nsp.CompareAndSwap(nil, n) {
		if cfg := n.server.cfg.ConnectionStateRecovery; cfg != nil {
			a.rec = newRecoveryState(cfg)
		}
	}
}

// errNotAttached: an operation on a memory adapter no namespace uses.
var errNotAttached = errors.New("sio: the adapter belongs to no namespace")

func (a *MemoryAdapter) local() (Local, error) {
	n := a.nsp.Load()
	if n == nil {
		return Local{}, errNotAttached
	}
	return n.Local(), nil
}

// Broadcast implements Adapter: this node only. With connection state
// recovery, an event that is neither volatile nor waiting for
// acknowledgements is logged, and gets its offset as its last argument.
func (a *MemoryAdapter) Broadcast(_ context.Context, p *parser.Packet, opts BroadcastOptions) error {
	l, err := a.local()
	if err != nil {
		return err
	}
	if a.rec != nil && loggable(p, opts) {
		a.rec.logAndDeliver(p, opts, func(q *parser.Packet) { l.Broadcast(q, opts) })
		return nil
	}
	l.Broadcast(p, opts)
	return nil
}

// BroadcastWithAck implements Adapter: this node only.
func (a *MemoryAdapter) BroadcastWithAck(_ context.Context, p *parser.Packet, opts BroadcastOptions, onCount func(int), onAck func(any)) error {
	l, err := a.local()
	if err != nil {
		return err
	}
	l.BroadcastWithAck(p, opts, onCount, onAck)
	return nil
}

// FetchSockets implements Adapter: this node only.
func (a *MemoryAdapter) FetchSockets(_ context.Context, opts BroadcastOptions) ([]*RemoteSocket, error) {
	l, err := a.local()
	if err != nil {
		return nil, err
	}
	return l.FetchSockets(opts), nil
}

// AddSockets implements Adapter: this node only.
func (a *MemoryAdapter) AddSockets(_ context.Context, opts BroadcastOptions, rooms []string) error {
	l, err := a.local()
	if err != nil {
		return err
	}
	l.AddSockets(opts, rooms)
	return nil
}

// DelSockets implements Adapter: this node only.
func (a *MemoryAdapter) DelSockets(_ context.Context, opts BroadcastOptions, rooms []string) error {
	l, err := a.local()
	if err != nil {
		return err
	}
	l.DelSockets(opts, rooms)
	return nil
}

// DisconnectSockets implements Adapter: this node only.
func (a *MemoryAdapter) DisconnectSockets(_ context.Context, opts BroadcastOptions, close bool) error {
	l, err := a.local()
	if err != nil {
		return err
	}
	l.DisconnectSockets(opts, close)
	return nil
}

// ServerSideEmit implements Adapter: there is no other node, so no handler
// runs and no answer comes.
func (a *MemoryAdapter) ServerSideEmit(context.Context, string, []any, bool) ([]any, error) {
	return nil, nil
}

// ServerCount implements Adapter: 1.
func (a *MemoryAdapter) ServerCount(context.Context) (int, error) { return 1, nil }

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
