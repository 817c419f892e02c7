package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// sessionsFilter is the sessions list's filter, every field a query
// parameter of the same name, so that a view can be shared as its URL. The
// script applies what it can of it to live sessions too.
type sessionsFilter struct {
	Path   string `json:"path"`   // lesson or path prefix: "rooms/join" stands for /lessons/rooms/join/
	Client string `json:"client"` // the browser id
	Addr   string `json:"addr"`
	Reason string `json:"reason"` // close reason, exactly
	Event  string `json:"event"`  // an event name the session saw
	Error  bool   `json:"error"`  // CONNECT_ERROR, parse error, ping timeout, transport error
	State  string `json:"state"`  // "", "open" or "closed"
	Since  string `json:"since"`  // started at or after (see parseTime)
	Until  string `json:"until"`  // started before
}

func (f sessionsFilter) empty() bool { return f == sessionsFilter{} }

// query is the filter as query parameters, empty ones left out.
func (f sessionsFilter) query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("path", f.Path)
	set("client", f.Client)
	set("addr", f.Addr)
	set("reason", f.Reason)
	set("event", f.Event)
	if f.Error {
		v.Set("error", "1")
	}
	set("state", f.State)
	set("since", f.Since)
	set("until", f.Until)
	return v
}

// withReason is the filter's query with a close reason.
func (f sessionsFilter) withReason(r string) url.Values {
	f.Reason = r
	return f.query()
}

// pathPrefix is the path the Path field selects: a path as it is, a lesson
// ("rooms" or "rooms/join") under /lessons/.
func (f sessionsFilter) pathPrefix() string {
	p := f.Path
	if p == "" || strings.HasPrefix(p, "/") {
		return p
	}
	return "/lessons/" + strings.TrimSuffix(p, "/") + "/"
}

// parseSessionsQuery reads the sessions list's query string: the filter,
// and the page (?before= or ?after=, a session's cursor). An error names
// the parameter that is wrong.
func parseSessionsQuery(q url.Values) (sessionsFilter, inspector.SessionFilter, error) {
	f := sessionsFilter{
		Path: strings.TrimSpace(q.Get("path")), Client: strings.TrimSpace(q.Get("client")),
		Addr: strings.TrimSpace(q.Get("addr")), Reason: strings.TrimSpace(q.Get("reason")),
		Event: q.Get("event"), State: q.Get("state"),
		Since: strings.TrimSpace(q.Get("since")), Until: strings.TrimSpace(q.Get("until")),
	}
	sf := inspector.SessionFilter{PathPrefix: f.pathPrefix(), Client: f.Client, Addr: f.Addr,
		Reason: f.Reason, Event: f.Event}
	switch e := q.Get("error"); e {
	case "", "0":
	case "1", "on", "true":
		f.Error, sf.HasError = true, true
	default:
		return f, sf, fmt.Errorf("error=%q: want 1 or nothing", e)
	}
	switch f.State {
	case "":
	case "open":
		sf.OpenOnly = true
	case "closed":
		sf.ClosedOnly = true
	default:
		return f, sf, fmt.Errorf("state=%q: want open or closed", f.State)
	}
	var err error
	if sf.Since, err = parseTime(f.Since); err != nil {
		return f, sf, fmt.Errorf("since: %w", err)
	}
	if sf.Until, err = parseTime(f.Until); err != nil {
		return f, sf, fmt.Errorf("until: %w", err)
	}
	if sf.Before, err = parseSessionCursor(q.Get("before")); err != nil {
		return f, sf, fmt.Errorf("before: %w", err)
	}
	if sf.After, err = parseSessionCursor(q.Get("after")); err != nil {
		return f, sf, fmt.Errorf("after: %w", err)
	}
	if sf.Before != nil && sf.After != nil {
		return f, sf, fmt.Errorf("before and after: one page at a time")
	}
	return f, sf, nil
}

// timeLayouts are the forms a time in the query may take: an <input
// type=datetime-local>'s (in the server's zone), a date, or RFC 3339.
var timeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02", time.RFC3339Nano}

// parseTime reads a time of the query string; "" is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2025-03-01T12:00, 2025-03-01 or RFC 3339)", s)
}

// cursorParam is a session's place in the list as a query parameter:
// "<started at, µs>.<row id>".
func cursorParam(c inspector.SessionCursor) string {
	return strconv.FormatInt(c.StartedAt.UnixMicro(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

func parseSessionCursor(s string) (*inspector.SessionCursor, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%q is not a place in the list (<µs>.<id>)", s)
	}
	return &inspector.SessionCursor{StartedAt: time.UnixMicro(us), ID: id}, nil
}

// packetsFilter is the filter of a session page's packet table, every
// field a query parameter of the same name.
type packetsFilter struct {
	Dir        string `json:"dir"`   // "in" or "out"
	Type       string `json:"type"`  // an Engine.IO or Socket.IO type: "ping", "EVENT"
	Nsp        string `json:"nsp"`   // namespace, exactly
	Event      string `json:"event"` // event name, exactly
	Text       string `json:"q"`     // text in the arguments or on the wire
	Heartbeats bool   `json:"hb"`    // show pings, pongs and noops (hidden by default)
}

func (f packetsFilter) empty() bool { return f == packetsFilter{} }

func (f packetsFilter) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"dir": f.Dir, "type": f.Type, "nsp": f.Nsp, "event": f.Event, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Heartbeats {
		v.Set("hb", "1")
	}
	return v
}

// packetTypes are the types the table's filter offers.
var packetTypes = []string{"EVENT", "ACK", "CONNECT", "DISCONNECT", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK",
	"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// parsePacketsQuery reads a session page's query string: the table's
// filter and its page (?before= or ?after=, a packet id).
func parsePacketsQuery(q url.Values, sid string) (packetsFilter, inspector.PacketFilter, error) {
	f := packetsFilter{Dir: q.Get("dir"), Type: q.Get("type"), Nsp: q.Get("nsp"), Event: q.Get("event"), Text: q.Get("q")}
	pf := inspector.PacketFilter{SID: sid, Dir: f.Dir, Type: f.Type, Nsp: f.Nsp, Event: f.Event, Text: f.Text}
	switch hb := q.Get("hb"); hb {
	case "", "0":
	case "1", "on", "true":
		f.Heartbeats = true
	default:
		return f, pf, fmt.Errorf("hb=%q: want 1 or nothing", hb)
	}
	pf.NoHeartbeats = !f.Heartbeats && f.Type == ""
	if f.Dir != "" && f.Dir != "in" && f.Dir != "out" {
		return f, pf, fmt.Errorf("dir=%q: want in or out", f.Dir)
	}
	var err error
	for _, p := range []struct {
		name string
		to   *int64
	}{{"before", &pf.BeforeID}, {"after", &pf.AfterID}} {
		if s := q.Get(p.name); s != "" {
			if *p.to, err = strconv.ParseInt(s, 10, 64); err != nil || *p.to <= 0 {
				return f, pf, fmt.Errorf("%s=%q: want a packet id", p.name, s)
			}
		}
	}
	if pf.BeforeID > 0 && pf.AfterID > 0 {
		return f, pf, fmt.Errorf("before and after: one page at a time")
	}
	return f, pf, nil
}
