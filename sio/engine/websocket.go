package engine

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// noopInterval is how often a pending polling GET is answered with a noop
// while a probed WebSocket waits for the client's upgrade packet.
const noopInterval = 100 * time.Millisecond

// noopGrace spares a GET that arrived this recently from the periodic
// noop: it may be racing the client's upgrade packet, and is answered at
// the next tick anyway.
const noopGrace = 50 * time.Millisecond

// closeFrameTimeout bounds the write of the close frame when the engine
// closes a WebSocket.
const closeFrameTimeout = 100 * time.Millisecond

// closeDrainTimeout bounds how long a WebSocket closed for what its client
// sent (1007, 1009) is read and drained after the close frame, waiting for
// the client to close its end (see drainAndClose).
const closeDrainTimeout = 10 * time.Second

// serveWebSocket opens a session directly over WebSocket and starts its
// reader.
func (srv *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, protocol int) {
	conn, err := srv.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	conn.SetReadLimit(srv.st.MaxHTTPBufferSize)
	s := srv.newSession(r, TransportWebSocket, protocol)
	s.attachWS(conn)
	if !srv.openSession(s) {
		conn.Close()
		return
	}
	// A fresh goroutine with a small stack reads from here on, and the
	// request's goroutine returns, releasing net/http's per-connection
	// state (its 4 KiB reader among it).
	go s.readLoop(conn)
}

var errInvalidUTF8 = errors.New("engine: invalid UTF-8 in a text frame")

type probeResult uint8

const (
	probeReserved probeResult = iota // s is upgrading through the caller's WebSocket
	probeRefused                     // s is upgrading, upgraded, or may not upgrade
	probeClosed                      // s has ended
)

// reserveProbe checks that s may start an upgrade and marks it upgrading,
// so that a second WebSocket with the same sid is refused.
func (s *Session) reserveProbe() probeResult {
	srv := s.srv
	s.mu.Lock()
	var why string
	res := probeRefused
	switch {
	case s.state == stateClosed:
		why, res = "upgrade attempt for closed client", probeClosed
	case s.upgrade == upgradeProbing:
		why = "transport has already been trying to upgrade"
	case s.upgrade == upgradeDone || s.transport != TransportPolling:
		why = "transport had already been upgraded"
	case s.st.DisableUpgrades:
		why = "upgrades are disabled"
	default:
		s.upgrade = upgradeProbing
		res = probeReserved
	}
	s.mu.Unlock()
	if why != "" && srv.obs != nil {
		srv.debug(DebugServer, s.id, why)
	}
	return res
}

// serveProbe runs the WebSocket that a polling session is upgrading to:
// probe, then (on "5") the session's reader.
func (srv *Server) serveProbe(w http.ResponseWriter, r *http.Request, s *Session) {
	conn, err := srv.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.mu.Lock()
		s.upgrade = upgradeNone
		s.mu.Unlock()
		return
	}
	conn.SetReadLimit(srv.st.MaxHTTPBufferSize)
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.probe = conn
	s.upgradeTimer = time.AfterFunc(s.st.UpgradeTimeout, func() {
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "client did not complete upgrade - closing transport")
		}
		s.endProbe(conn)
	})
	s.mu.Unlock()
	if srv.obs != nil {
		srv.debug(DebugServer, s.id, "upgrading existing transport")
		srv.debug(DebugSocket, s.id, `might upgrade socket transport from "polling" to "websocket"`)
	}
	go func() {
		if s.probeLoop(conn) {
			// a fresh reader: probing has grown this goroutine's stack
			go s.readLoop(conn)
		}
	}()
}

