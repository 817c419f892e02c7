package engine

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A session's WebSocket frames are written by the engine itself, straight
// to the connection gorilla's upgrader handed over (the engine reads it
// too, see wsread.go). Owning
// the writes lets a broadcast write one frame, built once, to many
// connections, lets several queued frames go out in one write, and lets
// Send write a frame at once, from the goroutine that sends it, when the
// connection's writer is idle: no goroutine is woken for it.
//
// Whoever writes takes the connection's token (wsOut.tok) first and writes
// whole frames while it holds it: the writer goroutine, Send's write at
// once, the close frame of closeSession, the reader's answers to the
// client's ping and close frames. So frames never interleave.

// WebSocket opcodes of the frames the engine writes.
const (
	opText   = 1
	opBinary = 2
	opClose  = 8
	opPong   = 10
)

// wsBatchSize is the most a writer puts in one write: queued frames are
// copied into a buffer of this size and go out together (Engine.IO allows
// one packet per WebSocket message, so whole frames are batched, not
// packets). A longer frame is written on its own, without a copy.
const wsBatchSize = 16 << 10

var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, wsBatchSize); return &b }}

// errCloseSent: a data frame after the close frame, which is not written.
var errCloseSent = errors.New("engine: websocket close frame already sent")

// wsOut is the writing side of a session's WebSocket.
type wsOut struct {
	conn  net.Conn
	tok   chan struct{} // holds one token while nobody writes (buffered 1)
	rawOK bool          // conn takes writes that do not block (rawWriter); immutable

	// guarded by the token
	closeSent bool
	raw       rawWriter
}

// newWSOut returns the writing side of the WebSocket conn.
func newWSOut(conn net.Conn) *wsOut {
	o := &wsOut{conn: conn, tok: make(chan struct{}, 1)}
	o.rawOK = canWriteRaw(o.conn)
	o.tok <- struct{}{}
	return o
}

// attachWS makes o's connection the session's WebSocket: from now on the
// engine writes its frames through o, and its reader (wsread.go) answers
// the client's pings and close frames through o too. The caller holds
// s.mu, or has not published s yet.
func (s *Session) attachWS(o *wsOut) {
	s.ws, s.out = o.conn, o
}

// acquire takes the token, waiting up to wait for it (for ever when wait
// is negative). It reports whether it has it.
func (o *wsOut) acquire(wait time.Duration) bool {
	select {
	case <-o.tok:
		return true
	default:
	}
	if wait == 0 {
		return false
	}
	if wait < 0 {
		<-o.tok
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-o.tok:
		return true
	case <-t.C:
		return false
	}
}

func (o *wsOut) release() { o.tok <- struct{}{} }

// control writes a control frame, waiting at most closeFrameTimeout for
// the token and for the write, as gorilla's WriteControl does. Nothing
// follows a close frame.
func (o *wsOut) control(op byte, payload []byte) {
	if !o.acquire(closeFrameTimeout) {
		return
	}
	defer o.release()
	if o.closeSent {
		return
	}
	var b [2 + 125]byte
	frame := append(appendFrameHeader(b[:0], op, len(payload)), payload...)
	o.conn.SetWriteDeadline(time.Now().Add(closeFrameTimeout))
	o.conn.Write(frame)
	o.conn.SetWriteDeadline(time.Time{})
	if op == opClose {
		o.closeSent = true
	}
}

// write writes b with a deadline timeout from now; the caller holds the
// token.
func (o *wsOut) write(b []byte, timeout time.Duration) error {
	if o.closeSent {
		return errCloseSent
	}
	o.conn.SetWriteDeadline(time.Now().Add(timeout))
	_, err := o.conn.Write(b)
	return err
}

// appendFrameHeader appends the header of an unmasked, final frame with
// opcode op and a payload of n bytes, as a server sends them.
func appendFrameHeader(dst []byte, op byte, n int) []byte {
	dst = append(dst, 0x80|op)
	switch {
	case n <= 125:
		return append(dst, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(dst, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, 127), uint64(n))
	}
}

