package har

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// DefaultBase is the origin Export gives the requests: the database keeps
// the server's path, not its host.
const DefaultBase = "http://localhost"

// exportPage is how many packets Export reads at a time.
const exportPage = 5000

// ExportOptions says how Export writes a HAR.
type ExportOptions struct {
	// Base is the scheme and host of the requests' URLs. If empty,
	// DefaultBase is used.
	Base string
	// Creator names the program in the HAR's creator field. If empty,
	// "workbook" is used.
	Creator, Version string
}

// Export writes the packets f selects (the limit and Last are ignored:
// every packet that matches) as a HAR: each session's polling packets as
// GET (from the server) and POST (from the client) requests, its packets
// recorded at the same moment in the same direction in one request; its
// WebSocket packets as one WebSocket entry with DevTools' _webSocketMessages
// (time in seconds since the epoch). It returns the number of packets
// written.
func Export(ctx context.Context, db *inspector.DB, w io.Writer, f inspector.PacketFilter, opts ExportOptions) (int, error) {
	base := cmp.Or(opts.Base, DefaultBase)
	if u, err := url.Parse(base); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return 0, fmt.Errorf("har: export: base %q is not an http(s) origin", base)
	}
	base = strings.TrimSuffix(base, "/")
	f.Last, f.Limit = false, exportPage
	type group struct {
		s  *inspector.Session
		ps []inspector.Packet
	}
	groups := map[string]*group{}
	var order []*group
	n := 0
	for {
		ps, err := db.Packets(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("har: export: %w", err)
		}
		for _, p := range ps {
			g := groups[p.SID]
			if g == nil {
				s, err := db.Session(ctx, p.SID)
				if err != nil {
					return 0, fmt.Errorf("har: export: session %s: %w", p.SID, err)
				}
				g = &group{s: s}
				groups[p.SID] = g
				order = append(order, g)
			}
			g.ps = append(g.ps, p)
			n++
		}
		if len(ps) < exportPage {
			break
		}
		f.AfterID = ps[len(ps)-1].ID
	}
	var entries []entry
	for _, g := range order {
		entries = append(entries, sessionEntries(base, g.s, g.ps)...)
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.StartedDateTime, b.StartedDateTime) })
	a := archive{Log: &harLog{Version: "1.2",
		Creator: creator{Name: cmp.Or(opts.Creator, "workbook"), Version: cmp.Or(opts.Version, "devel")},
		Pages:   []page{}, Entries: entries}}
	if a.Log.Entries == nil {
		a.Log.Entries = []entry{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a); err != nil {
		return 0, fmt.Errorf("har: export: %w", err)
	}
	return n, nil
}

// harTime is the format of startedDateTime: ISO 8601 in UTC, with the
// microseconds of our times where DevTools writes milliseconds (JavaScript's
// Date reads both).
const harTime = "2006-01-02T15:04:05.000000Z07:00"

