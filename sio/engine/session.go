package engine

import (
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// Message is one message packet to send. Data is shared, not copied: it must
// not be modified after Send, so one encoded message can be sent to many
// sessions.
type Message struct {
	Data   []byte
	Binary bool

	frame []byte // see Prepared
	queue bool   // see Queued
}

type sessionState uint8

const (
	stateOpen    sessionState = iota // next: stateClosing or stateClosed
	stateClosing                     // Session.Close called: flushing; next: stateClosed
	stateClosed                      // final
)

// Session is one Engine.IO client connection, across its transports.
//
// Concurrency: all methods may be called from any goroutine, including from
// inside the SessionHandler's methods. Send never blocks: it appends to the
// session's bounded queue, which is the single source of truth for what
// leaves the server; a polling GET or the WebSocket writer drains it. The
// queue survives an upgrade, so no packet is lost or sent twice across the
// switch.
type Session struct {
	srv *Server
	st  *settings
	id  string       // immutable
	hs  handshakeReq // what Request needs of the handshake request; immutable
	// protocol is the Engine.IO version, 4, or 3 with Config.AllowEIO3;
	// b64 says a v3 client asked for binary messages as base64 text.
	// Both immutable.
	protocol uint8
	b64      bool
	// openAlone: the polling handshake of a v3 session is answered with
	// the open packet alone (guarded by mu)
	openAlone bool

	// cbMu serializes handler callbacks (Open, Message); handler is set
	// under it (and mu) once Open returns.
	cbMu    sync.Mutex
	handler SessionHandler

	done chan struct{} // closed by closeSession

	// mu guards everything below.
	mu         sync.Mutex
	state      sessionState
	transport  string   // "polling" or "websocket"
	queue      []Packet // outbound packets not yet taken by a transport
	queueBytes int64    // message data in queue
	// message data the WebSocket writer has taken from queue and not yet
	// written; with queueBytes, what MaxBufferedBytes bounds
	writingBytes int64
	closeReason  Reason     // asked for by Session.Close, then the final one
	pollFinal    PacketType // what a pending GET answers once closed

	// polling
	pollWake    chan struct{} // wakes the pending GET (buffered 1); nil for WebSocket sessions
	pollPending bool          // a GET is waiting
	pollSince   time.Time     // when it started waiting
	posting     bool          // a POST is being handled
	// the POST's, while its body is read: closeSession moves its read
	// deadline to the past, which ends the read, so that the request and
	// its buffer go with the session
	postBody     *http.ResponseController
	clientClosed bool // the client sent a close packet (state is stateClosing)
	closeNoop    bool // Session.Close found no GET waiting: the close packet follows a noop

	// websocket
	ws       net.Conn // the transport's connection once on WebSocket
	out      *wsOut   // writes ws's frames; set with ws (attachWS)
	writing  bool     // a writer goroutine, or Send writing at once (writeNow), is writing to ws
	partial  []byte   // the rest of a frame writeNow wrote in part: the writer, which has the token, writes it first
	spare    []Packet // an empty queue with room, which the writer hands back while busy
	lastSend int64    // monotime of the last Send on WebSocket
	heard    bool     // a message came from the client since the last Send (see Send)
	// lingering: the writer goroutine waits for more (see writerLinger).
	// Not a state of writing's: Send may write at once while the goroutine
	// lingers, so the two are separate facts.
	lingering bool
	held      bool          // on a flusher's list (flush.go)
	wsWake    chan struct{} // wakes a lingering writer (buffered 1)
	lingerT   *time.Timer   // the writer goroutine's own
	// the session's registration with the server's poller, while its
	// WebSocket is read through it (netpoll_linux.go); set before the
	// connection is registered, then immutable
	polled *polled
	// The session has ended and its WebSocket is left to its reader, which
	// drains it and closes it (see lingerClose); closeCode, when not zero,
	// is the code of the close frame sent for what the client sent (a
	// frame over the limit, invalid UTF-8, a protocol error).
	readerCloses bool
	closeCode    int

	// upgrade
	probe        net.Conn // the probing WebSocket while upgrading
	upgrade      upgradeState
	upgradeTimer *time.Timer
	noopTimer    *time.Timer

	// heartbeat: one timer, whose firing hb says what to do with; hbDue
	// tells a stale firing from a real one.
	hbTimer *time.Timer
	hbDue   time.Time
	hb      heartbeatState

	dropped bool // Faults.Drop was called: no close frame, a pending GET is aborted

	closeTimer *time.Timer // polling Session.Close: CloseTimeout

	inCallback  bool // a handler callback is running
	handlerDone bool // the handler's Close has been called or is being called
}

// heartbeatState is where a session's heartbeat stands. Its transitions
// are in armPingLocked, awaitClientPingLocked, heartbeat, stopHeartbeatLocked
// and Faults.StopHeartbeat.
type heartbeatState uint8

const (
	// hbToPing: the timer, when armed, sends the next ping.
	hbToPing heartbeatState = iota
	// hbAwaiting: a ping went out and its pong is awaited, or, on a v3
	// session, the client's next ping is; the timer closes the session
	// with ReasonPingTimeout. Next: hbToPing, or hbStopped.
	hbAwaiting
	// hbStopped: Faults.StopHeartbeat was called; nothing arms the timer
	// again. Final.
	hbStopped
)

// upgradeState is where a session's upgrade to WebSocket stands. Its
// transitions are in reserveProbe, serveProbe and the probe's end.
type upgradeState uint8

const (
	upgradeNone    upgradeState = iota // no probe; next: upgradeProbing
	upgradeProbing                     // a probe is reserved or attached; next: upgradeNone (it failed) or upgradeDone
	upgradeDone                        // upgraded to WebSocket; final
)

// ID returns the session id, the sid of the protocol.
func (s *Session) ID() string { return s.id }

// Protocol returns the Engine.IO protocol version the client speaks: 4, or
// 3 for a socket.io-client 2.x accepted with Config.AllowEIO3.
func (s *Session) Protocol() int { return int(s.protocol) }

// Transport returns the current transport: "polling" or "websocket".
func (s *Session) Transport() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transport
}

