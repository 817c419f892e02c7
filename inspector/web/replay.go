package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/inspector"
)

// Replay limits.
const (
	replayPageSize = 2000        // timeline items on one replay page
	timelineLimit  = 5000        // the largest ?limit= of the timeline endpoint
	replayMaxGapUS = 2 * 1000000 // µs: longer pauses are shortened to this during playback
)

// replayModel is the replay page of a session: its sequence diagram and its
// trace, and the player that shows them again in time.
type replayModel struct {
	Layout  layoutProps
	Session sessionItem
	Items   []replayItem
	Total   int    // items of the whole timeline
	First   int    // 1-based number of the page's first item in the timeline
	Next    string // cursor of the next page, "" on the last
	Later   bool   // the page does not start at the beginning
	Debug   string // the DEBUG pattern the trace starts with
	Config  replayConfig
}

// replayConfig is what replay.js needs.
type replayConfig struct {
	SID      string `json:"sid"`
	Start    int64  `json:"start"`    // µs, the session's start
	Duration int64  `json:"duration"` // µs from the start to the page's last item (or the session's end, on the last page)
	MaxGap   int64  `json:"maxGap"`   // µs: longer pauses are shortened to it
	// Open says the session has not ended: on its last page the player
	// follows it, fetching what comes (MoreURL) from After on.
	Open     bool   `json:"open"`
	After    string `json:"after"`    // cursor after the page's last item
	MoreURL  string `json:"moreURL"`  // the follow endpoint of the session
	PageURL  string `json:"pageURL"`  // the replay page, without a cursor
	Next     string `json:"next"`     // cursor of the next page, "" on the last
	PageSize int    `json:"pageSize"` // items a page holds
	// The deep link: SeekT (µs, -1 for none) or SeekPacket (0 for none)
	// says where the player opens; Play starts it (the page before ended
	// while playing).
	SeekT      int64 `json:"seekT"`
	SeekPacket int64 `json:"seekPacket"`
	Play       bool  `json:"play"`
}

// endCursor returns the cursor after the items of a page that started at
// c: what the follow endpoint asks for next.
func endCursor(c inspector.TimelineCursor, items []inspector.TimelineItem) inspector.TimelineCursor {
	for i := range items {
		switch it := &items[i]; it.Kind {
		case inspector.TimelinePacket:
			c.Packet = it.Packet.ID
		case inspector.TimelineDebug:
			c.Debug = it.Debug.ID
		default:
			c.At = it.At
		}
	}
	return c
}

// deepLink reads ?t=<ms> and ?packet=<id>: where the replay opens. t is -1
// and packet 0 when not asked.
func deepLink(q url.Values) (t, packet int64, err error) {
	t = -1
	if s := q.Get("t"); s != "" {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms < 0 {
			return 0, 0, errors.New("want t=MS, a whole number of milliseconds from the session's start")
		}
		t = ms * 1000
	}
	if s := q.Get("packet"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return 0, 0, errors.New("want packet=ID, a packet's id")
		}
		packet = id
	}
	return t, packet, nil
}

// covers reports whether a timeline page holds packet id, or reaches time
// t (µs from the start).
func covers(tl *inspector.Timeline, t, packet int64) bool {
	for i := range tl.Items {
		it := &tl.Items[i]
		if packet > 0 && it.Kind == inspector.TimelinePacket && it.Packet.ID == packet {
			return true
		}
		if packet == 0 && t >= 0 && it.Offset.Microseconds() >= t {
			return true
		}
	}
	return false
}

// formatCursor writes a timeline cursor as the "after" parameter of the
// replay page and the timeline endpoint: "packet.debug.at".
func formatCursor(c *inspector.TimelineCursor) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", c.Packet, c.Debug, micro(c.At))
}

// parseCursor reads a cursor formatCursor wrote; "" is the start.
func parseCursor(s string) (inspector.TimelineCursor, error) {
	var c inspector.TimelineCursor
	if s == "" {
		return c, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return c, errors.New("want after=PACKET.DEBUG.TIME")
	}
	var n [3]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 {
			return c, errors.New("want after=PACKET.DEBUG.TIME, three whole numbers")
		}
		n[i] = v
	}
	c.Packet, c.Debug = n[0], n[1]
	if n[2] != 0 {
		c.At = time.UnixMicro(n[2])
	}
	return c, nil
}

