package sio

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

// RecoveryConfig turns on connection state recovery (connectionStateRecovery
// in Node): a client whose connection dropped comes back, within
// MaxDisconnectionDuration, as the same socket (same id, rooms and data) and
// receives the events it missed meanwhile.
//
// With it, the server's CONNECT reply carries a private id as well as the
// socket id ({"sid":…,"pid":…}), and every event that is neither volatile
// nor waiting for an acknowledgement (broadcasts, and emits to one socket,
// which then go through the adapter as in Node) gets an offset appended as
// its last argument. A client that reconnects sends the private id and the
// last offset it saw in its CONNECT payload; the session is restored when
//
//   - both are strings;
//   - the socket was disconnected for a reason a client cannot help (transport
//     close or error, ping timeout, forced close, server shutting down), not
//     because it left (its own DISCONNECT) or the server disconnected it;
//   - less than MaxDisconnectionDuration ago;
//   - and the offset is still in the namespace's packet log.
//
// The server then sends, in order, the logged events after that offset that
// went to everyone or to one of the socket's rooms (its own id included) and
// were not excluded from it, then the CONNECT reply with the same sid and
// pid, then runs the connection handlers; Socket.Recovered reports true.
// Otherwise the client gets a new socket, as without recovery.
//
// Sessions and the packet log live in the adapter (SessionAwareAdapter);
// the in-memory adapter keeps them per namespace. A cluster adapter that
// does not implement it (sio/redisadapter) sends no offsets, so no session
// is ever restored, as with Node's adapters that lack it.
type RecoveryConfig struct {
	// MaxDisconnectionDuration is how long a disconnected session can be
	// restored, and how long events stay in the packet log. If zero, 2
	// minutes is used.
	MaxDisconnectionDuration time.Duration
	// RunMiddlewares runs the namespace's middlewares for a restored
	// session too (skipMiddlewares: false in Node). By default they are
	// skipped, as in Node.
	RunMiddlewares bool
	// MaxLoggedPackets bounds the packet log of each namespace: past it the
	// oldest events are forgotten (and the sessions that missed them can no
	// longer be restored). If zero, 10,000 is used.
	MaxLoggedPackets int
	// MaxLoggedBytes bounds the same log in bytes of packet data,
	// attachments included. If zero, 16 MiB is used.
	MaxLoggedBytes int64
	// MaxSessions bounds the disconnected sessions each namespace keeps;
	// past it the oldest are forgotten. If zero, 100,000 is used.
	MaxSessions int
}

func (r *RecoveryConfig) maxDuration() time.Duration {
	if r.MaxDisconnectionDuration > 0 {
		return r.MaxDisconnectionDuration
	}
	return 2 * time.Minute
}

func (r *RecoveryConfig) maxPackets() int {
	if r.MaxLoggedPackets > 0 {
		return r.MaxLoggedPackets
	}
	return 10000
}

func (r *RecoveryConfig) maxBytes() int64 {
	if r.MaxLoggedBytes > 0 {
		return r.MaxLoggedBytes
	}
	return 16 << 20
}

func (r *RecoveryConfig) maxSessions() int {
	if r.MaxSessions > 0 {
		return r.MaxSessions
	}
	return 100000
}

// sweepEvery is how often the memory adapter forgets expired sessions and
// events while it holds some: every minute, as Node's, or more often when
// MaxDisconnectionDuration is shorter.
func (r *RecoveryConfig) sweepEvery() time.Duration {
	return min(time.Minute, r.maxDuration())
}

// Session is what connection state recovery keeps of a socket that was
// disconnected, until it comes back or expires.
type Session struct {
	// SID is the socket's public id; PID its private id, which the client
	// sends back to restore it.
	SID, PID string
	// Rooms are the rooms the socket was in, its own id included.
	Rooms []string
	// Data is the socket's Data.
	Data any
}

// SessionAwareAdapter is an Adapter that can keep sessions and a log of the
// namespace's events for connection state recovery (socket.io-adapter's
// SessionAwareAdapter). The in-memory adapter is one. Its Broadcast appends
// an offset to each event it logs (see RecoveryConfig).
type SessionAwareAdapter interface {
	Adapter
	// PersistSession keeps s, disconnected now, for RecoveryConfig's
	// MaxDisconnectionDuration.
	PersistSession(s Session)
	// RestoreSession takes back the session pid if it is still kept and
	// offset is still in the packet log; otherwise it returns nil.
	RestoreSession(pid, offset string) (*Session, error)
	// Replay calls deliver with the logged events after offset that went to
	// everyone or to one of rooms and were not excluded from all of them,
	// in order, and returns true; or returns false, without calling
	// deliver, when offset is no longer in the log. No event is logged
	// while deliver runs, so a socket that deliver puts into its rooms
	// misses none between the two: deliver must not block.
	Replay(offset string, rooms []string, deliver func(missed []*parser.Packet)) bool
}

