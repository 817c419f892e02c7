package inspector

import (
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Test hooks: they feed a Recorder as its observer methods do, without an
// engine.Session, at a chosen time.

// OpenAt records the opening of session sid.
func (r *Recorder) OpenAt(at time.Time, sid, path, client, addr, agent, transport string) {
	r.push(item{kind: kindOpened, at: at.UnixMicro(), sid: sid, transport: transport,
		open: &openInfo{path: path, client: client, addr: addr, agent: agent}})
}

// UpgradeAt records an upgrade of session sid.
func (r *Recorder) UpgradeAt(at time.Time, sid, transport string) {
	r.push(item{kind: kindUpgraded, at: at.UnixMicro(), sid: sid, transport: transport})
}

// CloseAt records the end of session sid.
func (r *Recorder) CloseAt(at time.Time, sid, reason string) {
	r.push(item{kind: kindClosed, at: at.UnixMicro(), sid: sid, text: reason})
}

// PacketAt records packet p of session sid.
func (r *Recorder) PacketAt(at time.Time, sid string, dir engine.Direction, transport string, p engine.Packet) {
	r.push(item{kind: kindPacket, at: at.UnixMicro(), sid: sid, dir: dir, transport: transport,
		eio: p.Type, binary: p.Binary, data: wireBytes(p)})
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
