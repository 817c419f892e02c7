package engine

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Handler is everything the engine knows about the layer above it.
type Handler interface {
	// Open is called once per new session, after its open packet is queued
	// and before any of its messages. The returned SessionHandler receives
	// them; a nil one drops them. A polling handshake is answered when Open
	// returns, with whatever Open sent after the open packet, so keep it
	// short.
	Open(s *Session) SessionHandler
}

// SessionHandler receives the messages of one session and its end.
//
// Its methods are called one at a time: Message in arrival order and never
// concurrently with another Message or with Close, Close exactly once and
// last. They run on the goroutine that read the packet (a request handler, or
// for a WebSocket the goroutine that reads its burst of messages) or, for Close, on whichever goroutine ended the session, so a slow
// Message delays that session's next packets (and its heartbeat answers),
// not other sessions. Session.Send and Session.Close may
// be called from inside them; a Close requested from inside Message is
// delivered after Message returns. A panic in Open or Message is recovered,
// logged to Config.Logger, and closes the session with
// ReasonTransportError; a panic in Close is recovered and logged.
type SessionHandler interface {
	// Message receives one message; data is owned by the callee.
	Message(data []byte, binary bool)
	// Close is called exactly once, last, when the session has ended.
	Close(reason Reason)
}

// InlineHandler is a SessionHandler that can take some of its messages'
// work on the goroutine that read them. The engine calls MessageInline in
// place of Message for a WebSocket message read by the server's poller
// (Linux) that was the last the socket held; the function it returns, if
// any, runs on that goroutine once the callback has returned. The engine
// hands the connection to another goroutine as soon as more arrives
// meanwhile, so the function may block (on an acknowledgement from the
// same client, say). Work of a handler's own that a goroutine would
// otherwise be started for is then done without that hand-off.
type InlineHandler interface {
	SessionHandler
	MessageInline(data []byte, binary bool) (after func())
}

// Server is an Engine.IO v4 server: an http.Handler that accepts sessions
// over HTTP long-polling and WebSocket, upgrades polling sessions to
// WebSocket, keeps them alive with pings, and hands their messages to a
// Handler.
//
// Mount it at a path of your choosing, with a trailing slash so that prefix
// matching works ("/engine.io/"); the engine looks only at the query string.
//
// Concurrency: ServeHTTP, Close and Count may be called from any goroutine.
// Each session costs no goroutine while it is polling (requests run on
// net/http's goroutines), and none while it is idle on WebSocket on Linux,
// where one goroutine per Server waits in epoll for every idle WebSocket
// (elsewhere, with Config.DisableNetpoll, or over TLS, each WebSocket has a
// goroutine that waits for its next byte). A goroutine reads a WebSocket's
// messages only while they come, and another writes to it only while that
// session's queue is not empty. Timers drive heartbeats, upgrades and close
// timeouts. One slow client never stalls another session or a sender.
type Server struct {
	st       *settings
	handler  Handler
	obs      *Observer // Config.Observer's hooks, every one set; nil when none is
	upgrader websocket.Upgrader

	mu       sync.RWMutex
	sessions map[string]*Session
	closed   bool
	// closing counts the closeSession calls running now; Close waits
	// until it is 0 (closesDone, made by a waiter, is closed then).
	closing    int
	closesDone chan struct{}

	flushOnce sync.Once
	flush     []flusher // see flushers

	pollOnce sync.Once
	poll     *netpoll // see netpoller; nil until then, or without netpoll
}

// wsReadBufferSize is the read buffer of gorilla's Conn, which lives only
// through the upgrade: the engine reads the connection itself (wsread.go).
const wsReadBufferSize = 256