// recoverable reports whether a socket disconnected for reason may be
// restored: the causes a client cannot help, as Node lists them.
func recoverable(reason Reason) bool {
	switch reason {
	case ReasonTransportError, ReasonTransportClose, ReasonForcedClose,
		ReasonPingTimeout, ReasonServerShuttingDown, ReasonForcedServerClose:
		return true
	}
	return false
}

// recoveryState is the memory adapter's sessions and packet log.
//
// mu is held while an event is logged and delivered to this node's
// sockets, and while a restored socket takes its place, so that the order
// of offsets is the order of delivery and a restored socket misses nothing
// between its replay and its first live event. Lock order: mu, then the
// adapter's and the namespace's locks.
type recoveryState struct {
	cfg *RecoveryConfig

	mu       sync.Mutex
	base     uint64 // offsets are base+seq, written in base 36
	next     uint64 // seq of the next logged event
	log      []loggedPacket
	logBytes int64
	sessions map[string]*keptSession // by pid
	order    []*keptSession          // in the order they were kept
	timer    *time.Timer             // the next sweep, while something is kept
	closed   bool
}

type loggedPacket struct {
	seq    uint64
	p      *parser.Packet
	rooms  []string
	except []string
	at     time.Time
	size   int64
}

type keptSession struct {
	s    Session
	at   time.Time
	gone bool // restored or dropped; still in order until swept
}

func newRecoveryState(cfg *RecoveryConfig) *recoveryState {
	// Offsets start from the clock so that those of a restarted server do
	// not repeat the previous one's.
	return &recoveryState{cfg: cfg, base: uint64(time.Now().UnixMicro()), sessions: make(map[string]*keptSession)}
}

// offsetWidth is the width of an offset: base 36 digits of a 64-bit
// number, zero-padded so that offsets sort as they were given.
const offsetWidth = 13

func (r *recoveryState) offset(seq uint64) string {
	s := strconv.FormatUint(r.base+seq, 36)
	for len(s) < offsetWidth {
		s = "0" + s
	}
	return s
}

// indexLocked returns the position in the log of the event with that
// offset, or -1.
func (r *recoveryState) indexLocked(offset string) int {
	if len(offset) != offsetWidth || len(r.log) == 0 {
		return -1
	}
	n, err := strconv.ParseUint(offset, 36, 64)
	if err != nil || n < r.base {
		return -1
	}
	seq, first := n-r.base, r.log[0].seq
	if seq < first || seq-first >= uint64(len(r.log)) || r.offset(seq) != offset {
		return -1 // not logged yet, forgotten, or not written as we write them
	}
	return int(seq - first)
}

// loggable reports whether p gets an offset: an event that waits for no
// acknowledgement and is not volatile.
func loggable(p *parser.Packet, opts BroadcastOptions) bool {
	return (p.Type == parser.Event || p.Type == parser.BinaryEvent) && !p.HasID && !opts.Flags.Volatile
}

// logAndDeliver logs p with a new offset, appended as its last argument,
// and calls deliver with that packet while mu is held.
func (r *recoveryState) logAndDeliver(p *parser.Packet, opts BroadcastOptions, deliver func(*parser.Packet)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := r.next
	r.next++
	q := *p
	q.Data = appendArg(p.Data, r.offset(seq))
	e := loggedPacket{seq: seq, p: &q, rooms: append([]string(nil), opts.Rooms...),
		except: append([]string(nil), opts.Except...), at: time.Now(), size: int64(len(q.Data))}
	for _, a := range q.Attachments {
		e.size += int64(len(a))
	}
	r.log = append(r.log, e)
	r.logBytes += e.size
	r.trimLocked(e.at)
	r.armLocked()
	deliver(&q)
}

// appendArg returns a copy of the JSON array data with the string s as its
// last element.
func appendArg(data json.RawMessage, s string) json.RawMessage {
	out := make(json.RawMessage, 0, len(data)+len(s)+3)
	out = append(out, data[:len(data)-1]...)
	if len(data) > 2 {
		out = append(out, ',')
	}
	out = strconv.AppendQuote(out, s) // offsets are base 36: nothing to escape
	return append(out, ']')
}

