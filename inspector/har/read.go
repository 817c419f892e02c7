package har

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// MaxSize is the largest HAR Import reads, in bytes: the whole file is
// decoded in memory.
const MaxSize = 1 << 30

// ErrTooLarge is returned by Import and Convert for a HAR over MaxSize.
var ErrTooLarge = fmt.Errorf("har: the file is over %d MiB", MaxSize>>20)

// Stats tells what Import found in a HAR.
type Stats struct {
	Entries  int   // entries in the file
	Skipped  int   // entries that are not Engine.IO v4 traffic (or failed requests), left out
	Sessions int   // Engine.IO sessions found
	Packets  int   // packets found
	Stored   int64 // packets stored (Import): 0 for sessions already in the database
}

// Import reads a HAR from r and stores its Engine.IO sessions in db, with
// the rules of inspector.DB.Import (chunked commits, nothing left on an
// error; sessions already in db skipped). progress is handed to DB.Import: it counts the bytes of the
// JSON Lines the HAR turned into.
func Import(ctx context.Context, db *inspector.DB, r io.Reader, progress func(done, total int64)) (Stats, error) {
	var buf bytes.Buffer
	st, err := Convert(r, &buf)
	if err != nil {
		return st, err
	}
	n, err := db.Import(ctx, &buf, progress)
	if err != nil {
		return st, fmt.Errorf("har: %w", err)
	}
	st.Stored = n
	return st, nil
}

// Convert reads a HAR from r and writes its Engine.IO sessions to w as
// the JSON Lines that inspector.DB.Import reads, each session whole, in the
// order they started.
func Convert(r io.Reader, w io.Writer) (Stats, error) {
	var st Stats
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return st, fmt.Errorf("har: read: %w", err)
	}
	if len(data) > MaxSize {
		return st, ErrTooLarge
	}
	var a archive
	if err := json.Unmarshal(data, &a); err != nil {
		return st, fmt.Errorf("har: not a HAR file: %w", err)
	}
	if a.Log == nil {
		return st, errors.New(`har: not a HAR file: no "log"`)
	}
	b := newBuilder()
	for i := range a.Log.Entries {
		st.Entries++
		if !b.entry(&a.Log.Entries[i]) {
			st.Skipped++
		}
	}
	sessions := b.finish()
	st.Sessions = len(sessions)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, s := range sessions {
		for i, ev := range s.events {
			l := inspector.JSONLine{Time: formatTime(ev.at), Session: s.sid, Dir: ev.dir, Transport: ev.transport,
				Path: s.path, Client: s.client, UserAgent: s.agent}
			if ev.binary {
				l.Raw, l.Binary, l.RawBase64 = base64.StdEncoding.EncodeToString(ev.raw), true, true
			} else {
				l.Raw = string(ev.raw)
			}
			if i == 0 {
				l.SessionInfo = s.info()
			}
			if err := enc.Encode(&l); err != nil {
				return st, fmt.Errorf("har: %w", err)
			}
			st.Packets++
		}
	}
	return st, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(inspector.TimeFormat) }

// event is one packet of a session.
type event struct {
	at        time.Time
	seq       int // order of discovery: breaks ties of at
	dir       string
	transport string
	raw       []byte // "<digit><data>" for text, the bytes for binary
	binary    bool
}

// session is what the HAR shows of one Engine.IO session.
type session struct {
	sid                 string
	path, client, agent string
	transport           string // the first
	started             time.Time
	upgradedAt          time.Time
	endedAt             time.Time
	reason              string
	events              []event
}

func (s *session) info() *inspector.SessionInfo {
	si := &inspector.SessionInfo{StartedAt: formatTime(s.started), Transport: s.transport}
	if !s.upgradedAt.IsZero() {
		si.Upgraded, si.UpgradedAt = engine.TransportWebSocket, formatTime(s.upgradedAt)
	}
	if !s.endedAt.IsZero() {
		si.EndedAt, si.CloseReason = formatTime(s.endedAt), s.reason
	}
	return si
}