// probeLoop reads the probing WebSocket until the client sends "5" (it
// returns true: the session is on this WebSocket now) or the probe fails.
func (s *Session) probeLoop(conn *websocket.Conn) bool {
	srv := s.srv
	for {
		mt, data, err := conn.ReadMessage()
		if err != nil {
			if srv.obs != nil {
				srv.debug(DebugSocket, s.id, "client did not complete upgrade - transport closed")
			}
			s.endProbe(conn)
			return false
		}
		if srv.obs != nil {
			srv.debugReceived(s.id, data, mt == websocket.BinaryMessage)
		}
		p, err := s.decodeFrame(data, mt == websocket.BinaryMessage)
		if err == nil && mt == websocket.TextMessage && !utf8.Valid(data) {
			closeFrame(conn, websocket.CloseInvalidFramePayloadData)
			err = errInvalidUTF8
		}
		if err == nil && srv.obs != nil {
			srv.obs.Packet(s, In, TransportWebSocket, p)
		}
		switch {
		case err == nil && p.Type == PacketPing && string(p.Data) == "probe":
			if srv.obs != nil {
				srv.debug(DebugSocket, s.id, "got probe ping packet, sending pong")
			}
			pong := Packet{Type: PacketPong, Data: []byte("probe")}
			conn.SetWriteDeadline(time.Now().Add(s.st.writeTimeout()))
			if err := s.writePacket(conn, pong); err != nil {
				s.endProbe(conn)
				return false
			}
			if srv.obs != nil {
				srv.obs.Packet(s, Out, TransportWebSocket, pong)
			}
			s.mu.Lock()
			sent := false
			if s.probe == conn && s.state != stateClosed {
				sent = s.sendNoopLocked()
				if s.noopTimer == nil {
					s.noopTimer = time.AfterFunc(noopInterval, s.noopTick)
				} else {
					s.noopTimer.Reset(noopInterval)
				}
			}
			s.mu.Unlock()
			if sent && srv.obs != nil {
				s.debugNoop()
			}
		case err == nil && p.Type == PacketUpgrade:
			return s.completeUpgrade(conn)
		default:
			if srv.obs != nil {
				srv.debug(DebugSocket, s.id, "client did not complete upgrade - unexpected packet on the probe")
			}
			s.endProbe(conn)
			return false
		}
	}
}

// noopTick answers the pending GET with a noop while the upgrade waits, so
// the client can pause polling at once; it repeats every noopInterval.
func (s *Session) noopTick() {
	s.mu.Lock()
	if s.probe == nil || s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	sent := false
	if time.Since(s.pollSince) >= noopGrace {
		sent = s.sendNoopLocked()
	}
	s.noopTimer.Reset(noopInterval)
	s.mu.Unlock()
	if sent && s.srv.obs != nil {
		s.debugNoop()
	}
}

// sendNoopLocked queues a noop for the pending GET, if one waits with
// nothing to take. It reports whether it did.
func (s *Session) sendNoopLocked() bool {
	if s.transport != TransportPolling || !s.pollPending || len(s.queue) > 0 {
		return false
	}
	s.queue = append(s.queue, Packet{Type: PacketNoop})
	s.kickLocked()
	return true
}

func (s *Session) debugNoop() {
	s.srv.debug(DebugSocket, s.id, "writing a noop packet to polling for fast upgrade")
}

// endProbe gives up the upgrade through conn, if it is still the probe:
// polling goes on.
func (s *Session) endProbe(conn *websocket.Conn) {
	s.mu.Lock()
	if s.probe == conn {
		s.probe = nil
		s.upgrade = upgradeNone
		if s.upgradeTimer != nil {
			s.upgradeTimer.Stop()
		}
		if s.noopTimer != nil {
			s.noopTimer.Stop()
		}
	}
	s.mu.Unlock()
	conn.Close()
}

// completeUpgrade switches s to conn: polling is discarded (a GET still
// pending gets 400, as any later one) and the queue is written on the
// WebSocket from now.
func (s *Session) completeUpgrade(conn *websocket.Conn) bool {
	srv := s.srv
	s.mu.Lock()
	if s.probe != conn || s.state == stateClosed {
		s.mu.Unlock()
		conn.Close()
		return false
	}
	s.probe = nil
	s.upgrade = upgradeDone
	s.upgradeTimer.Stop()
	if s.noopTimer != nil {
		s.noopTimer.Stop()
	}
	s.transport = TransportWebSocket
	s.attachWS(conn)
	s.queue = slices.DeleteFunc(s.queue, func(p Packet) bool { return p.Type == PacketNoop })
	if s.pollPending {
		select {
		case s.pollWake <- struct{}{}:
		default:
		}
	}
	s.kickLocked()
	s.mu.Unlock()
	if srv.obs != nil {
		srv.debug(DebugSocket, s.id, "got upgrade packet - upgrading")
		srv.obs.Upgraded(s, TransportWebSocket)
	}
	return true
}

// readLoop reads the session's WebSocket until it fails or the session
// ends. It is the only goroutine an idle WebSocket session holds, so it
// does as little as it can: it waits for the next message to begin and
// hands it to the frame handler (see handFrame), which reads it to the end
// and handles it. Reading and handling a message take more stack than
// waiting does; on this goroutine they would grow its stack for good (the
// runtime only shrinks a stack that is three quarters unused), so that
// even an idle session would keep a stack of 4 KiB or more rather than
// 2 KiB.
func (s *Session) readLoop(conn *websocket.Conn) {
	for {
		mt, r, err := conn.NextReader()
		if err != nil {
			s.readFailed(err)
			return
		}
		if !s.handFrame(mt, r) {
			return
		}
	}
}