// replayItems builds the replay items of a timeline page, its packets
// linked to their acks (timelineAcks). A link to a peer that this page does
// not hold opens the replay at that packet; whole says the items are the
// whole page (the follow endpoint's batch is not, and its links all point
// into the page, which replay.js mends for a peer the page lacks).
func replayItems(tl *inspector.Timeline, acks map[int64]ackLink, whole bool) []replayItem {
	b := newSeqBuilder(&tl.Session)
	out := make([]replayItem, len(tl.Items))
	here := map[int64]bool{}
	for i := range tl.Items {
		out[i] = b.add(i, &tl.Items[i])
		if p := out[i].Packet; p != nil {
			here[p.ID] = true
			p.link(acks)
		}
	}
	for i := range out {
		p := out[i].Packet
		if p == nil || p.Ack == nil || p.Ack.Peer == 0 {
			continue
		}
		out[i].AckHref = "#" + seqAnchor(p.Ack.Peer)
		if whole && !here[p.Ack.Peer] {
			out[i].AckHref = string(replayURL(tl.Session.SID, "")) + "?packet=" + itoa(p.Ack.Peer) + out[i].AckHref
		}
	}
	return out
}

// seqAnchor is the id of packet id's row in the sequence diagram.
func seqAnchor(id int64) string { return "wbi-seq-p" + itoa(id) }

func (h *Handler) replay(r *http.Request) (templ.Component, int) {
	ctx := r.Context()
	sid := r.PathValue("sid")
	q := r.URL.Query()
	c, err := parseCursor(q.Get("after"))
	if err != nil {
		return notFoundPage(h.layout(ctx, "Bad request", "", ""), "The replay's page is not valid: "+err.Error()+"."), http.StatusBadRequest
	}
	seekT, seekPacket, err := deepLink(q)
	if err != nil {
		return notFoundPage(h.layout(ctx, "Bad request", "", ""), "The replay's link is not valid: "+err.Error()+"."), http.StatusBadRequest
	}
	tl, err := h.db.Timeline(ctx, sid, c, replayPageSize)
	// A deep link without a cursor opens the page that holds its moment
	// or packet (the last page when none does).
	for err == nil && !q.Has("after") && (seekT >= 0 || seekPacket > 0) && tl.Next != nil && !covers(tl, seekT, seekPacket) {
		c = *tl.Next
		tl, err = h.db.Timeline(ctx, sid, c, replayPageSize)
	}
	if errors.Is(err, inspector.ErrNotFound) {
		return notFoundPage(h.layout(ctx, "Not found", "", ""), "No session has the id "+strconv.Quote(sid)+"."), http.StatusNotFound
	}
	if err != nil {
		return h.failure(r, err)
	}
	acks, err := h.timelineAcks(ctx, tl)
	if err != nil {
		return h.failure(r, err)
	}
	m := replayModel{
		Layout:  h.layout(ctx, "Replay "+sid, "", "replay.js"),
		Session: newSessionItem(&tl.Session),
		Items:   replayItems(tl, acks, true),
		Total:   tl.Total,
		Next:    formatCursor(tl.Next),
		Later:   c != (inspector.TimelineCursor{}),
		Debug:   debugPattern(r),
	}
	m.First = tl.Before + 1
	m.Config = replayConfig{SID: sid, Start: m.Session.StartedAt, MaxGap: replayMaxGapUS,
		Open: m.Session.EndedAt == 0, After: formatCursor(ptr(endCursor(c, tl.Items))), Next: m.Next,
		MoreURL: string(sessionURL(sid)) + "/replay/more", PageURL: string(replayURL(sid, "")),
		PageSize: replayPageSize, SeekT: seekT, SeekPacket: seekPacket, Play: q.Get("play") == "1"}
	if n := len(m.Items); n > 0 {
		m.Config.Duration = m.Items[n-1].T
	}
	if m.Next == "" && m.Session.EndedAt != 0 {
		m.Config.Duration = max(m.Config.Duration, m.Session.EndedAt-m.Session.StartedAt)
	}
	return replayPage(m), http.StatusOK
}

func ptr[T any](v T) *T { return &v }

// moreJSON is the answer of the follow endpoint: the diagram rows and trace
// lines that came after a cursor, as the replay page renders them.
type moreJSON struct {
	Seq      string `json:"seq"`      // <li> rows of the diagram
	Trace    string `json:"trace"`    // <li> lines of the trace
	Count    int    `json:"count"`    // items in them
	Last     int64  `json:"last"`     // µs of the last item, 0 when none
	After    string `json:"after"`    // the cursor to ask from next
	EndedAt  int64  `json:"endedAt"`  // µs since the epoch; 0 while open
	Duration int64  `json:"duration"` // µs from the start to the end, once ended
}

