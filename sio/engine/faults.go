package engine

// Faults injects failures into a session on purpose: what a network that
// fails or a server that freezes looks like to the client, for teaching
// (the lessons' fault buttons) and for tests. Nothing in normal operation
// needs it: to end a session, use Session.Close. Get one with
// Session.Faults; its methods may be called from any goroutine.
type Faults struct{ s *Session }

// Faults returns the fault injection of s (see Faults).
func (s *Session) Faults() Faults { return Faults{s} }

// Drop cuts the session's connection the way a network failure would: a
// WebSocket's connection is closed with no close frame, a pending polling
// GET is aborted with no response, and packets still queued are lost. The
// client sees its transport fail ("transport close" or "transport error")
// rather than a close packet, so a Socket.IO client reconnects by itself.
// The session ends with ReasonTransportClose, as when the client goes away.
// Drop does nothing once the session is closed. The pending GET is aborted
// by panicking with http.ErrAbortHandler in its handler, which net/http
// handles quietly; middleware that recovers panics must let that one
// through.
func (f Faults) Drop() {
	s := f.s
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	s.dropped = true
	s.mu.Unlock()
	if s.srv.obs != nil {
		s.srv.debug(DebugSocket, s.id, "dropping the connection (no close packet)")
	}
	s.srv.closeSession(s, ReasonTransportClose, PacketClose)
}

// StopHeartbeat stops pinging the client, for good, and stops waiting for
// its pong, while the session otherwise goes on. It makes the server look
// frozen to the client: an Engine.IO v4 client that hears no ping within
// pingInterval+pingTimeout closes the connection with "ping timeout" (and a
// Socket.IO client then reconnects). The server ends the session when the
// client closes its transport; a client that never does keeps the session
// open. On a v3 session, where the client pings, the server stops answering
// with pongs instead, and a v3 client gives up the same way.
func (f Faults) StopHeartbeat() {
	s := f.s
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.hb = hbStopped
	s.stopHeartbeatLocked()
	s.mu.Unlock()
	if s.srv.obs != nil {
		s.srv.debug(DebugSocket, s.id, "heartbeat stopped: no more pings")
	}
}