// readFailed ends the session whose reader failed with err. It is kept
// apart from readLoop to keep readLoop's frame small: an idle reader's
// stack holds that frame and gorilla's, and at about 1.1 KB in all they
// are close to what the runtime's 2 KiB starting stack allows.
//
// When a frame handler is at work, the error goes to it, after the
// messages it has yet to handle: handled here, it could close the session
// before the last of them (a DISCONNECT sent right before a close frame).
//
//go:noinline
func (s *Session) readFailed(err error) {
	s.mu.Lock()
	h := s.frames
	if h != nil {
		h.sent++
	}
	s.mu.Unlock()
	if h == nil {
		s.onFrame(0, nil, err)
		return
	}
	h.in <- wsFrame{err: err}
	<-h.out
}

// frameLinger is how long the frame handler waits for the next message
// once it has handled one, before it ends: a busy connection keeps one
// handler, whose stack has grown to what handling takes, an idle one
// holds none (as with writerLinger).
const frameLinger = 5 * time.Millisecond

// wsFrame is a message the reader has begun to read, for the frame
// handler.
type wsFrame struct {
	mt  int
	r   io.Reader
	err error // instead of a message: the error that ended reading
}

// frameHandler is the goroutine that reads and handles a WebSocket's
// messages for its reader while the connection is busy. Only the reader
// hands it messages, one at a time, and waits for each one's body to be
// read.
type frameHandler struct {
	in    chan wsFrame // from the reader (buffered 1)
	out   chan bool    // to the reader: whether to read on (buffered 1)
	timer *time.Timer  // the handler's own, for frameLinger
	sent  uint64       // messages handed over so far; guarded by Session.mu
}

// handFrame has the frame handler read and handle the message r, starting
// a handler if none is waiting, and reports whether to read on. Messages
// are handled one at a time and in order, as they would be on the reader
// itself, and the next one is not read before this one is handled.
func (s *Session) handFrame(mt int, r io.Reader) bool {
	s.mu.Lock()
	h := s.frames
	if h == nil {
		h = &frameHandler{in: make(chan wsFrame, 1), out: make(chan bool, 1)}
		s.frames = h
		go s.handleFrames(h)
	}
	h.sent++
	s.mu.Unlock()
	h.in <- wsFrame{mt: mt, r: r}
	return <-h.out
}

// handleFrames is the frame handler's goroutine: it handles what the
// reader hands it until the reader stops or no message comes for
// frameLinger.
//
// The reader may wait for the next message as soon as this one's body is
// read: the messages are still handled one at a time, in order, here, and
// the reader and this goroutine work at once rather than by turns. Once a
// message ends the session, the ones the reader still hands over are read
// and dropped (the reader stops when the closed connection fails it).
func (s *Session) handleFrames(h *frameHandler) {
	var got uint64
	ended := false // a message ended the session
	f := <-h.in
	for {
		got++
		if f.err != nil {
			s.onFrame(f.mt, nil, f.err) // then the reader returns, as when it handles the error itself
			h.out <- false
			return
		}
		data, err := io.ReadAll(f.r)
		h.out <- err == nil && !ended
		if err != nil {
			s.onFrame(f.mt, nil, err) // the reader stops: nothing more comes
			return
		}
		if !ended && !s.onFrame(f.mt, data, nil) {
			ended = true
		}
		var ok bool
		if f, ok = s.lingerFrames(h, got); !ok {
			return
		}
	}
}

// lingerFrames waits up to frameLinger for the reader to hand h another
// message, or for the session to end, and returns the message. It returns
// false when none comes: h is then no longer the session's handler, and
// its goroutine ends. got counts the messages h has received.
func (s *Session) lingerFrames(h *frameHandler, got uint64) (wsFrame, bool) {
	if h.timer == nil {
		h.timer = time.NewTimer(frameLinger)
	} else {
		h.timer.Reset(frameLinger)
	}
	select {
	case f := <-h.in:
		h.timer.Stop()
		return f, true
	case <-h.timer.C:
	case <-s.done:
		h.timer.Stop()
	}
	s.mu.Lock()
	if h.sent > got {
		s.mu.Unlock()
		return <-h.in, true // the reader has committed to this handler
	}
	s.frames = nil
	s.mu.Unlock()
	return wsFrame{}, false
}