// more serves /inspector/sessions/{sid}/replay/more?after=CURSOR&from=N:
// what a replay page of an open session has not shown yet, numbered from N
// on (the items the page holds), at most a page.
func (h *Handler) more(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	c, err := parseCursor(q.Get("after"))
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	from, err := strconv.Atoi(cmp.Or(q.Get("from"), "0"))
	if err != nil || from < 0 || from > replayPageSize {
		jsonError(w, http.StatusBadRequest, fmt.Sprintf("want from=N, 0 to %d", replayPageSize))
		return
	}
	tl, ok := h.timelineJSONPage(w, r, c, max(replayPageSize-from, 1))
	if !ok {
		return
	}
	s := newSessionItem(&tl.Session)
	out := moreJSON{After: formatCursor(ptr(endCursor(c, tl.Items))), EndedAt: tl.Session.EndedAt.UnixMicro(), Count: len(tl.Items)}
	if tl.Session.EndedAt.IsZero() {
		out.EndedAt = 0
	} else {
		out.Duration = s.EndedAt - s.StartedAt
	}
	var seq, trace strings.Builder
	acks, err := h.timelineAcks(r.Context(), tl)
	if err != nil {
		h.log.Error("inspector: acks of a replay batch", "sid", tl.Session.SID, "err", err)
		jsonError(w, http.StatusInternalServerError, "the inspector could not read its database")
		return
	}
	for _, it := range replayItems(tl, acks, false) {
		it.I += from
		out.Last = it.T
		if it.Arrow != nil {
			if err := seqRow(it).Render(r.Context(), &seq); err != nil {
				jsonError(w, http.StatusInternalServerError, "rendering: "+err.Error())
				return
			}
		}
		if err := replayLine(it, s.StartedAt).Render(r.Context(), &trace); err != nil {
			jsonError(w, http.StatusInternalServerError, "rendering: "+err.Error())
			return
		}
	}
	out.Seq, out.Trace = seq.String(), trace.String()
	writeJSON(w, http.StatusOK, out)
}

// timelineJSONPage reads a page of the timeline of the session the path
// names, for an endpoint that answers JSON: on an error it writes the
// answer and returns false.
func (h *Handler) timelineJSONPage(w http.ResponseWriter, r *http.Request, c inspector.TimelineCursor, limit int) (*inspector.Timeline, bool) {
	sid := r.PathValue("sid")
	tl, err := h.db.Timeline(r.Context(), sid, c, limit)
	if errors.Is(err, inspector.ErrNotFound) {
		jsonError(w, http.StatusNotFound, "no session "+strconv.Quote(sid))
		return nil, false
	}
	if err != nil {
		h.log.Error("inspector: timeline", "path", r.URL.Path, "err", err)
		jsonError(w, http.StatusInternalServerError, "the inspector could not read its database")
		return nil, false
	}
	return tl, true
}

// timelineJSON is the answer of the timeline endpoint.
type timelineJSON struct {
	Session sessionItem    `json:"session"`
	Total   int            `json:"total"` // items of the whole timeline
	Items   []timelineItem `json:"items"`
	Next    string         `json:"next,omitempty"` // ?after= of the next page; absent on the last
}

// timelineItem is one item of the timeline endpoint: exactly one of P, D
// and Ev is set.
type timelineItem struct {
	T  int64       `json:"t"` // µs since the session's start (negative for a line logged before the handshake was recorded)
	P  *packetItem `json:"p,omitempty"`
	D  *debugItem  `json:"d,omitempty"`
	Ev string      `json:"ev,omitempty"` // "open", "upgrade" or "close"
}

// timeline serves /inspector/sessions/{sid}/timeline: the session's
// timeline as JSON, a page at a time (?after= the previous page's next,
// ?limit= up to timelineLimit, 1000 by default).
func (h *Handler) timeline(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	c, err := parseCursor(q.Get("after"))
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	limit := inspector.DefaultTimelineLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > timelineLimit {
			jsonError(w, http.StatusBadRequest, fmt.Sprintf("want limit=N, 1 to %d", timelineLimit))
			return
		}
		limit = n
	}
	tl, ok := h.timelineJSONPage(w, r, c, limit)
	if !ok {
		return
	}
	out := timelineJSON{Session: newSessionItem(&tl.Session), Total: tl.Total, Items: make([]timelineItem, len(tl.Items)), Next: formatCursor(tl.Next)}
	for i := range tl.Items {
		it := &tl.Items[i]
		ti := timelineItem{T: it.Offset.Microseconds()}
		switch it.Kind {
		case inspector.TimelinePacket:
			p := newPacketItem(it.Packet, pageCut)
			ti.P = &p
		case inspector.TimelineDebug:
			d := newDebugItem(it.Debug)
			ti.D = &d
		default:
			ti.Ev = it.Event
		}
		out.Items[i] = ti
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v) // escapes <, > and &: safe inside HTML too
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// replayURL is the replay page of session sid, from cursor after ("" for
// the start).
func replayURL(sid, after string) templ.SafeURL {
	u := string(sessionURL(sid)) + "/replay"
	if after != "" {
		u += "?after=" + url.QueryEscape(after)
	}
	return templ.SafeURL(u)
}

// packetID is the data-packet of an item's elements: its packet's id, ""
// for other items.
func packetID(it replayItem) string {
	if it.Packet == nil {
		return ""
	}
	return strconv.FormatInt(it.Packet.ID, 10)
}
