package engine

import (
	"errors"
	"fmt"
	"io"
	"net"
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
	// From here on the engine reads and writes the raw connection itself:
	// gorilla's Conn, and its buffers, go with this function.
	nc := conn.NetConn()
	s := srv.newSession(r, TransportWebSocket, protocol)
	s.attachWS(newWSOut(nc))
	if !srv.openSession(s) {
		nc.Close()
		return
	}
	// The request's goroutine returns, releasing net/http's per-connection
	// state (its 4 KiB reader among it).
	s.startReading(nc, nil)
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
	nc := conn.NetConn()
	o := newWSOut(nc)
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.probe = nc
	s.upgradeTimer = time.AfterFunc(s.st.UpgradeTimeout, func() {
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "client did not complete upgrade - closing transport")
		}
		s.endProbe(nc)
	})
	s.mu.Unlock()
	if srv.obs != nil {
		srv.debug(DebugServer, s.id, "upgrading existing transport")
		srv.debug(DebugSocket, s.id, `might upgrade socket transport from "polling" to "websocket"`)
	}
	go func() {
		fr := getFrameReader(nc, nil)
		if !s.probeLoop(fr, nc, o) {
			putFrameReader(fr)
			return
		}
		// what the client sent after "5" may be in fr already
		s.startReading(nc, fr)
	}()
}

// probeLoop reads the probing WebSocket until the client sends "5" (it
// returns true: the session is on this WebSocket now) or the probe fails.
func (s *Session) probeLoop(fr *frameReader, conn net.Conn, o *wsOut) bool {
	srv := s.srv
	for {
		mt, data, err := readMessage(fr, o, s.st.MaxHTTPBufferSize, false)
		if err != nil {
			if srv.obs != nil {
				srv.debug(DebugSocket, s.id, "client did not complete upgrade - transport closed")
			}
			s.endProbe(conn)
			return false
		}
		if mt == 0 {
			continue // a control frame, answered
		}
		if srv.obs != nil {
			srv.debugReceived(s.id, data, mt == opBinary)
		}
		p, err := s.decodeFrame(data, mt == opBinary)
		if err == nil && mt == opText && !utf8.Valid(data) {
			o.control(opClose, websocket.FormatCloseMessage(websocket.CloseInvalidFramePayloadData, ""))
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
			o.acquire(-1)
			err := o.write(s.appendWSFrame(nil, pong), s.st.writeTimeout())
			o.conn.SetWriteDeadline(time.Time{})
			o.release()
			if err != nil {
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
			return s.completeUpgrade(conn, o)
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
func (s *Session) endProbe(conn net.Conn) {
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
func (s *Session) completeUpgrade(conn net.Conn, o *wsOut) bool {
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
	s.attachWS(o)
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

// onFrame handles one message read from the WebSocket; it reports whether
// to read on. With inline, the message may leave work to the caller's
// goroutine, which it returns (see InlineHandler).
func (s *Session) onFrame(mt int, data []byte, inline bool) (ok bool, after func()) {
	srv := s.srv
	select {
	case <-s.done:
		return true, nil // closed for an earlier message: drained until the client closes
	default:
	}
	binary := mt == opBinary
	if srv.debugPackets() {
		srv.debugReceived(s.id, data, binary)
	}
	if !binary && !utf8.Valid(data) {
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "invalid UTF-8 in a text frame")
		}
		s.failWebSocket(ReasonTransportError, websocket.CloseInvalidFramePayloadData)
		return true, nil // the reader drains until the client closes
	}
	p, err := s.decodeFrame(data, binary)
	if err != nil {
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "parse error: %v", err)
		}
		srv.closeSession(s, ReasonParseError, PacketClose)
		return false, nil
	}
	if p.Type == PacketClose {
		if srv.obs != nil {
			srv.obs.Packet(s, In, TransportWebSocket, p)
		}
		srv.closeSession(s, ReasonTransportClose, PacketClose)
		return false, nil
	}
	return true, s.onPacketInline(p, TransportWebSocket, inline)
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
func (s *Session) writeLoop() {
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
		s.closeCode = code
	}
	s.mu.Unlock()
	s.srv.closeSession(s, reason, PacketClose)
}

// lingerClose leaves conn, the WebSocket of a session that has ended and
// sent its close frame, to its reader, which reads and drops what the
// client still sends and closes conn at the client's close frame (or
// drains it to the end, see drainAndClose). Whatever the client does, it
// is closed after closeDrainTimeout.
func (s *Session) lingerClose(conn net.Conn) {
	time.AfterFunc(closeDrainTimeout, func() {
		conn.Close()
		s.srv.netpollDone(s)
	})
}

// drainAndClose reads and drops what the client still sends, until it
// closes its end or lingerClose's timer closes conn, then closes conn. Closing a connection with unread data resets it, and a
// client that notices the reset while it writes (Node's ws does) reports
// 1006 rather than the close frame it was sent, as the official server's
// clients never see. The caller is the connection's only reader.
func drainAndClose(conn net.Conn) {
	io.Copy(io.Discard, conn)
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