// onFrame handles one message read from the WebSocket (data), or the
// error that ended reading; it reports whether to read on.
func (s *Session) onFrame(mt int, data []byte, err error) bool {
	srv := s.srv
	if err != nil {
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "read ended: %v", err)
		}
		if errors.Is(err, websocket.ErrReadLimit) {
			// gorilla has sent the close frame (1009)
			s.failWebSocket(ReasonTransportError, websocket.CloseMessageTooBig)
		} else {
			srv.closeSession(s, ReasonTransportClose, PacketClose)
		}
		s.mu.Lock()
		conn, drain := s.ws, s.readerCloses
		s.mu.Unlock()
		if drain {
			drainAndClose(conn)
		}
		return false
	}
	select {
	case <-s.done:
		return true // closed for an earlier message: drained until the client closes
	default:
	}
	binary := mt == websocket.BinaryMessage
	if srv.debugPackets() {
		srv.debugReceived(s.id, data, binary)
	}
	if !binary && !utf8.Valid(data) {
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "invalid UTF-8 in a text frame")
		}
		s.failWebSocket(ReasonTransportError, websocket.CloseInvalidFramePayloadData)
		return true // the reader drains until the client closes
	}
	p, err := s.decodeFrame(data, binary)
	if err != nil {
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "parse error: %v", err)
		}
		srv.closeSession(s, ReasonParseError, PacketClose)
		return false
	}
	if p.Type == PacketClose {
		if srv.obs != nil {
			srv.obs.Packet(s, In, TransportWebSocket, p)
		}
		srv.closeSession(s, ReasonTransportClose, PacketClose)
		return false
	}
	s.onPacket(p, TransportWebSocket)
	return true
}

// writerLinger is how long a WebSocket's writer goroutine waits for more
// packets once the queue is empty before it ends. A busy connection keeps
// one writer, whose stack has grown to what writing takes, rather than
// starting a goroutine (and growing its stack again) for every packet; an
// idle one still holds only its reader.
const writerLinger = 5 * time.Millisecond

// linger waits up to writerLinger for kickLocked to hand the writer more
// to do (it sets writing again), or for the session to end. It reports
// whether the goroutine is the writer again.
func (s *Session) linger() bool {
	if s.lingerT == nil {
		s.lingerT = time.NewTimer(writerLinger)
	} else {
		s.lingerT.Reset(writerLinger)
	}
	select {
	case <-s.wsWake:
		s.lingerT.Stop()
		return true
	case <-s.lingerT.C:
	case <-s.done:
		s.lingerT.Stop()
	}
	s.mu.Lock()
	if s.lingering {
		// Idle: let the channel and the timer go with the goroutine,
		// so that an idle session holds neither.
		s.lingering = false
		s.wsWake, s.lingerT = nil, nil
		s.spare = nil
		if len(s.queue) == 0 {
			s.queue = nil
		}
		// Else a Send queued behind a writeNow still in progress (which
		// holds s.writing, so nobody kicked this goroutine): writeNow
		// kicks a new writer for it when it is done. Dropping the queue
		// here lost those packets.
		s.mu.Unlock()
		return false
	}
	s.mu.Unlock()
	<-s.wsWake // kickLocked took this goroutine at the last moment
	return true
}