// builder gathers the sessions of a HAR, entry by entry.
type builder struct {
	sessions map[string]*session
	order    []*session
	seq      int
	refused  []refusal // requests the server refused (400) on a sid
}

type refusal struct {
	sid string
	at  time.Time
}

func newBuilder() *builder { return &builder{sessions: map[string]*session{}} }

// session returns the session sid, made from e's request if new.
func (b *builder) session(sid string, e *entry, u *url.URL, transport string, at time.Time) *session {
	if s := b.sessions[sid]; s != nil {
		return s
	}
	path := u.Path
	if !strings.HasSuffix(path, "/") {
		path += "/" // the server's path, with its trailing slash, as the recorder keeps it
	}
	s := &session{sid: sid, path: path, transport: transport, started: at,
		client: cookie(e.Request, "wb_client"), agent: header(e.Request.Headers, "User-Agent")}
	b.sessions[sid] = s
	b.order = append(b.order, s)
	return s
}

// add records a packet of s.
func (b *builder) add(s *session, at time.Time, dir engine.Direction, transport string, p engine.Packet) {
	b.seq++
	ev := event{at: at, seq: b.seq, dir: "in", transport: transport, binary: p.Binary}
	if dir == engine.Out {
		ev.dir = "out"
	}
	if p.Binary {
		ev.raw = bytes.Clone(p.Data)
	} else {
		ev.raw = append([]byte{'0' + byte(p.Type)}, p.Data...)
	}
	s.events = append(s.events, ev)
	if p.Type == engine.PacketClose && !p.Binary && s.endedAt.IsZero() {
		s.endedAt, s.reason = at, "transport close" // the client said goodbye
		if dir == engine.Out {
			s.reason = "forced close" // the server closed it
		}
	}
}

// entry reads one HAR entry, and reports whether it was Engine.IO traffic.
func (b *builder) entry(e *entry) bool {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return false
	}
	q := u.Query()
	if q.Get("EIO") != "4" {
		return false
	}
	start, err := time.Parse(time.RFC3339Nano, e.StartedDateTime)
	if err != nil {
		return false
	}
	sid := q.Get("sid")
	switch q.Get("transport") {
	case engine.TransportWebSocket:
		return b.websocket(e, u, sid, start)
	case engine.TransportPolling:
		return b.polling(e, u, sid, start)
	}
	return false
}

// polling reads a polling request: a POST's body holds packets from the
// client, a GET's answer packets from the server.
func (b *builder) polling(e *entry, u *url.URL, sid string, start time.Time) bool {
	end := start.Add(time.Duration(math.Round(math.Max(e.Time, 0)*1e3)) * time.Microsecond)
	switch status := e.Response.Status; {
	case status == http.StatusOK:
	case status <= 0 && e.Request.Method == http.MethodPost:
		// No answer (the client closed while it was on its way): the body
		// was sent, and the server has it unless it says otherwise.
	default:
		if status == http.StatusBadRequest && sid != "" {
			b.refused = append(b.refused, refusal{sid, end})
		}
		return false
	}
	switch e.Request.Method {
	case http.MethodPost:
		if sid == "" || e.Request.PostData == nil {
			return false
		}
		ps, _ := engine.DecodePayload([]byte(e.Request.PostData.Text)) // the packets before a bad record count
		if len(ps) == 0 {
			return false
		}
		s := b.session(sid, e, u, engine.TransportPolling, start)
		for _, p := range ps {
			b.add(s, start, engine.In, engine.TransportPolling, p)
		}
		return true
	case http.MethodGet:
		body := []byte(e.Response.Content.Text)
		if e.Response.Content.Encoding == "base64" {
			d, err := base64.StdEncoding.DecodeString(e.Response.Content.Text)
			if err != nil {
				return false
			}
			body = d
		}
		ps, _ := engine.DecodePayload(body)
		if len(ps) == 0 {
			return false
		}
		if sid == "" {
			// The handshake: the answer opens with the open packet.
			if sid = openSID(ps[0]); sid == "" {
				return false
			}
		}
		s := b.session(sid, e, u, engine.TransportPolling, start)
		for _, p := range ps {
			b.add(s, end, engine.Out, engine.TransportPolling, p)
		}
		return true
	}
	return false
}