// NewServer returns a Server with cfg (see Config for the defaults) that
// hands new sessions to h.
func NewServer(cfg Config, h Handler) *Server {
	st := newSettings(cfg)
	srv := &Server{
		st:       st,
		handler:  h,
		obs:      cfg.Observer.hooks(),
		sessions: make(map[string]*Session),
	}
	srv.upgrader = websocket.Upgrader{
		ReadBufferSize:  wsReadBufferSize,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		// Browsers do not apply CORS to WebSockets and the official server
		// does not check Origin either; use AllowRequest to restrict it.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	return srv
}

// Count returns the number of open sessions.
func (srv *Server) Count() int {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return len(srv.sessions)
}

// closeWait bounds how long Close waits for the closes that other
// goroutines began (a handler's Close that never returns must not hold the
// server's shutdown for good).
const closeWait = 5 * time.Second

// Close ends every session with ReasonForcedClose: pending polling GETs get a
// close packet, WebSockets are closed. Later requests, handshakes included,
// get 400 {"code":1,"message":"Session ID unknown"}.
//
// When Close returns, every session is closed and the observer and the
// handlers have been told (SessionHandler.Close has returned), those that
// other goroutines were closing at the time included (a client that left
// just then), so that an observer may be closed next and miss nothing.
// Close waits for those up to 5 seconds. What the handlers set off from
// their Close calls may still be running.
func (srv *Server) Close() {
	srv.mu.Lock()
	srv.closed = true
	all := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		all = append(all, s)
	}
	srv.mu.Unlock()
	if srv.obs != nil {
		srv.debug(DebugServer, "", "closing all open clients")
	}
	for _, s := range all {
		srv.closeSession(s, ReasonForcedClose, PacketClose)
	}
	srv.waitCloses(closeWait)
	srv.closeNetpoll()
}

// waitCloses waits until no closeSession call is running, or for d.
func (srv *Server) waitCloses(d time.Duration) {
	srv.mu.Lock()
	if srv.closing == 0 {
		srv.mu.Unlock()
		return
	}
	if srv.closesDone == nil {
		srv.closesDone = make(chan struct{})
	}
	done := srv.closesDone
	srv.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		srv.st.logger.Warn("engine: sessions still closing after the server closed", "waited", d)
	}
}

// closeBegun notes that a closeSession call (or a reader about to make
// one) has begun; closeEnded, that it has returned.
func (srv *Server) closeBegun() {
	srv.mu.Lock()
	srv.closing++
	srv.mu.Unlock()
}

// closeEnded notes that a closeSession call has returned.
func (srv *Server) closeEnded() {
	srv.mu.Lock()
	srv.closing--
	if srv.closing == 0 && srv.closesDone != nil {
		close(srv.closesDone)
		srv.closesDone = nil
	}
	srv.mu.Unlock()
}

// Sessions returns the sessions open now, in no particular order.
func (srv *Server) Sessions() []*Session {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	all := make([]*Session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		all = append(all, s)
	}
	return all
}

func (srv *Server) lookup(sid string) *Session {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.sessions[sid]
}

// ServeHTTP answers one Engine.IO request: a handshake, a polling GET or
// POST, or a WebSocket (new, or upgrading a polling session). It checks what
// every request shares (CORS, the transport) and hands the request to
// serveHandshake or serveSession.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if srv.obs != nil {
		srv.debug(DebugServer, "", "handling %q http request %q", r.Method, r.URL.RequestURI())
	}
	if c := srv.st.CORS; c != nil && c.apply(w, r) {
		return
	}
	q := r.URL.Query()
	req := request{w: w, r: r, transport: q.Get("transport"), upgrade: websocket.IsWebSocketUpgrade(r)}
	if !srv.st.enabled(req.transport) {
		if srv.obs != nil {
			srv.debug(DebugServer, "", "unknown transport %q", req.transport)
		}
		req.reject(errCode(CodeUnknownTransport))
		return
	}
	if sid := q.Get("sid"); sid != "" {
		srv.serveSession(req, sid)
		return
	}
	srv.serveHandshake(req, q.Get("EIO"))
}

// request is one Engine.IO request as ServeHTTP has read it.
type request struct {
	w         http.ResponseWriter
	r         *http.Request
	transport string // the transport query parameter
	upgrade   bool   // a WebSocket upgrade request
}

// reject answers the request with e: in JSON, or, to a WebSocket upgrade, in
// the form a WebSocket client reads.
func (req request) reject(e *httpError) {
	if req.upgrade {
		e.writeUpgrade(req.w)
	} else {
		e.writeJSON(req.w)
	}
}