// Request returns a copy of the handshake request: its method, URL, request
// URI, protocol version, Header, Host, RemoteAddr and TLS state, with Body
// http.NoBody and context.Background() for its context (the values the
// HTTP server put in the request's context, and the other fields, are not
// kept). Each call builds a new one from what the session keeps of the
// request, so that an idle session does not hold a request someone once
// asked for: call it once and keep what you need.
func (s *Session) Request() *http.Request { return s.hs.request() }

// Done returns a channel that is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Send queues msgs, all together or none, and returns at once; it never
// blocks on the network. It returns ErrClosed once the session is closing or
// closed, and ErrQueueFull when the queue would exceed
// Config.MaxBufferedPackets or Config.MaxBufferedBytes, in which case the
// session is closed with ReasonTransportError.
func (s *Session) Send(msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return ErrClosed
	}
	var size int64
	for _, m := range msgs {
		size += int64(len(m.Data))
	}
	held := s.queueBytes + s.writingBytes
	if len(s.queue)+len(msgs) > s.st.MaxBufferedPackets || held > 0 && held+size > s.st.MaxBufferedBytes {
		s.mu.Unlock()
		if s.srv.obs != nil {
			s.srv.debug(DebugSocket, s.id, "outbound queue full (%d packets and %d bytes at most)", s.st.MaxBufferedPackets, s.st.MaxBufferedBytes)
		}
		s.srv.closeSession(s, ReasonTransportError, PacketClose)
		return ErrQueueFull
	}
	// A message of a burst is not written at once, as more will follow
	// (Message.Queued), nor is one that follows the session's previous one
	// within writeNowGap: they are held for a flusher (flush.go), or go to
	// the writer goroutine when it is busy or lingers. The first one after
	// the client sent a message is a reply (an ack, most often), written
	// at once whatever the gap: a client waiting for it sends nothing
	// more, so no batch would form. Any other is written at once when it
	// can be.
	now := len(msgs) == 1 && !msgs[0].queue && s.canWriteNowLocked()
	hold := false
	if s.transport == TransportWebSocket {
		t := monotime()
		now = now && (t-s.lastSend > writeNowGap || s.heard)
		// Not at once, and nothing writes now: held for a flusher
		// (flush.go), rather than a writer goroutine started for it.
		hold = !now && !s.heard && !s.writing && !s.lingering && s.out != nil && s.out.rawOK && s.partial == nil
		s.lastSend, s.heard = t, false
	}
	if now {
		s.writing = true
	} else {
		for _, m := range msgs {
			s.queue = append(s.queue, Packet{Type: PacketMessage, Data: m.Data, Binary: m.Binary, frame: m.frame})
		}
		s.queueBytes += size
		if hold {
			s.holdLocked()
		} else {
			s.kickLocked()
		}
	}
	o := s.out
	s.mu.Unlock()
	if s.srv.debugPackets() {
		for _, m := range msgs {
			if m.Binary {
				s.srv.debug(DebugSocket, s.id, "sending packet \"message\" (<binary %d bytes>)", len(m.Data))
			} else {
				s.srv.debug(DebugSocket, s.id, "sending packet \"message\" (%s)", bytesArg(m.Data)...)
			}
		}
	}
	if now {
		m := msgs[0]
		s.writeNow(o, Packet{Type: PacketMessage, Data: m.Data, Binary: m.Binary, frame: m.frame})
	}
	return nil
}

