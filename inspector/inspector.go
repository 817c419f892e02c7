package inspector

import (
	"encoding/json"
	"time"
)

// Session is one Engine.IO session, from handshake to close.
type Session struct {
	ID          int64     // rowid
	SID         string    // Engine.IO session id
	Path        string    // the sio server's path, e.g. "/socket.io/" or "/lessons/rooms/join/socket.io/"
	Client      string    // the browser id (cookie "wb_client" of the handshake request), "" if none
	RemoteAddr  string    // IP address of the handshake request, without the port
	UserAgent   string    // User-Agent of the handshake request
	Transport   string    // first transport: "polling" or "websocket"
	Upgraded    string    // transport upgraded to ("websocket"), "" if none
	UpgradedAt  time.Time // zero if none
	StartedAt   time.Time
	EndedAt     time.Time // zero while open (or when the recording process died first)
	CloseReason string    // "transport close", "ping timeout", ... ; "" while open
	LastAt      time.Time // time of the last packet or event recorded for it
	Packets     int       // number of packets recorded
	Errors      int       // number of CONNECT_ERROR packets recorded
}

// HasError reports whether the session went wrong: a CONNECT_ERROR, or an
// end by parse error, ping timeout or transport error.
func (s *Session) HasError() bool {
	return s.Errors > 0 || IsErrorReason(s.CloseReason)
}

// ErrorReasons are the close reasons SessionFilter.HasError selects.
var ErrorReasons = []string{"parse error", "ping timeout", "transport error"}

// IsErrorReason reports whether a close reason is one of ErrorReasons.
func IsErrorReason(reason string) bool {
	for _, r := range ErrorReasons {
		if r == reason {
			return true
		}
	}
	return false
}

// Packet is one Engine.IO packet as it went over the wire, with the Socket.IO
// packet it carries decoded.
type Packet struct {
	ID        int64
	SessionID int64
	SID       string
	At        time.Time       // microsecond precision
	Dir       string          // "in" (from the client) or "out"
	Transport string          // "polling" or "websocket"
	EIOType   string          // "open","close","ping","pong","message","upgrade","noop"
	SIOType   string          // "CONNECT".."BINARY_ACK", "" when not a Socket.IO packet (attachments included: they are "")
	Nsp       string          // "" when not a Socket.IO packet
	Event     string          // EVENT/BINARY_EVENT name, "" otherwise
	AckID     *int64          // nil when absent
	Args      json.RawMessage // EVENT: the arguments after the name; ACK: the arguments; CONNECT/CONNECT_ERROR: the payload; placeholders kept; nil when none
	Binary    bool            // a binary Engine.IO message (an attachment)
	// AttachmentOf is, for a binary message that follows a BINARY_EVENT or
	// BINARY_ACK, the ID of that packet; 0 otherwise.
	AttachmentOf int64
	Raw          []byte // the Engine.IO packet as sent: "<digit><data>" for text, the bytes for binary
	Size         int    // len(Raw)
}

// DebugLine is one line the server wrote with its debug namespaces.
type DebugLine struct {
	ID        int64
	SID       string // "" when not tied to a session
	At        time.Time
	Namespace string // "engine:socket", "socket.io:client", ...
	Message   string
}

// Live is one item of the feed Recorder.Subscribe gives: exactly one of
// the pointers is set. A Session is sent when it opens, upgrades and closes.
type Live struct {
	Session *Session
	Packet  *Packet
	Debug   *DebugLine
}

// SessionFilter selects sessions. Zero fields do not filter.
type SessionFilter struct {
	PathPrefix string // sessions whose Path starts with it
	Client     string
	Addr       string    // RemoteAddr, exactly
	Since      time.Time // started at or after
	Until      time.Time // started before
	OpenOnly   bool      // only sessions with no recorded end
	ClosedOnly bool      // only sessions with a recorded end
	Reason     string    // CloseReason, exactly
	HasError   bool      // only sessions for which Session.HasError is true
	Event      string    // only sessions that sent or received an EVENT of that name
	// Before, if set, pages back: only the sessions after it in the list's
	// order (newest first), i.e. older than it. After pages forward: the
	// sessions before it, still returned newest first. Keyset paging: a
	// page deep in the list costs what the first does.
	Before, After *SessionCursor
	Limit         int // 0 -> 100; newest first

	commonEvent bool // Event is common: the list is walked in order (Sessions)
}

// SessionCursor is a place in the sessions list (ordered by StartedAt, then
// ID, newest first): a session's own.
type SessionCursor struct {
	StartedAt time.Time
	ID        int64
}

// Cursor returns the session's place in the list.
func (s *Session) Cursor() SessionCursor { return SessionCursor{StartedAt: s.StartedAt, ID: s.ID} }

// PacketFilter selects packets (and, for DB.DebugLines, debug lines). Zero
// fields do not filter.
type PacketFilter struct {
	SID    string
	Client string
	// PathPrefix: only the packets of sessions whose Path starts with it.
	PathPrefix string
	Event      string
	Nsp        string
	Dir        string    // "in" or "out"
	Since      time.Time // at or after
	Until      time.Time // before
	AfterID    int64     // > 0: only rows with a larger ID (live paging)
	// BeforeID > 0: only rows with a smaller ID (paging back, with Last).
	BeforeID int64
	// Type: only packets whose Engine.IO type ("ping") or Socket.IO type
	// ("EVENT") it is.
	Type string
	// Text: only packets whose arguments, or whose text as on the wire,
	// contain it (binary attachments never do).
	Text string
	// NoHeartbeats leaves out pings, pongs and noops, but for the probe
	// of an upgrade ("2probe", "3probe").
	NoHeartbeats bool
	Limit        int  // 0 -> 1000; < 0: no limit
	Last         bool // the last Limit rows (still returned oldest first)
}

// Stats describes the whole database.
type Stats struct {
	Sessions     int64
	OpenSessions int64 // sessions with no recorded end
	Packets      int64
	DebugLines   int64
	FileBytes    int64 // size of the database file
	WALBytes     int64 // size of its write-ahead log
	Version      int   // schema version
}

// The limits of a filter when its Limit is zero.
const (
	DefaultSessionLimit = 100
	DefaultPacketLimit  = 1000
)