// trimLocked forgets the events past the log's bounds: too old, too many,
// too big.
func (r *recoveryState) trimLocked(now time.Time) {
	cutoff := now.Add(-r.cfg.maxDuration())
	drop := 0
	bytes := r.logBytes
	for drop < len(r.log) {
		e := r.log[drop]
		if !e.at.Before(cutoff) && len(r.log)-drop <= r.cfg.maxPackets() && bytes <= r.cfg.maxBytes() {
			break
		}
		bytes -= e.size
		drop++
	}
	if drop == 0 {
		return
	}
	clear(r.log[:drop])
	r.log = r.log[drop:]
	r.logBytes = bytes
	if len(r.log) == 0 {
		r.log = nil
	}
}

func (r *recoveryState) persist(s Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if old := r.sessions[s.PID]; old != nil {
		old.gone = true
	}
	k := &keptSession{s: s, at: time.Now()}
	r.sessions[s.PID] = k
	r.order = append(r.order, k)
	for len(r.sessions) > r.cfg.maxSessions() {
		r.dropOldestLocked()
	}
	r.armLocked()
}

// dropOldestLocked forgets the oldest session still kept.
func (r *recoveryState) dropOldestLocked() {
	for len(r.order) > 0 {
		k := r.order[0]
		r.order[0] = nil
		r.order = r.order[1:]
		if !k.gone {
			k.gone = true
			delete(r.sessions, k.s.PID)
			return
		}
	}
}

func (r *recoveryState) restore(pid, offset string) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.sessions[pid]
	if k == nil {
		return nil
	}
	if time.Since(k.at) >= r.cfg.maxDuration() {
		k.gone = true
		delete(r.sessions, pid)
		return nil
	}
	if r.indexLocked(offset) < 0 {
		return nil
	}
	// Taken: a session comes back once.
	k.gone = true
	delete(r.sessions, pid)
	s := k.s
	return &s
}

func (r *recoveryState) replay(offset string, rooms []string, deliver func([]*parser.Packet)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.indexLocked(offset)
	if i < 0 {
		return false
	}
	var missed []*parser.Packet
	for _, e := range r.log[i+1:] {
		if reaches(e, rooms) {
			missed = append(missed, e.p)
		}
	}
	deliver(missed)
	return true
}

// reaches reports whether a socket in rooms was meant to get e: it went to
// everyone or to one of rooms, and none of rooms was excluded.
func reaches(e loggedPacket, rooms []string) bool {
	in := len(e.rooms) == 0
	for _, r := range rooms {
		for _, x := range e.except {
			if r == x {
				return false
			}
		}
		if !in {
			for _, t := range e.rooms {
				if r == t {
					in = true
					break
				}
			}
		}
	}
	return in
}

// armLocked makes sure a sweep is coming while something is kept.
func (r *recoveryState) armLocked() {
	if r.timer == nil && !r.closed {
		r.timer = time.AfterFunc(r.cfg.sweepEvery(), r.sweep)
	}
}

// sweep forgets the expired sessions and events, and comes again while
// some are left.
func (r *recoveryState) sweep() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	now := time.Now()
	r.trimLocked(now)
	cutoff := now.Add(-r.cfg.maxDuration())
	for len(r.order) > 0 && (r.order[0].gone || r.order[0].at.Before(cutoff)) {
		if k := r.order[0]; !k.gone {
			k.gone = true
			delete(r.sessions, k.s.PID)
		}
		r.order[0] = nil
		r.order = r.order[1:]
	}
	if len(r.order) == 0 {
		r.order = nil
	}
	if len(r.log) > 0 || len(r.order) > 0 {
		r.armLocked()
	}
}

// close stops the sweeps and forgets everything.
func (r *recoveryState) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	r.log, r.logBytes, r.order = nil, 0, nil
	clear(r.sessions)
}

// counts returns how many events and sessions are kept, for tests.
func (r *recoveryState) counts() (packets, sessions int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.log), len(r.sessions)
}

// PersistSession implements SessionAwareAdapter. Without
// Config.ConnectionStateRecovery it does nothing.
func (a *MemoryAdapter) PersistSession(s Session) {
	if a.rec != nil {
		a.rec.persist(s)
	}
}

// RestoreSession implements SessionAwareAdapter.
func (a *MemoryAdapter) RestoreSession(pid, offset string) (*Session, error) {
	if a.rec == nil {
		return nil, nil
	}
	return a.rec.restore(pid, offset), nil
}

// Replay implements SessionAwareAdapter.
func (a *MemoryAdapter) Replay(offset string, rooms []string, deliver func(missed []*parser.Packet)) bool {
	if a.rec == nil {
		return false
	}
	return a.rec.replay(offset, rooms, deliver)
}