// sessionEntries turns one session's packets into entries.
func sessionEntries(base string, s *inspector.Session, ps []inspector.Packet) []entry {
	var out []entry
	var ws *entry
	handshake := true
	for i := 0; i < len(ps); {
		p := ps[i]
		if p.Transport == engine.TransportWebSocket {
			if ws == nil {
				sid := ""
				if s.Transport != engine.TransportWebSocket {
					sid = s.SID // an upgrade
				}
				start := p.At
				if sid == "" {
					start = s.StartedAt // the session's handshake
				}
				ws = newEntry(s, "GET", wsURL(base, s.Path, sid), start)
				ws.ResourceType = "websocket"
				ws.Response.Status, ws.Response.StatusText = 101, "Switching Protocols"
			}
			m := wsMessage{Type: "send", Time: float64(p.At.UnixMicro()) / 1e6, Opcode: 1, Data: string(p.Raw)}
			if p.Dir == "out" {
				m.Type = "receive"
			}
			if p.Binary {
				m.Opcode, m.Data = 2, base64.StdEncoding.EncodeToString(p.Raw)
			}
			ws.WebSocketMessages = append(ws.WebSocketMessages, m)
			i++
			continue
		}
		// A polling request: the packets of this direction recorded at the
		// same moment, which came in one body.
		j := i + 1
		for j < len(ps) && ps[j].Transport == p.Transport && ps[j].Dir == p.Dir && ps[j].At.Equal(p.At) {
			j++
		}
		body := payload(ps[i:j])
		sid := s.SID
		if handshake && p.Dir == "out" && p.EIOType == "open" {
			sid = ""
		}
		handshake = false
		if p.Dir == "in" {
			e := newEntry(s, "POST", pollURL(base, s.Path, sid), p.At)
			e.Request.PostData = &postData{MimeType: "text/plain;charset=UTF-8", Text: body}
			e.Request.BodySize = int64(len(body))
			e.Response.Content = content{Size: 2, MimeType: "text/html", Text: "ok"}
			e.Response.BodySize = 2
			out = append(out, *e)
		} else {
			start := p.At
			if sid == "" && s.StartedAt.Before(start) {
				// The handshake: the request came when the session started,
				// its answer at the packets' time.
				start = s.StartedAt
			}
			e := newEntry(s, "GET", pollURL(base, s.Path, sid), start)
			e.Time = float64(p.At.Sub(start).Microseconds()) / 1e3
			e.Timings.Wait = e.Time
			e.Response.Content = content{Size: int64(len(body)), MimeType: "text/plain; charset=UTF-8", Text: body}
			e.Response.BodySize = int64(len(body))
			out = append(out, *e)
		}
		i = j
	}
	if ws != nil {
		out = append(out, *ws)
	}
	return out
}

// newEntry returns an entry for a request of session s at moment at, that
// took no time (the packets' times are when the answer came).
func newEntry(s *inspector.Session, method, u string, at time.Time) *entry {
	e := &entry{StartedDateTime: at.UTC().Format(harTime), ResourceType: "xhr",
		Request: request{Method: method, URL: u, HTTPVersion: "HTTP/1.1", Cookies: []nameVal{},
			Headers: []nameVal{}, QueryString: queryOf(u), HeadersSize: -1},
		Response: response{Status: 200, StatusText: "OK", HTTPVersion: "HTTP/1.1", Cookies: []nameVal{},
			Headers: []nameVal{}, HeadersSize: -1},
		Timings: timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1}}
	if s.UserAgent != "" {
		e.Request.Headers = append(e.Request.Headers, nameVal{"User-Agent", s.UserAgent})
	}
	if s.Client != "" {
		e.Request.Cookies = append(e.Request.Cookies, nameVal{"wb_client", s.Client})
		e.Request.Headers = append(e.Request.Headers, nameVal{"Cookie", "wb_client=" + s.Client})
	}
	return e
}

func pollURL(base, path, sid string) string {
	u := base + path + "?EIO=4&transport=polling"
	if sid != "" {
		u += "&sid=" + url.QueryEscape(sid)
	}
	return u
}

func wsURL(base, path, sid string) string {
	u := "ws" + strings.TrimPrefix(base, "http") + path + "?EIO=4&transport=websocket"
	if sid != "" {
		u += "&sid=" + url.QueryEscape(sid)
	}
	return u
}

func queryOf(u string) []nameVal {
	out := []nameVal{}
	pu, err := url.Parse(u)
	if err != nil {
		return out
	}
	for _, kv := range strings.Split(pu.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		uv, _ := url.QueryUnescape(v)
		out = append(out, nameVal{k, uv})
	}
	return out
}

// payload joins packets as a polling body: records separated by 0x1e,
// binary ones as "b" + base64.
func payload(ps []inspector.Packet) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(0x1e)
		}
		if p.Binary {
			b.WriteByte('b')
			b.WriteString(base64.StdEncoding.EncodeToString(p.Raw))
		} else {
			b.Write(p.Raw)
		}
	}
	return b.String()
}
