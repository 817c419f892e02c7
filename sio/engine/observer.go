package engine

// Direction says which way a packet went.
type Direction uint8

// The two directions of Observer.Packet.
const (
	In  Direction = iota // from the client
	Out                  // to the client
)

// String returns "in" or "out".
func (d Direction) String() string {
	if d == In {
		return "in"
	}
	return "out"
}

// The debug namespaces of the official server, used as the namespace
// argument of Observer.Debug.
const (
	DebugServer  = "engine"         // requests, handshakes, upgrades accepted or refused
	DebugSocket  = "engine:socket"  // a session: packets, heartbeat, upgrade steps, close
	DebugPolling = "engine:polling" // long-polling GETs and POSTs
	DebugWS      = "engine:ws"      // WebSocket frames
)

// Observer holds the hooks through which an inspector, a trace or a test
// sees what the engine does. Every field is optional: a nil hook is not
// called, and a nil *Observer in Config costs nothing, not even building
// the hooks' arguments. Set the hooks you need by name; fields may be added
// in later versions, as in net/http/httptrace.ClientTrace.
//
// Hooks are called synchronously from the goroutine doing the work
// (request handlers, WebSocket readers and writers, timers), possibly
// concurrently for different sessions and, for one session, from its reader
// and its writer at once. They must be quick and must not call back into the
// session's blocking paths: queue the event and return.
type Observer struct {
	// Opened is called once for each new session, after its handshake.
	Opened func(s *Session)
	// Upgraded is called when a session switches to transport.
	Upgraded func(s *Session, transport string)
	// Closed is called once when a session ends, before the handler's Close.
	Closed func(s *Session, reason Reason)
	// Packet is called for every packet received (dir In, when decoded) and
	// sent (dir Out, when written to transport). p.Data belongs to the
	// engine: copy it if kept.
	Packet func(s *Session, dir Direction, transport string, p Packet)
	// Debug receives the lines the official server writes with the debug
	// module, under namespace (DebugServer, DebugSocket, DebugPolling or
	// DebugWS); sid is empty when no session is concerned.
	//
	// The line is given unformatted, so that the server's path pays only
	// for passing it: its text is fmt.Sprintf(format, args...), or format
	// itself when there are no arguments, to be computed when needed (by a
	// writer goroutine, or once the namespace is known to be enabled). The
	// arguments never change afterwards ([]byte arguments included) and may
	// be kept. Besides strings, integers, errors and fmt.Stringers, some are
	// of the engine's own types: those implement both fmt.Formatter and
	// encoding.TextAppender, and AppendText gives the text that %s prints.
	Debug func(namespace, sid, format string, args ...any)
	// WantsDebug, if set, is asked before each of the debug lines written
	// about every packet ("sending packet", "writing", "received"): while it
	// returns false, those lines and what describing them costs are skipped;
	// the rarer lines still come. An observer that would drop lines anyway
	// (a full queue, a namespace nobody enabled) says so here. It is called
	// often: keep it to an atomic load. If nil, the lines are written
	// whenever Debug is set.
	WantsDebug func() bool
}

// hooks returns the observer the server calls: nil if o sets no hook, so
// that the server's "obs != nil" checks skip everything, or else a copy of
// o with every nil hook replaced by one that does nothing, so that calls
// need no check of their own. Without Debug, WantsDebug says no.
func (o *Observer) hooks() *Observer {
	if o == nil || o.Opened == nil && o.Upgraded == nil && o.Closed == nil &&
		o.Packet == nil && o.Debug == nil {
		return nil
	}
	h := *o
	if h.Opened == nil {
		h.Opened = func(*Session) {}
	}
	if h.Upgraded == nil {
		h.Upgraded = func(*Session, string) {}
	}
	if h.Closed == nil {
		h.Closed = func(*Session, Reason) {}
	}
	if h.Packet == nil {
		h.Packet = func(*Session, Direction, string, Packet) {}
	}
	if h.Debug == nil {
		h.Debug = func(string, string, string, ...any) {}
		h.WantsDebug = func() bool { return false }
	}
	return &h
}