// serveSession answers a request on the open session sid: a polling GET or
// POST, or a WebSocket that probes to upgrade it.
func (srv *Server) serveSession(req request, sid string) {
	s := srv.lookup(sid)
	if s != nil && s.closeIfOverdue() {
		s = nil
	}
	if s == nil {
		if srv.obs != nil {
			srv.debug(DebugServer, sid, "unknown sid %q", sid)
		}
		req.reject(errCode(CodeUnknownSID))
		return
	}
	if req.upgrade {
		srv.serveUpgrade(req, s)
		return
	}
	if current := s.Transport(); current != req.transport || req.transport != TransportPolling {
		if srv.obs != nil {
			srv.debug(DebugServer, sid, "bad request: unexpected transport without upgrade")
		}
		req.reject(errCode(CodeBadRequest))
		return
	}
	if srv.obs != nil {
		srv.debug(DebugServer, sid, "setting new request for existing client")
	}
	switch req.r.Method {
	case http.MethodGet:
		s.servePoll(req.w, req.r)
	case http.MethodPost:
		s.serveData(req.w, req.r)
	default:
		req.w.Header().Set("Content-Length", "0")
		req.w.WriteHeader(http.StatusInternalServerError)
	}
}

// serveUpgrade answers a WebSocket that asks to upgrade session s: it becomes
// s's probe, unless s already has one or cannot upgrade.
func (srv *Server) serveUpgrade(req request, s *Session) {
	if req.transport != TransportWebSocket {
		req.reject(errCode(CodeBadRequest))
		return
	}
	switch s.reserveProbe() {
	case probeReserved:
		srv.serveProbe(req.w, req.r, s)
	case probeRefused:
		// as the official server does: accept the WebSocket, then close it
		// at once
		if conn, err := srv.upgrader.Upgrade(req.w, req.r, nil); err == nil {
			closeWebSocket(conn, true)
		}
	default:
		req.reject(errCode(CodeUnknownSID))
	}
}

// serveHandshake opens a session, over polling or directly over WebSocket,
// for a request without a sid; eio is its EIO query parameter.
func (srv *Server) serveHandshake(req request, eio string) {
	if req.r.Method != http.MethodGet {
		req.reject(errCode(CodeBadHandshakeMethod))
		return
	}
	if (req.transport == TransportWebSocket) != req.upgrade {
		if srv.obs != nil {
			srv.debug(DebugServer, "", "invalid transport upgrade")
		}
		req.reject(errCode(CodeBadRequest))
		return
	}
	if srv.st.AllowRequest != nil {
		if err := srv.st.AllowRequest(req.r); err != nil {
			e := errCode(CodeForbidden)
			if msg := err.Error(); msg != "" {
				e.message = msg
			}
			req.reject(e)
			return
		}
	}
	protocol := 4
	if eio != "4" {
		if !srv.st.AllowEIO3 {
			if srv.obs != nil {
				srv.debug(DebugServer, "", "unsupported protocol version")
			}
			req.reject(errCode(CodeUnsupportedProtocolVersion))
			return
		}
		protocol = 3 // as the official server, any other value (or none) is v3
	}
	srv.mu.RLock()
	closed := srv.closed
	srv.mu.RUnlock()
	if closed {
		req.reject(errCode(CodeUnknownSID))
		return
	}
	if req.transport == TransportPolling {
		s := srv.newSession(req.r, TransportPolling, protocol)
		if !srv.openSession(s) {
			req.reject(errCode(CodeUnknownSID))
			return
		}
		s.servePoll(req.w, req.r)
		return
	}
	srv.serveWebSocket(req.w, req.r, protocol)
}

// newSession makes a session for the handshake request r.
func (srv *Server) newSession(r *http.Request, transport string, protocol int) *Session {
	s := &Session{
		srv:       srv,
		st:        srv.st,
		id:        newSessionID(),
		hs:        keepRequest(r),
		transport: transport,
		protocol:  uint8(protocol),
		done:      make(chan struct{}),
	}
	if protocol == 3 {
		// as the official server: a client that asks for base64 gets
		// binary messages as text
		s.b64 = r.URL.Query().Get("b64") != ""
	}
	if transport == TransportPolling {
		s.pollWake = make(chan struct{}, 1)
	}
	return s
}