// wsPayload describes the payload of p's WebSocket message in the session's
// protocol: its opcode, a prefix (the type digit; for a v3 binary message
// the type byte, or "b4" before base64) and its length in all.
func (s *Session) wsPayload(p Packet) (op byte, prefix []byte, n int) {
	switch {
	case !p.Binary:
		return opText, textDigits[p.Type], 1 + len(p.Data)
	case s.protocol != 3:
		return opBinary, nil, len(p.Data)
	case s.b64:
		return opText, b64Prefix, len(b64Prefix) + base64.StdEncoding.EncodedLen(len(p.Data))
	default:
		return opBinary, v3BinaryPrefix, 1 + len(p.Data)
	}
}

var (
	b64Prefix      = []byte{'b', '0' + byte(PacketMessage)}
	v3BinaryPrefix = []byte{byte(PacketMessage)}
)

// appendWSFrame appends p's whole WebSocket frame, in the session's
// protocol, to dst.
func (s *Session) appendWSFrame(dst []byte, p Packet) []byte {
	if f := s.preparedFrame(p); f != nil {
		return append(dst, f...)
	}
	op, prefix, n := s.wsPayload(p)
	dst = append(appendFrameHeader(dst, op, n), prefix...)
	if p.Binary && s.protocol == 3 && s.b64 {
		return base64.StdEncoding.AppendEncode(dst, p.Data)
	}
	return append(dst, p.Data...)
}

// preparedFrame returns the frame Message.Prepared built for p, when it
// fits the session's protocol (v3 sends binary messages its own way).
func (s *Session) preparedFrame(p Packet) []byte {
	if p.frame == nil || p.Binary && s.protocol == 3 {
		return nil
	}
	return p.frame
}

// Prepared returns m with its WebSocket frame built, for a message sent to
// many sessions, as a broadcast is: each WebSocket session then writes
// those same bytes, and nothing is encoded or framed per session. The frame
// holds a copy of Data.
func (m Message) Prepared() Message {
	var s Session
	s.protocol = 4
	m.frame = s.appendWSFrame(nil, Packet{Type: PacketMessage, Data: m.Data, Binary: m.Binary})
	return m
}

// Queued returns m marked as part of a burst: Send does not write it at
// once, even where it could. It is held for one of the server's flushers
// (flush.go), or handed to the session's writer goroutine when that is
// busy. A sender in the middle of a burst (broadcasts back to back) marks
// its messages so: what piles up for a connection meanwhile goes out in
// one system call, where writing each message at once would cost one
// each.
func (m Message) Queued() Message {
	m.queue = true
	return m
}