// closeRecovery stops the adapter's sweeps; Server.Close calls it.
func (a *MemoryAdapter) closeRecovery() {
	if a.rec != nil {
		a.rec.close()
	}
}

// restore connects the socket of a CONNECT that asks for a kept session
// (its payload has a pid and an offset, both strings) as that session, with
// the steps RecoveryConfig lists. It reports false when there is no session
// to restore: the CONNECT then makes a new socket.
func (n *Namespace) restore(c *conn, auth json.RawMessage) bool {
	var ask struct {
		PID    any `json:"pid"`
		Offset any `json:"offset"`
	}
	if len(auth) == 0 || json.Unmarshal(auth, &ask) != nil {
		return false
	}
	pid, ok := ask.PID.(string)
	offset, ok2 := ask.Offset.(string)
	sa, ok3 := n.adapter.(SessionAwareAdapter)
	if !ok || !ok2 || !ok3 {
		return false
	}
	sess, err := sa.RestoreSession(pid, offset)
	if err != nil {
		n.server.log.Warn("sio: connection state recovery failed", "namespace", n.name, "err", err)
		return false
	}
	if sess == nil {
		return false
	}
	s := &Socket{id: sess.SID, pid: sess.PID, data: sess.Data, recovered: true, nsp: n, conn: c, created: time.Now(),
		auth: append(json.RawMessage(nil), auth...)}
	if n.server.obs != nil {
		n.server.debugf("socket.io:namespace", c.sid(), "connection state recovered for sid %s", s.id)
	}
	if n.server.cfg.ConnectionStateRecovery.RunMiddlewares {
		if err := n.runMiddlewares(s); err != nil {
			s.end(fmt.Errorf("sio: connection to %s refused: %w", n.name, err))
			c.connectDone(n.name, nil)
			c.refuse(n.name, err)
			return true
		}
	}
	s.mu.Lock()
	s.connected = true
	s.mu.Unlock()
	// The missed events go out, and the socket takes its place, while no
	// event is logged: the next one reaches it live.
	replayed := sa.Replay(offset, sess.Rooms, func(missed []*parser.Packet) {
		n.mu.Lock()
		n.sockets[s.id] = s
		n.mu.Unlock()
		n.adapter.AddAll(s.id, sess.Rooms...)
		for _, p := range missed {
			_ = c.send(p, false)
		}
	})
	if !replayed {
		// The offset left the log since RestoreSession found it.
		s.end(ErrDisconnected)
		return false
	}
	if !c.connectDone(n.name, s) {
		// The connection closed meanwhile: undo, and keep the session for
		// the client's next try.
		s.mu.Lock()
		s.connected = false
		s.endLocked(ErrDisconnected)
		s.mu.Unlock()
		n.remove(s)
		n.adapter.DelAll(s.id)
		sa.PersistSession(*sess)
		return true
	}
	if h := n.server.connectHook; h != nil {
		h(s)
	}
	n.connected(s, n.handlers())
	return true
}

// leaveAll takes a socket that was disconnected for reason out of its
// rooms; first, when it may be restored, it keeps its session.
func (s *Socket) leaveAll(reason Reason) {
	a := s.nsp.adapter
	sa, ok := a.(SessionAwareAdapter)
	if !ok || s.pid == "" || !recoverable(reason) {
		a.DelAll(s.id)
		return
	}
	rooms := a.SocketRooms(s.id)
	a.DelAll(s.id)
	if s.nsp.server.obs != nil {
		s.nsp.server.debugf("socket.io:socket", s.conn.sid(), "connection state recovery is enabled for sid %s", s.id)
	}
	sa.PersistSession(Session{SID: s.id, PID: s.pid, Rooms: rooms, Data: s.Data()})
}

// Recovered reports whether the socket is a session restored by connection
// state recovery (socket.recovered in Node): same id, rooms and data as
// before its connection dropped, and the events it missed sent to it.
func (s *Socket) Recovered() bool { return s.recovered }

// broadcastLocal sends p to the sockets of this node that opts selects
// (opts.Flags.Local is set), as Local.Broadcast does. With connection state
// recovery it goes through the adapter, flagged local, as in Node, so that
// an adapter that logs events (SessionAwareAdapter) logs it too.
func (n *Namespace) broadcastLocal(p *parser.Packet, opts BroadcastOptions) {
	if n.server.cfg.ConnectionStateRecovery != nil {
		_ = n.adapter.Broadcast(context.Background(), p, opts)
		return
	}
	n.Local().Broadcast(p, opts)
}