// websocket reads the messages of a WebSocket: a new session when the
// server's first message is an open packet, else the upgrade of session
// sid (from the URL), complete at the client's upgrade packet.
func (b *builder) websocket(e *entry, u *url.URL, sid string, start time.Time) bool {
	var s *session
	upgrading := sid != ""
	if upgrading {
		s = b.session(sid, e, u, engine.TransportPolling, start)
	}
	ms := e.WebSocketMessages
	millis := len(ms) > 0 && ms[0].Time > 1e11 // Playwright: ms since the epoch; DevTools: seconds
	var early []event                          // the client's messages before the open packet
	found := false
	for _, m := range ms {
		at := wsTime(m.Time, millis)
		var data []byte
		switch m.Opcode {
		case 1:
			data = []byte(m.Data)
		case 2:
			d, err := base64.StdEncoding.DecodeString(m.Data)
			if err != nil {
				continue
			}
			data = d
		default:
			continue
		}
		p, err := engine.DecodePacket(data, m.Opcode == 2)
		if err != nil {
			continue // not Engine.IO
		}
		dir := engine.In
		if m.Type == "receive" {
			dir = engine.Out
		}
		if s == nil {
			if dir == engine.In {
				early = append(early, event{at: at, raw: data, binary: p.Binary})
				continue
			}
			id := openSID(p)
			if id == "" {
				continue
			}
			s = b.session(id, e, u, engine.TransportWebSocket, start)
			b.add(s, at, dir, engine.TransportWebSocket, p)
			for _, ev := range early {
				ep, _ := engine.DecodePacket(ev.raw, ev.binary)
				b.add(s, ev.at, engine.In, engine.TransportWebSocket, ep)
			}
			found = true
			continue
		}
		b.add(s, at, dir, engine.TransportWebSocket, p)
		found = true
		if upgrading && dir == engine.In && p.Type == engine.PacketUpgrade && s.upgradedAt.IsZero() {
			s.upgradedAt = at
		}
	}
	return found
}

// wsTime turns the time of a WebSocket message into a time.Time.
func wsTime(t float64, millis bool) time.Time {
	if millis {
		t /= 1000
	}
	return time.UnixMicro(int64(math.Round(t * 1e6)))
}

// openSID returns the sid of an open packet, "" when p is not one.
func openSID(p engine.Packet) string {
	if p.Type != engine.PacketOpen || p.Binary {
		return ""
	}
	var o struct {
		SID string `json:"sid"`
	}
	if json.Unmarshal(p.Data, &o) != nil {
		return ""
	}
	return o.SID
}

// finish returns the sessions in the order they started, each with its
// packets in time order and its end, if the HAR shows it.
func (b *builder) finish() []*session {
	for _, r := range b.refused {
		// The server no longer knew the session: it had ended there.
		if s := b.sessions[r.sid]; s != nil && s.endedAt.IsZero() {
			s.endedAt, s.reason = r.at, "transport error"
		}
	}
	out := make([]*session, 0, len(b.order))
	for _, s := range b.order {
		if len(s.events) == 0 {
			continue // an upgrade seen without its session's packets
		}
		slices.SortStableFunc(s.events, func(a, c event) int {
			return cmp.Or(a.at.Compare(c.at), cmp.Compare(a.seq, c.seq))
		})
		if first := s.events[0].at; first.Before(s.started) {
			s.started = first
		}
		if !s.endedAt.IsZero() && s.endedAt.Before(s.events[len(s.events)-1].at) {
			s.endedAt = s.events[len(s.events)-1].at
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, c *session) int { return a.started.Compare(c.started) })
	return out
}

// header returns the value of the header name, "" if absent.
func header(hs []nameVal, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// cookie returns the value of the request's cookie name, from its cookies
// or its Cookie header.
func cookie(r request, name string) string {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c.Value
		}
	}
	h := http.Header{"Cookie": {header(r.Headers, "Cookie")}}
	if c, err := (&http.Request{Header: h}).Cookie(name); err == nil {
		return c.Value
	}
	return ""
}