// writeBatch writes the packets of batch on the session's WebSocket, the
// frames of several in one write where they fit in wsBatchSize, with the
// token held for the whole batch. The caller has taken batch from the
// queue.
func (s *Session) writeBatch(o *wsOut, batch []Packet) error {
	srv := s.srv
	timeout := s.st.writeTimeout()
	bp := batchBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	defer batchBufs.Put(bp)
	o.acquire(-1)
	defer o.release()
	// writes at once (writeNow) fail past a deadline: leave none
	defer o.conn.SetWriteDeadline(time.Time{})
	var frames []any // the arguments of the "writing" lines, in one allocation
	if srv.debugPackets() {
		srv.debug(DebugSocket, s.id, "flushing buffer to transport")
		frames = make([]any, len(batch))
	}
	// Observed before they are written: once written, the client's answer
	// may be read, and observed, before this goroutine goes on.
	if srv.obs != nil {
		for _, p := range batch {
			if !p.observed {
				srv.obs.Packet(s, Out, TransportWebSocket, p)
			}
		}
	}
	for i, p := range batch {
		if frames != nil {
			frames[i] = (*wireFrame)(&batch[i])
			srv.debug(DebugWS, s.id, "writing %q", frames[i:i+1:i+1]...)
		}
		size := len(s.preparedFrame(p))
		if size == 0 {
			_, _, n := s.wsPayload(p)
			size = 10 + n
		}
		if len(buf) > 0 && len(buf)+size > wsBatchSize {
			if err := o.write(buf, timeout); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if size <= wsBatchSize {
			buf = s.appendWSFrame(buf, p)
			continue
		}
		// a long frame on its own: the header, then the data as it is
		if f := s.preparedFrame(p); f != nil {
			if err := o.write(f, timeout); err != nil {
				return err
			}
			continue
		}
		op, prefix, n := s.wsPayload(p)
		if p.Binary && s.protocol == 3 && s.b64 {
			buf = s.appendWSFrame(buf, p) // rare: encoded into the buffer, which grows
		} else {
			if err := o.write(append(appendFrameHeader(buf, op, n), prefix...), timeout); err != nil {
				return err
			}
			buf = p.Data
		}
		err := o.write(buf, timeout)
		buf = (*bp)[:0]
		if err != nil {
			return err
		}
	}
	if len(buf) > 0 {
		if err := o.write(buf, timeout); err != nil {
			return err
		}
	}
	return nil
}

// writeNowGap is how long after its previous Send a message may be
// written at once (see writeNow), in nanoseconds; one that follows sooner
// is held for a flusher (flush.go). Tests set it to 0 to write at once
// whenever the writer is idle.
var writeNowGap = int64(20 * time.Millisecond)

// nowWrites counts the frames writeNow wrote whole: the tests check that
// they took that path.
var nowWrites atomic.Int64

// partialWrites counts the frames writeNow wrote in part, leaving the rest
// to the writer: the tests check that they took that path.
var partialWrites atomic.Int64

// processStart anchors monotime.
var processStart = time.Now()

// monotime returns the monotonic clock, in nanoseconds since processStart.
func monotime() int64 { return int64(time.Since(processStart)) }

// canWriteNowLocked reports whether Send may write a message at once,
// from its own goroutine: the session is on WebSocket and nothing is
// queued or being written. The caller holds s.mu.
func (s *Session) canWriteNowLocked() bool {
	return s.transport == TransportWebSocket && s.out != nil && !s.writing &&
		len(s.queue) == 0 && s.partial == nil && s.out.rawOK
}

// writeNow writes p on the WebSocket from the calling goroutine, without
// waiting. Send calls it for a message that finds the writer idle and
// follows the session's previous one by more than writeNowGap (or answers
// the client): a connection sent messages more often than that has them
// held for a flusher (flush.go), or written by its writer goroutine while
// that is busy, so that the frames go out together rather than one system
// call, and one wake-up of the client, each.
//
// It tries one write that does not block. What the socket does not
// take goes to the writer goroutine: the whole packet at the head of the
// queue when nothing was written, the rest of the frame (s.partial, with
// the token) when part of it was. The caller has set s.writing, so nothing
// else writes meanwhile and packets sent meanwhile wait in the queue,
// behind this one.
func (s *Session) writeNow(o *wsOut, p Packet) {
	frame := s.preparedFrame(p)
	if frame == nil {
		// Built in a pooled buffer: it is only needed until the write (the
		// rest of a partial one is copied out below).
		bp := batchBufs.Get().(*[]byte)
		frame = s.appendWSFrame((*bp)[:0], p)
		defer func() {
			if cap(frame) <= wsBatchSize {
				*bp = frame[:0]
				batchBufs.Put(bp)
			}
		}()
	}
	n := 0
	if o.acquire(0) {
		if !o.closeSent {
			// Observed before it is written, as writeBatch does.
			if s.srv.obs != nil {
				s.observeNow(p)
				p.observed = true
			}
			n = o.raw.write(o.conn, frame)
		}
		if n <= 0 || n == len(frame) {
			o.release()
		}
	}
	s.mu.Lock()
	switch {
	case n == len(frame):
		nowWrites.Add(1)
		s.writing = false
		s.kickLocked() // for what was queued meanwhile, or a close
	case s.state == stateClosed:
		s.writing = false
		if n > 0 {
			o.release()
		}
	case n > 0:
		s.partial = append([]byte(nil), frame[n:]...) // with the token
		partialWrites.Add(1)
		s.startWriterLocked()
	default:
		s.queue = append(s.queue, Packet{})
		copy(s.queue[1:], s.queue)
		s.queue[0] = p
		s.queueBytes += int64(len(p.Data))
		s.startWriterLocked()
	}
	s.mu.Unlock()
}

// observeNow tells the observer about a packet writeNow is about to write.
func (s *Session) observeNow(p Packet) {
	if s.srv.debugPackets() {
		s.debugNow(p)
	}
	s.srv.obs.Packet(s, Out, TransportWebSocket, p)
}

// debugNow writes the debug lines of a packet writeNow is about to write.
// It is apart so that p is only moved to the heap when the lines are
// wanted: an observer that wants none (a recorder) costs no allocation.
func (s *Session) debugNow(p Packet) {
	s.srv.debug(DebugSocket, s.id, "flushing buffer to transport")
	s.srv.debug(DebugWS, s.id, "writing %q", (*wireFrame)(&p))
}