// openSession queues the open packet of s, registers it, starts its
// heartbeat and calls the Handler's Open. It reports false if the server is
// closed.
func (srv *Server) openSession(s *Session) bool {
	tail := srv.st.openWebSocket
	if s.transport == TransportPolling {
		tail = srv.st.openPolling
	}
	open := make([]byte, 0, len(`{"sid":"`)+len(s.id)+len(tail))
	open = append(open, `{"sid":"`...)
	open = append(open, s.id...)
	open = append(open, tail...)

	// Hold the callback lock from the start, so that no message can reach
	// the handler before Open has returned it.
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return false
	}
	srv.sessions[s.id] = s
	srv.mu.Unlock()

	if srv.obs != nil {
		srv.debug(DebugServer, s.id, "handshaking client %q", s.id)
		srv.debug(DebugServer, s.id, "%s transport created", s.transport)
		srv.debug(DebugSocket, s.id, "sending packet \"open\" (%s)", string(open))
	}
	s.mu.Lock()
	s.queue = append(s.queue, Packet{Type: PacketOpen, Data: open})
	s.kickLocked()
	if s.protocol == 3 {
		s.awaitClientPingLocked()
		// as the official server, whose socket.io layer sends the CONNECT
		// to "/" of a v3 client only once the handshake is answered
		s.openAlone = s.transport == TransportPolling
	} else {
		s.armPingLocked()
	}
	s.mu.Unlock()
	if srv.obs != nil {
		srv.obs.Opened(s)
	}
	s.runOpen()
	return true
}

// closeSession is the one way a session ends. It marks s closed, removes it
// from the map, stops its timers, wakes its goroutines (a pending GET then
// answers with pollFinal: Close, or Noop when the client itself closed),
// closes its WebSockets (without a close frame when it was dropped), and
// tells the observer and the handler why.
func (srv *Server) closeSession(s *Session, reason Reason, pollFinal PacketType) {
	// Counted before the state is looked at: a Close that finds s closing
	// already then waits for this call.
	srv.closeBegun()
	defer srv.closeEnded()
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	s.state = stateClosed
	s.closeReason = reason
	s.pollFinal = pollFinal
	s.stopTimersLocked()
	s.queue, s.queueBytes, s.writingBytes = nil, 0, 0
	if s.postBody != nil {
		s.postBody.SetReadDeadline(aLongTimeAgo)
	}
	ws, out, probe, dropped := s.ws, s.out, s.probe, s.dropped
	closeCode := s.closeCode
	if ws != nil && !dropped {
		s.readerCloses = true // see lingerClose
	}
	s.probe = nil
	runClose := !s.inCallback && !s.handlerDone
	if runClose {
		s.handlerDone = true
	}
	h := s.handler
	s.mu.Unlock()

	close(s.done)
	srv.mu.Lock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
	}
	srv.mu.Unlock()

	if srv.obs != nil {
		srv.debug(DebugSocket, s.id, "closing session - reason: %s", reason)
	}
	if ws != nil {
		if dropped {
			ws.Close()
			srv.netpollDone(s)
		} else {
			// With a close frame even while the writer is busy: it goes
			// between two of the writer's writes (control waits for the
			// token up to closeFrameTimeout), as a client that gets none
			// reports 1006, not the 1005 of the official server.
			var payload []byte
			if closeCode != 0 {
				payload = websocket.FormatCloseMessage(closeCode, "")
			}
			out.control(opClose, payload)
			s.lingerClose(ws)
		}
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "closing")
		}
	}
	if probe != nil {
		probe.Close()
	}
	if srv.obs != nil {
		srv.obs.Closed(s, reason)
	}
	if runClose {
		s.callClose(h, reason)
	}
}

// debugPackets reports whether to write the debug lines about each packet:
// there is an observer, and it wants them now (Observer.WantsDebug).
func (srv *Server) debugPackets() bool {
	return srv.obs != nil && (srv.obs.WantsDebug == nil || srv.obs.WantsDebug())
}

// debug passes a debug line, unformatted, to the observer. Callers check
// srv.obs first, so that nothing (not even the arguments) is built without
// one.
func (srv *Server) debug(ns, sid, format string, args ...any) {
	if srv.obs != nil {
		srv.obs.Debug(ns, sid, format, args...)
	}
}

// newSessionID returns 20 characters of URL-safe base64 from 15 random bytes.
func newSessionID() string {
	var b [15]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
