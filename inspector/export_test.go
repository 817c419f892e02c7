package inspector

import (
	"strings"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Test hooks: they feed a Recorder as its observer methods do, without an
// engine.Session, at a chosen time (the first four are the Record methods
// under the names the tests know).

// OpenAt records the opening of session sid.
func (r *Recorder) OpenAt(at time.Time, sid, path, client, addr, agent, transport string) {
	r.RecordOpen(at, sid, path, client, addr, agent, transport)
}

// UpgradeAt records an upgrade of session sid.
func (r *Recorder) UpgradeAt(at time.Time, sid, transport string) {
	r.RecordUpgrade(at, sid, transport)
}

// CloseAt records the end of session sid.
func (r *Recorder) CloseAt(at time.Time, sid, reason string) { r.RecordClose(at, sid, reason) }

// PacketAt records packet p of session sid, as the observer method Packet
// does (its debug lines derived).
func (r *Recorder) PacketAt(at time.Time, sid string, dir engine.Direction, transport string, p engine.Packet) {
	r.recordPacket(at, sid, dir, transport, p, true)
}

// DebugAt records a debug line.
func (r *Recorder) DebugAt(at time.Time, namespace, sid, msg string) {
	r.push(item{kind: kindDebug, at: at.UnixMicro(), sid: sid, ns: namespace, text: msg})
}

// OpenWriterReadOnly opens path with a writer connection that cannot write,
// as a read-only file or a full disk would behave (tests run as root, so a
// chmod would not do).
func OpenWriterReadOnly(path string) (*DB, error) {
	return open(path, openOptions{readOnlyWriter: true})
}

// DecodeSIO exposes decodeSIO to the tests.
func DecodeSIO(data []byte) (typ, nsp, event string, hasEvent bool, ackID int64, hasID bool, args string, attachments int, ok bool) {
	f, ok := decodeSIO(data)
	if !ok {
		return
	}
	return f.typ.String(), f.nsp, f.event, f.hasEvent, f.id, f.hasID, string(f.args), f.attachments, true
}

// NewRecorderHeld starts a recorder whose writer takes nothing from the
// queues until release is called: a writer that has fallen behind, without
// depending on how long a lock is held.
func NewRecorderHeld(db *DB, opts RecorderOptions) (r *Recorder, release func()) {
	hold := make(chan struct{})
	return newRecorder(db, opts, hold), sync.OnceFunc(func() { close(hold) })
}

// DerivableText reports whether a debug line read back is of the kind the
// recorder derives from its packet (derived.go) rather than stores.
func DerivableText(namespace, msg string) bool {
	switch namespace {
	case engine.DebugWS:
		if msg == `received "2probe"` || msg == `received "5"` {
			return false // the probe's: written by the server, stored
		}
		return strings.HasPrefix(msg, `received "`) || strings.HasPrefix(msg, `writing "`)
	case engine.DebugSocket:
		return strings.HasPrefix(msg, "received packet ") || strings.HasPrefix(msg, `sending packet "message" (`)
	case "socket.io-parser":
		return strings.HasPrefix(msg, "decoded ")
	}
	return false
}

// SetImportStale sets how old a run's beat must be for Import to take the
// run for dead, until the test ends.
func SetImportStale(tb interface{ Cleanup(func()) }, d time.Duration) {
	old := importStale
	importStale = d
	tb.Cleanup(func() { importStale = old })
}

// PendingImports counts the sessions listed in import_pending.
func (db *DB) PendingImports() (int, error) {
	var n int
	err := db.r.QueryRow(`SELECT count(*) FROM import_pending`).Scan(&n)
	return n, err
}

// SetAdaptiveGather turns the writer's adaptive batch window on or off
// (see gatherWindow) until the test or benchmark ends.
func SetAdaptiveGather(t interface{ Cleanup(func()) }, on bool) {
	old := adaptiveGather
	adaptiveGather = on
	t.Cleanup(func() { adaptiveGather = old })
}

// GatherWindow is gatherWindow.
func GatherWindow(interval time.Duration, chunks int) time.Duration {
	return gatherWindow(interval, chunks)
}

// PacketNow records packet p of session sid now, as the observer method
// Packet does for a session whose id is sid.
func (r *Recorder) PacketNow(sid string, dir engine.Direction, transport string, p engine.Packet) {
	r.recordPacket(time.Time{}, sid, dir, transport, p, true)
}