// writeLoop drains the queue into conn; it is started by kickLocked when
// the queue stops being empty, or by writeNow with what it could not write,
// and exits when the queue is empty again, so an idle session holds no
// writer goroutine and no write buffer. After the last packet of a closing
// session it closes the session.
func (s *Session) writeLoop(conn *websocket.Conn) {
	srv := s.srv
	for {
		s.mu.Lock()
		o, rest := s.out, s.partial
		s.partial = nil
		if s.state == stateClosed {
			s.writing = false
			s.mu.Unlock()
			if rest != nil {
				o.release() // writeNow left it with the rest
			}
			return
		}
		batch := s.queue
		// the queue and its spare take turns: no allocation while busy
		s.queue, s.spare = s.spare, nil
		s.writingBytes, s.queueBytes = s.queueBytes, 0 // the last batch is written
		if len(batch) == 0 && rest == nil {
			s.writing = false
			s.queue, s.spare = batch, s.queue // kept while the writer lingers
			closing, reason := s.state == stateClosing, s.closeReason
			if !closing {
				s.lingering = true
				if s.wsWake == nil {
					s.wsWake = make(chan struct{}, 1)
				}
			}
			s.mu.Unlock()
			if closing {
				if srv.obs != nil {
					srv.debug(DebugSocket, s.id, "all packets have been sent, closing the transport")
				}
				srv.closeSession(s, reason, PacketClose)
				return
			}
			if s.linger() {
				continue
			}
			return
		}
		s.mu.Unlock()
		var err error
		if rest != nil {
			err = o.write(rest, s.st.writeTimeout())
			o.conn.SetWriteDeadline(time.Time{})
			o.release()
		}
		if err == nil && len(batch) > 0 {
			err = s.writeBatch(o, batch)
		}
		if err != nil {
			if srv.obs != nil {
				srv.debug(DebugWS, s.id, "write error: %v", err)
			}
			s.mu.Lock()
			s.writing = false
			s.mu.Unlock()
			srv.closeSession(s, ReasonTransportError, PacketClose)
			return
		}
		if srv.obs != nil {
			continue // debug lines may point into batch (see wireFrame): not reused
		}
		clear(batch) // let the data go
		s.mu.Lock()
		if s.spare == nil && cap(batch) <= maxSpareQueue {
			s.spare = batch[:0]
		}
		s.mu.Unlock()
	}
}

// maxSpareQueue is the most packets a queue kept for reuse holds room for:
// a burst past it leaves its queue to the collector.
const maxSpareQueue = 1024

// writeFrame writes p as one WebSocket message without copying its data.
func writeFrame(conn *websocket.Conn, p Packet) error {
	if p.Binary {
		return conn.WriteMessage(websocket.BinaryMessage, p.Data)
	}
	w, err := conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	w.Write(textDigits[p.Type])
	if len(p.Data) > 0 {
		w.Write(p.Data)
	}
	return w.Close()
}

// wireFrame formats a packet written to a WebSocket, for a debug line, as
// the message went out ("4hello"), or "<binary N bytes>". The writer passes
// a pointer into a batch it has taken from the queue, which nothing changes
// afterwards, so that the line costs no allocation until it is formatted.
type wireFrame Packet

// AppendText implements encoding.TextAppender, which formatters of debug
// lines may use instead of Format (see Observer.Debug).
func (f *wireFrame) AppendText(dst []byte) ([]byte, error) {
	if f.Binary {
		dst = append(dst, "<binary "...)
		dst = strconv.AppendInt(dst, int64(len(f.Data)), 10)
		return append(dst, " bytes>"...), nil
	}
	return AppendPacket(dst, Packet(*f)), nil
}

// Format implements fmt.Formatter.
func (f *wireFrame) Format(st fmt.State, verb rune) {
	text, _ := f.AppendText(nil)
	fmt.Fprintf(st, fmt.FormatString(st, verb), text)
}

// debugReceived reports a WebSocket message read from the client.
func (srv *Server) debugReceived(sid string, data []byte, binary bool) {
	if binary {
		srv.debug(DebugWS, sid, "received \"<binary %d bytes>\"", len(data))
	} else {
		srv.debug(DebugWS, sid, "received %q", bytesArg(data)...)
	}
}

// failWebSocket ends the session for what its client sent on the
// WebSocket, with a close frame carrying code; the goroutine that reads the
// connection then drains it and closes it.
func (s *Session) failWebSocket(reason Reason, code int) {
	s.mu.Lock()
	if s.state != stateClosed {
		s.readerCloses, s.closeCode = true, code
	}
	s.mu.Unlock()
	s.srv.closeSession(s, reason, PacketClose)
}

// closeFrame sends a close frame with code, if the connection has not sent
// one yet.
func closeFrame(conn *websocket.Conn, code int) {
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(closeFrameTimeout))
}

// drainAndClose reads and drops what the client still sends, until it
// closes its end or the read deadline (closeDrainTimeout) passes, then
// closes conn. Closing a connection with unread data resets it, and a
// client that notices the reset while it writes (Node's ws does) reports
// 1006 rather than the close frame it was sent, as the official server's
// clients never see. The caller is the connection's only reader.
func drainAndClose(conn *websocket.Conn) {
	io.Copy(io.Discard, conn.NetConn())
	conn.Close()
}

// closeWebSocket closes conn, first sending an empty close frame when no
// writer is busy on it.
func closeWebSocket(conn *websocket.Conn, frame bool) {
	if frame {
		conn.WriteControl(websocket.CloseMessage, nil, time.Now().Add(closeFrameTimeout))
	}
	conn.Close()
}
