package inspector

import (
	"bytes"
	"unsafe"

	"github.com/sioworkbook/workbook/sio/engine"
)

// The recorder's packet queue. A broadcast is one packet sent to many
// sessions: the hook is called once per delivery, on the goroutine of each
// session's writer, and must stay cheap at 100,000 deliveries a second.
// So the queue holds each distinct packet's bytes once (payRef, in the
// arena) and each delivery as a pqItem of a few numbers, with no pointer
// for the garbage collector to scan. The hook knows a broadcast by its
// bytes' address: sio encodes a broadcast once and hands every session the
// same slice (engine.Message.Prepared), so a delivery after the first finds
// its packet in recent and copies nothing.

// recentSlots is the size of pqueue.recent: the broadcasts in flight at
// once that each find their packet without a copy.
const recentSlots = 64

// Flags of a pqItem.
const (
	pqOut    = 1 << iota // sent, else received
	pqWS                 // over WebSocket, else polling
	pqDerive             // the server's debug lines about it are derived (derived.go)
)

// pqItem is one delivery in the queue.
type pqItem struct {
	at    int64  // µs since the epoch
	sess  uint32 // index in pqueue.sids
	pay   uint32 // index in pqueue.pays
	flags uint8
}

// payRef is a distinct packet of the queue: wire bytes arena[off:off+n]
// ("<type digit><data>", or a binary message's bytes).
type payRef struct {
	off, n uint32
	eio    engine.PacketType
	binary bool
}

// recentPay remembers the packet a hook last queued from the bytes at
// address ptr. The address is a hint only (it is no reference: the bytes
// may be gone and the address reused); a hit is confirmed by comparing
// the bytes.
type recentPay struct {
	ptr uintptr
	n   int
	pay uint32
	eio engine.PacketType
	bin bool
	ok  bool
}

// sessSlots is the size of pqueue.recentSess.
const sessSlots = 4096

// recentSess remembers the index of session sid. It is found by the
// address of sid's bytes, and confirmed by comparing the ids (which, for
// the same string, compares no bytes).
type recentSess struct {
	sid string
	idx uint32
}

// pqueue is the packets waiting for the writer, the Recorder's under its
// mu; the writer takes the whole of it and gives it back emptied.
type pqueue struct {
	items  []pqItem
	sids   []string // the sessions of items, once each
	sidIdx map[string]uint32
	pays   []payRef
	arena  []byte
	recent [recentSlots]recentPay
	// recentSess finds a session's index without hashing its id: a
	// session's hooks pass the same string every time (Session.ID).
	recentSess [sessSlots]recentSess
}

func newPQueue() *pqueue { return &pqueue{sidIdx: make(map[string]uint32)} }

// reset empties q for reuse, keeping its buffers unless they grew past
// maxSpareArena.
func (q *pqueue) reset() {
	q.items = q.items[:0]
	clear(q.sids) // let the strings go
	q.sids = q.sids[:0]
	clear(q.sidIdx)
	q.pays = q.pays[:0]
	q.arena = q.arena[:0]
	if cap(q.arena) > maxSpareArena {
		q.arena = nil
	}
	q.recent = [recentSlots]recentPay{}
	clear(q.recentSess[:]) // let the ids go
}

// wire returns the bytes of payload pay.
func (q *pqueue) wire(pay uint32) []byte {
	r := q.pays[pay]
	return q.arena[r.off : r.off+r.n : r.off+r.n]
}

// payload returns the index of p's payload, copied into the arena unless
// the same bytes were queued last from the same address. added is the
// number of bytes copied; ok is false when they would take the arena past
// limit bytes.
func (q *pqueue) payload(p *engine.Packet, limit int64) (pay uint32, added int, ok bool) {
	ptr := uintptr(unsafe.Pointer(unsafe.SliceData(p.Data)))
	slot := &q.recent[slotOf(ptr+uintptr(len(p.Data)), recentSlots)]
	if slot.ok && slot.ptr == ptr && slot.n == len(p.Data) && slot.eio == p.Type && slot.bin == p.Binary {
		w := q.wire(slot.pay)
		if bytes.Equal(w[len(w)-len(p.Data):], p.Data) {
			return slot.pay, 0, true
		}
	}
	size := wireLen(*p)
	if int64(len(q.arena)+size) > limit {
		return 0, 0, false
	}
	off := len(q.arena)
	if !p.Binary {
		q.arena = append(q.arena, '0'+byte(p.Type))
	}
	q.arena = append(q.arena, p.Data...)
	pay = uint32(len(q.pays))
	q.pays = append(q.pays, payRef{off: uint32(off), n: uint32(size), eio: p.Type, binary: p.Binary})
	*slot = recentPay{ptr: ptr, n: len(p.Data), pay: pay, eio: p.Type, bin: p.Binary, ok: true}
	return pay, size, true
}

// session returns the index of session sid.
func (q *pqueue) session(sid string) uint32 {
	slot := &q.recentSess[slotOf(uintptr(unsafe.Pointer(unsafe.StringData(sid))), sessSlots)]
	if slot.sid == sid && sid != "" {
		return slot.idx
	}
	i, ok := q.sidIdx[sid]
	if !ok {
		i = uint32(len(q.sids))
		q.sids = append(q.sids, sid)
		q.sidIdx[sid] = i
	}
	*slot = recentSess{sid: sid, idx: i}
	return i
}

// slotOf spreads addresses over n slots (n a power of two), however
// aligned they are (Fibonacci hashing).
func slotOf(ptr uintptr, n int) int {
	return int(uint64(ptr) * 0x9E3779B97F4A7C15 >> 32 & uint64(n-1))
}

// pqBatch is the part of a pqueue one transaction writes.
type pqBatch struct {
	q     *pqueue
	items []pqItem
}