// Writable reports whether a packet sent now would go out at once: a
// polling GET is waiting, or the WebSocket writer is idle. Use it to drop
// volatile packets instead of queueing them.
func (s *Session) Writable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateOpen {
		return false
	}
	if s.transport == TransportWebSocket {
		return !s.writing
	}
	return s.pollPending && len(s.queue) == 0
}

// Close ends the session with reason once the packets already queued have
// been written: on WebSocket the socket is closed after the last one; on
// polling they go to the pending GET, or to the next one, and a close
// packet to the GET after them (at most Config.CloseTimeout later; with
// nothing queued, to the pending or next GET). The handler's Close(reason)
// follows. Close is
// safe from inside Message (the handler's Close then runs after Message
// returns) and does nothing once the session is closing or closed.
func (s *Session) Close(reason Reason) {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.state = stateClosing
	s.closeReason = reason
	s.stopHeartbeatLocked()
	n := len(s.queue)
	if s.transport == TransportPolling {
		s.closeNoop = !s.pollPending
		s.closeTimer = time.AfterFunc(s.st.CloseTimeout, func() {
			s.srv.closeSession(s, reason, PacketClose)
		})
	}
	s.kickLocked()
	s.mu.Unlock()
	if s.srv.obs != nil {
		if n > 0 {
			s.srv.debug(DebugSocket, s.id, "there are %d remaining packets in the buffer, waiting for the 'drain' event", n)
		} else {
			s.srv.debug(DebugSocket, s.id, "the buffer is empty, closing the transport right away")
		}
	}
}

// kickLocked makes the current transport take the queue: it wakes the
// pending GET, or starts the WebSocket writer when it is idle and there is
// something to write (or a close to carry out).
func (s *Session) kickLocked() {
	if s.state == stateClosed {
		return
	}
	switch s.transport {
	case TransportPolling:
		if s.pollPending {
			select {
			case s.pollWake <- struct{}{}:
			default:
			}
		}
	case TransportWebSocket:
		if !s.writing && s.ws != nil && (len(s.queue) > 0 || s.state == stateClosing) {
			s.writing = true
			s.startWriterLocked()
		}
	}
}

// startWriterLocked wakes the lingering writer goroutine or starts one; the
// caller has set s.writing.
func (s *Session) startWriterLocked() {
	if s.lingering {
		s.lingering = false
		s.wsWake <- struct{}{} // buffered, and only the writer receives
	} else {
		go s.writeLoop()
	}
}

// armPingLocked schedules the next ping PingInterval from now, unless the
// heartbeat was stopped (Faults.StopHeartbeat).
func (s *Session) armPingLocked() {
	if s.hb == hbStopped {
		return
	}
	s.hb = hbToPing
	s.hbDue = time.Now().Add(s.st.PingInterval)
	if s.hbTimer == nil {
		s.hbTimer = time.AfterFunc(s.st.PingInterval, s.heartbeat)
	} else {
		s.hbTimer.Reset(s.st.PingInterval)
	}
}

func (s *Session) stopHeartbeatLocked() {
	if s.hbTimer != nil {
		s.hbTimer.Stop()
	}
	if s.hb != hbStopped {
		s.hb = hbToPing
	}
	s.hbDue = time.Time{}
}

// heartbeat runs when the heartbeat timer fires: it sends a ping, or closes
// the session when the pong it waited for did not come.
func (s *Session) heartbeat() {
	s.mu.Lock()
	if s.state != stateOpen || s.hbDue.IsZero() || time.Now().Before(s.hbDue) {
		s.mu.Unlock() // stale firing: the timer was reset meanwhile
		return
	}
	if s.hb == hbAwaiting {
		s.mu.Unlock()
		s.srv.closeSession(s, ReasonPingTimeout, PacketClose)
		return
	}
	s.hb = hbAwaiting
	s.hbDue = time.Now().Add(s.st.PingTimeout)
	s.hbTimer.Reset(s.st.PingTimeout)
	s.queue = append(s.queue, Packet{Type: PacketPing})
	s.kickLocked()
	s.mu.Unlock()
	if s.srv.obs != nil {
		s.srv.debug(DebugSocket, s.id, "writing ping packet - expecting pong within %dms", s.st.PingTimeout.Milliseconds())
	}
}

// closeIfOverdue closes s with ReasonPingTimeout if its pong is overdue:
// the timer that would close it has expired but not run yet, which happens
// on a busy machine. Requests check it first, as the official server's
// event loop runs expired timers before it reads requests, so that a dead
// session does not answer. It reports whether s was closed.
func (s *Session) closeIfOverdue() bool {
	s.mu.Lock()
	overdue := s.state == stateOpen && s.hb == hbAwaiting && !time.Now().Before(s.hbDue)
	s.mu.Unlock()
	if overdue {
		s.srv.closeSession(s, ReasonPingTimeout, PacketClose)
	}
	return overdue
}

