package engine

import (
	"time"
)

// What a v3 session (Config.AllowEIO3) does differently from a v4 one: the
// heartbeat runs the other way, and packets are framed as packet3.go says.
// Everything else (queue, upgrade, close) is shared.

// awaitClientPingLocked gives a v3 client PingInterval+PingTimeout to send
// its next ping, after which heartbeat closes the session with
// ReasonPingTimeout. It reuses the v4 heartbeat's timer in hbAwaiting,
// which for a v3 session means "waiting for the client's ping", so that
// heartbeat and closeIfOverdue need no case of their own.
func (s *Session) awaitClientPingLocked() {
	if s.hb == hbStopped {
		return
	}
	d := s.st.PingInterval + s.st.PingTimeout
	s.hb = hbAwaiting
	s.hbDue = time.Now().Add(d)
	if s.hbTimer == nil {
		s.hbTimer = time.AfterFunc(d, s.heartbeat)
	} else {
		s.hbTimer.Reset(d)
	}
}

// onClientPing answers a v3 client's ping with a pong and waits for the next
// ping. After StopHeartbeat it answers nothing, so that the client gives up
// with "ping timeout" as a v4 client does when pings stop. A client that
// pings without reading the pongs fills the queue and is dropped, as Send
// drops it.
func (s *Session) onClientPing() {
	srv := s.srv
	s.mu.Lock()
	if s.state != stateOpen || s.hb == hbStopped {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= s.st.MaxBufferedPackets {
		s.mu.Unlock()
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "outbound queue full (%d packets at most)", s.st.MaxBufferedPackets)
		}
		srv.closeSession(s, ReasonTransportError, PacketClose)
		return
	}
	s.awaitClientPingLocked()
	s.queue = append(s.queue, Packet{Type: PacketPong})
	s.kickLocked()
	s.mu.Unlock()
	if srv.obs != nil {
		srv.debug(DebugSocket, s.id, "got ping")
	}
}

// decodeFrame decodes a WebSocket message in the session's protocol.
func (s *Session) decodeFrame(data []byte, binary bool) (Packet, error) {
	if s.protocol == 3 {
		return DecodePacketV3(data, binary)
	}
	return DecodePacket(data, binary)
}