func (s *Session) onPong() {
	s.mu.Lock()
	if s.hb != hbAwaiting || s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.armPingLocked()
	s.mu.Unlock()
	if s.srv.obs != nil {
		s.srv.debug(DebugSocket, s.id, "got pong")
	}
}

func (s *Session) stopTimersLocked() {
	s.stopHeartbeatLocked()
	for _, t := range []*time.Timer{s.upgradeTimer, s.noopTimer, s.closeTimer} {
		if t != nil {
			t.Stop()
		}
	}
}

// onPacket handles one decoded packet from the client, other than close
// (which each transport handles itself).
func (s *Session) onPacket(p Packet, transport string) {
	s.onPacketInline(p, transport, false)
}

// onPacketInline is onPacket; with inline, a message may leave work to the
// caller's goroutine, which it returns (see InlineHandler).
func (s *Session) onPacketInline(p Packet, transport string, inline bool) (after func()) {
	srv := s.srv
	if srv.obs != nil {
		srv.obs.Packet(s, In, transport, p)
		if srv.debugPackets() {
			srv.debug(DebugSocket, s.id, "received packet %s", p.Type)
		}
	}
	switch p.Type {
	case PacketPing, PacketPong:
		// v4: the server pings and the client answers; v3: the other way
		clientPings := s.protocol == 3
		switch {
		case p.Type == PacketPong && !clientPings:
			s.onPong()
		case p.Type == PacketPing && clientPings:
			s.onClientPing()
		default:
			if srv.obs != nil {
				srv.debug(DebugSocket, s.id, "transport error: invalid heartbeat direction")
			}
			srv.closeSession(s, ReasonTransportError, PacketClose)
		}
	case PacketMessage:
		return s.deliver(p.Data, p.Binary, inline)
	}
	return nil
}

// runOpen calls the Handler's Open, as a callback: a Close during it is
// delivered after it returns. The caller holds cbMu.
func (s *Session) runOpen() {
	s.mu.Lock()
	s.inCallback = true
	s.mu.Unlock()
	var h SessionHandler
	func() {
		defer s.recoverCallback("Open")
		h = s.srv.handler.Open(s)
	}()
	if h == nil {
		h = nopHandler{}
	}
	s.finishCallback(h)
}

// deliver hands one message to the handler.
func (s *Session) deliver(data []byte, binary bool, inline bool) (after func()) {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return nil
	}
	s.inCallback = true
	s.heard = true
	h := s.handler
	s.mu.Unlock()
	func() {
		defer s.recoverCallback("Message")
		if ih, ok := h.(InlineHandler); ok && inline {
			after = ih.MessageInline(data, binary)
		} else {
			h.Message(data, binary)
		}
	}()
	s.finishCallback(nil)
	return after
}

// finishCallback ends a callback; if the session closed meanwhile it calls
// the handler's Close, which closeSession left to it.
func (s *Session) finishCallback(h SessionHandler) {
	s.mu.Lock()
	if h != nil {
		s.handler = h
	}
	s.inCallback = false
	run := s.state == stateClosed && !s.handlerDone
	if run {
		s.handlerDone = true
	}
	h, reason := s.handler, s.closeReason
	s.mu.Unlock()
	if run {
		s.callClose(h, reason)
	}
}

func (s *Session) callClose(h SessionHandler, reason Reason) {
	if h == nil {
		return
	}
	defer s.recoverCallback("Close")
	h.Close(reason)
}

func (s *Session) recoverCallback(name string) {
	if v := recover(); v != nil {
		s.st.logger.Error("engine: panic in session handler", "method", name, "sid", s.id, "panic", v, "stack", string(debug.Stack()))
		if name != "Close" {
			s.srv.closeSession(s, ReasonTransportError, PacketClose)
		}
	}
}

type nopHandler struct{}

func (nopHandler) Message([]byte, bool) {}
func (nopHandler) Close(Reason)         {}

// debugBytes is a []byte argument of a debug line: it formats as the bytes
// it points to, as a []byte would with the same verb ("%s", "%q").
type debugBytes []byte

// AppendText implements encoding.TextAppender, which formatters of debug
// lines may use instead of Format (see Observer.Debug).
func (b *debugBytes) AppendText(dst []byte) ([]byte, error) { return append(dst, *b...), nil }

// Format implements fmt.Formatter.
func (b *debugBytes) Format(st fmt.State, verb rune) {
	fmt.Fprintf(st, fmt.FormatString(st, verb), []byte(*b))
}

// bytesArg returns the arguments of a debug line whose only argument is b,
// in one allocation where passing b itself would take two (the argument
// slice and b's boxed header).
func bytesArg(b []byte) []any {
	a := &struct {
		args [1]any
		b    debugBytes
	}{b: b}
	a.args[0] = &a.b
	return a.args[:]
}
