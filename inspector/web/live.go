package web

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio"
)

// The live feed.
//
// A page connects to the inspector's own sio.Server and emits "watch" with
// what it wants to see; the answer (an ack) is the recent past, and from
// then on "batch" events bring what happens. Rooms:
//
//	sessions         every session as it opens, upgrades and closes, plus
//	                 packet counts per session
//	tail             every packet, debug line and session change
//	session:<sid>    the packets, debug lines and changes of one session
//	client:<id>      those of every session of one browser (the panel)
//
// The hub reads the recorder's feed (Recorder.Subscribe) and sends each room
// one batch every batchEvery at most, so that a busy server costs each
// browser a few events a second, not one per packet. A batch carries at most
// maxBatch items; the rest are counted as skipped (the pages say so, and
// the database has them all).
//
// Anyone with a wb_client cookie may watch that browser's sessions, so
// what one watch costs is bounded: its answer holds the newest items that
// fit in maxWatchAnswer bytes of JSON (the older ones counted as skipped),
// and a socket may send watchBurst watches at once, then one per
// watchEvery; past that it gets a short refusal.

const (
	batchEvery   = 150 * time.Millisecond
	maxBatch     = 1000    // items per room per batch
	maxBatchSize = 1 << 20 // bytes of text (raw packets, arguments, messages) per room per batch
	maxPending   = 100000  // items the hub holds between two batches
	statsEvery   = 2 * time.Second
	backlogLimit = 500 // packets (and as many debug lines) a watch answers with
	subscribeBuf = 8192

	// maxWatchAnswer bounds the JSON of one answer to "watch": the newest
	// items that fit, the older ones counted as skipped (the database has
	// them, and the pages link to it).
	maxWatchAnswer = 1 << 20
	// A socket may send watchBurst watches at once, then one per
	// watchEvery: a page sends one per connection.
	watchBurst = 4
	watchEvery = time.Second
	// maxWatchItems bounds the items of one answer, whatever their size.
	maxWatchItems = 5000
	// watchAnswerFrame is what an answer weighs besides its items.
	watchAnswerFrame = 1024
)

// limiter lets through burst events at once, then one per every: a token
// bucket. It is safe for use by multiple goroutines.
type limiter struct {
	burst int
	every time.Duration

	mu     sync.Mutex
	tokens float64
	last   time.Time // zero: full
}

// allow reports whether an event at now may go through, and counts it.
func (l *limiter) allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = float64(l.burst)
	} else if d := now.Sub(l.last); d > 0 {
		l.tokens = min(float64(l.burst), l.tokens+float64(d)/float64(l.every))
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// watchRequest is the payload of a "watch" event.
type watchRequest struct {
	Room        string   `json:"room"` // "sessions", "tail", "session", "client"
	SID         string   `json:"sid"`
	Client      string   `json:"client"`
	PathPrefix  string   `json:"pathPrefix"`
	Lesson      string   `json:"lesson"`      // tail: only the sessions of a lesson ("rooms" or "rooms/join")
	Event       string   `json:"event"`       // tail: only the packets of an event
	SIDs        []string `json:"sids"`        // sessions: the rows a page shows, for their counts
	AfterPacket int64    `json:"afterPacket"` // only newer packets in the backlog
	AfterDebug  int64    `json:"afterDebug"`
}

// watchReply is the ack of a "watch" event.
type watchReply struct {
	Error     string `json:"error,omitempty"`
	Items     []any  `json:"items"`
	Dropped   int64  `json:"dropped"`
	Recording bool   `json:"recording"`
	// Skipped counts the older items left out of Items, to keep the
	// answer under maxWatchAnswer: the database has them.
	Skipped int `json:"skipped,omitempty"`
}

// batch is the payload of a "batch" event.
type batch struct {
	Room  string `json:"room"`
	Items []any  `json:"items"`
	// Counts are, in the sessions room, the new packets of the newest
	// sessions (the first page's rows; a page that shows others asks for
	// theirs, which come in a "counts" event of its own). Packets and
	// Opened count everything: a busy server costs a page a bounded batch,
	// never a row per socket per event.
	Counts  map[string]int `json:"counts,omitempty"`
	Packets int            `json:"packets,omitempty"`
	Opened  int            `json:"opened,omitempty"`
	Dropped int64          `json:"dropped"`
	Skipped int            `json:"skipped,omitempty"`

	sent map[string]bool // client rooms: sessions already in Items
}

// trim keeps a batch under maxBatch items and maxBatchSize bytes (see
// trimItems).
func (b *batch) trim() {
	b.Skipped += trimItems(&b.Items, maxBatch, maxBatchSize)
}

// trimItems keeps items under maxItems and maxBytes of JSON: the newest
// items stay (a page shows what happens now), and so do session changes,
// which pages need to place the rest. It returns how many it left out.
func trimItems(items *[]any, maxItems, maxBytes int) (skipped int) {
	all := *items
	size := 0
	for _, it := range all {
		size += itemSize(it)
	}
	if len(all) <= maxItems && size <= maxBytes {
		return 0
	}
	keep := make([]bool, len(all))
	n, size := 0, 0
	for i := len(all) - 1; i >= 0; i-- {
		if s, ok := all[i].(sessionItem); ok {
			keep[i] = true
			size += itemSize(s)
		}
	}
	for i := len(all) - 1; i >= 0; i-- {
		it := all[i]
		if keep[i] {
			continue
		}
		if w := itemSize(it); n < maxItems && size+w <= maxBytes {
			keep[i] = true
			n++
			size += w
		} else {
			skipped++
		}
	}
	kept := all[:0]
	for i, it := range all {
		if keep[i] {
			kept = append(kept, it)
		}
	}
	clear(all[len(kept):])
	*items = kept
	return skipped
}

// itemSize is what an item weighs in JSON, at most: its text as
// encoding/json writes it (escapes included), and its field names and
// numbers.
func itemSize(item any) int {
	switch it := item.(type) {
	case packetItem:
		return 260 + jsonSize(it.SID) + jsonSize(it.Dir) + jsonSize(it.Transport) + jsonSize(it.EIO) + jsonSize(it.SIO) +
			jsonSize(it.Nsp) + jsonSize(it.Event) + jsonSize(it.Args) + jsonSize(it.Raw)
	case debugItem:
		return 120 + jsonSize(it.SID) + jsonSize(it.NS) + jsonSize(it.Message) + jsonSize(it.Color)
	case sessionItem:
		return 280 + jsonSize(it.SID) + jsonSize(it.Path) + jsonSize(it.Lesson) + jsonSize(it.Client) + jsonSize(it.Addr) +
			jsonSize(it.UserAgent) + jsonSize(it.Transport) + jsonSize(it.Upgraded) + jsonSize(it.Reason)
	}
	return 200
}

// jsonSize is the length of s as a JSON string by encoding/json, quotes
// included: HTML characters, control characters, invalid UTF-8 and the
// line separators take 6 bytes (\u003c), quotes and backslashes 2.
func jsonSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += w
		}
		i += w
	}
	return n
}

// sessInfo is what the hub remembers of a session to route its items.
type sessInfo struct {
	item   sessionItem
	closed int // batches since it closed; forgotten after the next one
}

type hub struct {
	h *Handler

	mu       sync.Mutex
	watchers map[string]int // room -> sockets watching it
	// shown are the sessions each socket of the sessions room shows
	// beyond the newest (a deep or filtered page), at most maxShown each.
	shown map[*sio.Socket]map[string]bool

	// Owned by run.
	sessions    map[string]*sessInfo
	newest      []string        // the sids of the newest sessions opened, at most sessionsLimit, oldest first
	isNewest    map[string]bool // newest as a set
	pending     []inspector.Live
	skipped     int
	lastDropped int64

	stop chan struct{}
	done chan struct{}
}

func newHub(h *Handler) *hub {
	hb := &hub{
		h:        h,
		watchers: map[string]int{},
		shown:    map[*sio.Socket]map[string]bool{},
		sessions: map[string]*sessInfo{},
		isNewest: map[string]bool{},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if h.rec == nil {
		close(hb.done)
		return hb
	}
	feed, cancel := h.rec.Subscribe(subscribeBuf)
	go hb.run(feed, cancel)
	return hb
}

func (hb *hub) close() {
	select {
	case <-hb.stop:
	default:
		close(hb.stop)
	}
	<-hb.done
}

func (hb *hub) run(feed <-chan inspector.Live, cancel func()) {
	defer close(hb.done)
	defer cancel()
	tick := time.NewTicker(batchEvery)
	defer tick.Stop()
	lastStats := time.Now()
	for {
		select {
		case <-hb.stop:
			return
		case l, ok := <-feed:
			if !ok {
				feed = nil // the recorder closed; pages keep what they have
				continue
			}
			if len(hb.pending) >= maxPending {
				hb.skipped++
				continue
			}
			hb.pending = append(hb.pending, l)
		case now := <-tick.C:
			if len(hb.pending) > 0 || hb.skipped > 0 {
				hb.flush()
			} else if now.Sub(lastStats) >= statsEvery {
				lastStats = now
				hb.sendDropped()
			}
		}
	}
}

func (hb *hub) watched(room string) bool {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	return hb.watchers[room] > 0
}

// watchedRooms returns a copy of the rooms someone watches.
func (hb *hub) watchedRooms() map[string]bool {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	m := make(map[string]bool, len(hb.watchers))
	for r, n := range hb.watchers {
		if n > 0 {
			m[r] = true
		}
	}
	return m
}

// flush routes the pending items to the rooms watched, one batch per room.
func (hb *hub) flush() {
	rooms := hb.watchedRooms()
	anyClient := false
	for r := range rooms {
		if strings.HasPrefix(r, "client:") {
			anyClient = true
			break
		}
	}
	var tails []tailRoom // the filtered tails watched
	for r := range rooms {
		if f, ok := parseTailRoom(r); ok {
			tails = append(tails, tailRoom{r, f})
		}
	}
	dropped := hb.dropped()
	batches := map[string]*batch{}
	add := func(room string, item any) {
		if !rooms[room] {
			return
		}
		b := batches[room]
		if b == nil {
			b = &batch{Room: room, Dropped: dropped}
			batches[room] = b
		}
		b.Items = append(b.Items, item)
	}
	// A client room learns of each session before its first item, so that
	// the panel can tell which server it belongs to.
	addClient := func(info *sessInfo, item any) {
		if info == nil || info.item.Client == "" {
			return
		}
		room := "client:" + info.item.Client
		if !rooms[room] {
			return
		}
		b := batches[room]
		if b == nil || !b.sent[info.item.SID] {
			add(room, info.item)
			b = batches[room]
			if b.sent == nil {
				b.sent = map[string]bool{}
			}
			b.sent[info.item.SID] = true
		}
		if item != nil {
			add(room, item)
		}
	}
	// Sessions first: a writer batch publishes its session changes after
	// its packets, and the rooms of the packets depend on them.
	for _, l := range hb.pending {
		if l.Session != nil {
			s := newSessionItem(l.Session)
			info := hb.sessions[s.SID]
			if info == nil {
				info = &sessInfo{}
				hb.sessions[s.SID] = info
			}
			info.item = s
		}
	}
	var allCounts map[string]int // every session's new packets, for the pages that show older ones
	for _, l := range hb.pending {
		switch {
		case l.Session != nil:
			s := newSessionItem(l.Session)
			opened := s.At == s.StartedAt && s.EndedAt == 0 && s.UpgradedAt == 0
			if opened {
				hb.opened(s.SID)
			}
			add("sessions", s)
			if b := batches["sessions"]; b != nil && opened {
				b.Opened++
			}
			add("tail", s)
			for _, t := range tails {
				if t.f.Event == "" && t.f.matchSession(&s) {
					add(t.room, s)
				}
			}
			add("session:"+s.SID, s)
			addClient(hb.sessions[s.SID], nil)
		case l.Packet != nil:
			p := newPacketItem(l.Packet, liveCut)
			if rooms["sessions"] {
				b := batches["sessions"]
				if b == nil {
					b = &batch{Room: "sessions", Dropped: dropped}
					batches["sessions"] = b
				}
				b.Packets++
				if hb.isNewest[p.SID] {
					if b.Counts == nil {
						b.Counts = map[string]int{}
					}
					b.Counts[p.SID]++
				} else {
					if allCounts == nil {
						allCounts = map[string]int{}
					}
					allCounts[p.SID]++
				}
			}
			add("tail", p)
			for _, t := range tails {
				if (t.f.Event == "" || t.f.Event == p.Event) && t.f.matchSession(&hb.lookup(p.SID).item) {
					add(t.room, p)
				}
			}
			add("session:"+p.SID, p)
			if anyClient {
				addClient(hb.lookup(p.SID), p)
			}
		case l.Debug != nil:
			d := newDebugItem(l.Debug)
			add("tail", d)
			for _, t := range tails {
				if t.f.Event == "" && d.SID != "" && t.f.matchSession(&hb.lookup(d.SID).item) {
					add(t.room, d)
				}
			}
			if d.SID != "" {
				add("session:"+d.SID, d)
				if anyClient {
					addClient(hb.lookup(d.SID), d)
				}
			}
		}
	}
	if hb.skipped > 0 {
		if b := batches["tail"]; b != nil {
			b.Skipped += hb.skipped
		}
		hb.skipped = 0
	}
	clear(hb.pending)
	hb.pending = hb.pending[:0]
	for sid, info := range hb.sessions {
		if info.item.EndedAt != 0 {
			if info.closed++; info.closed > 2 {
				delete(hb.sessions, sid)
			}
		}
	}
	if b := batches["sessions"]; b != nil && len(b.Items) > sessionsLimit {
		// A page shows sessionsLimit rows: the newest changes are enough.
		b.Items = b.Items[len(b.Items)-sessionsLimit:]
	}
	if len(allCounts) > 0 {
		hb.sendShown(allCounts)
	}
	for room, b := range batches {
		b.trim()
		if err := hb.h.live.To(room).Emit("batch", b); err != nil {
			hb.h.log.Warn("inspector: live batch", "room", room, "err", err)
		}
	}
	hb.lastDropped = dropped
}

// lookup returns what the hub knows of session sid, reading it from the
// database when the hub has not seen it open (it opened before the hub
// started, or its change was lost on the way).
func (hb *hub) lookup(sid string) *sessInfo {
	if info := hb.sessions[sid]; info != nil {
		return info
	}
	info := &sessInfo{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s, err := hb.h.db.Session(ctx, sid); err == nil {
		info.item = newSessionItem(s)
	} else {
		info.item = sessionItem{K: "s", SID: sid}
		if !errors.Is(err, inspector.ErrNotFound) {
			hb.h.log.Warn("inspector: live session lookup", "sid", sid, "err", err)
		}
	}
	hb.sessions[sid] = info
	return info
}

func (hb *hub) dropped() int64 {
	if hb.h.rec == nil {
		return 0
	}
	return hb.h.rec.Dropped()
}

// sendDropped tells the pages the recorder's drop count when it changed
// while nothing was recorded (a full queue records nothing).
func (hb *hub) sendDropped() {
	d := hb.dropped()
	if d == hb.lastDropped {
		return
	}
	hb.lastDropped = d
	for room := range hb.watchedRooms() {
		hb.h.live.To(room).Emit("batch", &batch{Room: room, Items: []any{}, Dropped: d})
	}
}

// onConnection handles a live-feed socket: its "watch" requests, and the
// rooms it leaves when it goes.
func (hb *hub) onConnection(s *sio.Socket) {
	var mu sync.Mutex
	joined := map[string]bool{}
	limit := limiter{burst: watchBurst, every: watchEvery}
	s.On("watch", func(e *sio.Event) {
		if !limit.allow(time.Now()) {
			e.Ack(watchReply{Error: "too many watch requests: one a second at most", Items: []any{}})
			return
		}
		var req watchRequest
		if err := e.Bind(&req); err != nil {
			e.Ack(watchReply{Error: "bad watch request: " + err.Error()})
			return
		}
		room, err := hb.room(accessOf(s), &req)
		if err != nil {
			e.Ack(watchReply{Error: err.Error()})
			return
		}
		mu.Lock()
		if !joined[room] {
			joined[room] = true
			hb.mu.Lock()
			hb.watchers[room]++
			hb.mu.Unlock()
			s.Join(room)
		}
		mu.Unlock()
		if room == "sessions" {
			hb.show(s, req.SIDs)
		}
		// Joined first, then read: what is committed meanwhile comes in a
		// batch too, and the page drops what it has twice.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		items, unread, err := hb.backlog(ctx, &req)
		reply := watchReply{Items: items, Dropped: hb.dropped(), Recording: hb.h.rec != nil}
		if err != nil {
			hb.h.log.Warn("inspector: live backlog", "room", room, "err", err)
			reply.Error = "cannot read the database"
		}
		if reply.Items == nil {
			reply.Items = []any{}
		}
		reply.Skipped = unread + trimItems(&reply.Items, maxWatchItems, maxWatchAnswer-watchAnswerFrame)
		e.Ack(reply)
	})
	s.OnDisconnect(func(sio.Reason) {
		mu.Lock()
		defer mu.Unlock()
		hb.mu.Lock()
		defer hb.mu.Unlock()
		for room := range joined {
			if hb.watchers[room]--; hb.watchers[room] <= 0 {
				delete(hb.watchers, room)
			}
		}
		clear(joined)
		delete(hb.shown, s)
	})
}

var errForbidden = errors.New("the inspector token is required for this view")

// room checks a watch request against what the socket may see, and names
// its room. A socket without the token may only watch its own browser.
func (hb *hub) room(a *access, req *watchRequest) (string, error) {
	switch req.Room {
	case "sessions":
		if !a.all {
			return "", errForbidden
		}
		return req.Room, nil
	case "tail":
		if !a.all {
			return "", errForbidden
		}
		return tailFilterOf(req).room(), nil
	case "session":
		if !a.all {
			return "", errForbidden
		}
		if req.SID == "" {
			return "", errors.New("no session id")
		}
		return "session:" + req.SID, nil
	case "client":
		if !a.all || req.Client == "" {
			req.Client = a.client
		}
		if req.Client == "" {
			return "", errors.New("no client id (cookie wb_client)")
		}
		return "client:" + req.Client, nil
	}
	return "", errors.New("unknown room " + req.Room)
}

// backlog reads what a watch starts with. A browser's room reads its
// sessions newest first, and stops once it has more than an answer holds:
// unread counts the packets of the sessions it left unread.
func (hb *hub) backlog(ctx context.Context, req *watchRequest) (items []any, unread int, err error) {
	db := hb.h.db
	switch req.Room {
	case "sessions":
		ss, err := db.Sessions(ctx, inspector.SessionFilter{Limit: sessionsLimit})
		if err != nil {
			return nil, 0, err
		}
		items := make([]any, len(ss))
		for i := range ss {
			items[i] = newSessionItem(&ss[i])
		}
		return items, 0, nil
	case "tail":
		tf := tailFilterOf(req)
		items, err := hb.traceBacklog(ctx, inspector.PacketFilter{SID: tf.SID, Client: tf.Client,
			PathPrefix: tf.pathPrefix(), Event: tf.Event}, req)
		return items, 0, err
	case "session":
		s, err := db.Session(ctx, req.SID)
		if errors.Is(err, inspector.ErrNotFound) {
			return nil, 0, nil // not recorded yet: it comes live
		}
		if err != nil {
			return nil, 0, err
		}
		items, err := hb.traceBacklog(ctx, inspector.PacketFilter{SID: req.SID}, req)
		return append([]any{newSessionItem(s)}, items...), 0, err
	case "client":
		ss, err := db.Sessions(ctx, inspector.SessionFilter{Client: req.Client, PathPrefix: req.PathPrefix, Limit: 20})
		if err != nil {
			return nil, 0, err
		}
		var chunks [][]any // newest session first
		size := 0
		for i := range ss {
			if size > maxWatchAnswer {
				unread += ss[i].Packets
				continue
			}
			more, err := hb.traceBacklog(ctx, inspector.PacketFilter{SID: ss[i].SID}, req)
			if err != nil {
				return nil, 0, err
			}
			chunk := append([]any{newSessionItem(&ss[i])}, more...)
			for _, it := range chunk {
				size += itemSize(it)
			}
			chunks = append(chunks, chunk)
		}
		for i := len(chunks) - 1; i >= 0; i-- { // oldest first
			items = append(items, chunks[i]...)
		}
		return items, unread, nil
	}
	return nil, 0, nil
}

// traceBacklog reads the last packets and debug lines matching f, newer
// than the request's after-IDs, merged by time.
func (hb *hub) traceBacklog(ctx context.Context, f inspector.PacketFilter, req *watchRequest) ([]any, error) {
	f.Limit, f.Last = backlogLimit, true
	pf := f
	pf.AfterID = req.AfterPacket
	packets, err := hb.h.db.Packets(ctx, pf)
	if err != nil {
		return nil, err
	}
	df := f
	df.AfterID = req.AfterDebug
	var lines []inspector.DebugLine
	if f.Event == "" { // debug lines belong to no event
		if lines, err = hb.h.db.DebugLines(ctx, df); err != nil {
			return nil, err
		}
	}
	type timed struct {
		at   int64
		item any
	}
	all := make([]timed, 0, len(packets)+len(lines))
	for i := range packets {
		p := newPacketItem(&packets[i], liveCut)
		all = append(all, timed{p.At, p})
	}
	for i := range lines {
		d := newDebugItem(&lines[i])
		all = append(all, timed{d.At, d})
	}
	slices.SortStableFunc(all, func(a, b timed) int { return cmp.Compare(a.at, b.at) })
	items := make([]any, len(all))
	for i, t := range all {
		items[i] = t.item
	}
	return items, nil
}

// tailFilter narrows the live tail to a session, a browser, a lesson or an
// event. Each filter is a room of its own ("tail?client=..."), so that the
// hub filters once for every page that watches it.
type tailFilter struct {
	SID    string `json:"sid"`
	Client string `json:"client"`
	Lesson string `json:"lesson"` // "rooms" or "rooms/join": the sessions under /lessons/rooms/...
	Event  string `json:"event"`  // only packets of this event (and no debug lines)
}

func tailFilterOf(req *watchRequest) tailFilter {
	return tailFilter{SID: req.SID, Client: req.Client, Lesson: strings.Trim(req.Lesson, "/"), Event: req.Event}
}

func (f tailFilter) empty() bool { return f == tailFilter{} }

// query is the filter as query parameters, empty ones left out.
func (f tailFilter) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"sid": f.SID, "client": f.Client, "lesson": f.Lesson, "event": f.Event} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// room is the live feed's room of the tail f selects.
func (f tailFilter) room() string {
	if f.empty() {
		return "tail"
	}
	return "tail?" + f.query().Encode()
}

// tailRoom is a filtered tail someone watches.
type tailRoom struct {
	room string
	f    tailFilter
}

// parseTailRoom reads the filter of a filtered tail's room.
func parseTailRoom(room string) (tailFilter, bool) {
	q, ok := strings.CutPrefix(room, "tail?")
	if !ok {
		return tailFilter{}, false
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return tailFilter{}, false
	}
	return tailFilter{SID: v.Get("sid"), Client: v.Get("client"), Lesson: v.Get("lesson"), Event: v.Get("event")}, true
}

// pathPrefix is the path of the lesson's servers, "" for any.
func (f tailFilter) pathPrefix() string {
	if f.Lesson == "" {
		return ""
	}
	return "/lessons/" + f.Lesson + "/"
}

// matchSession reports whether f keeps the items of session s (its event
// aside).
func (f tailFilter) matchSession(s *sessionItem) bool {
	return (f.SID == "" || s.SID == f.SID) && (f.Client == "" || s.Client == f.Client) &&
		(f.Lesson == "" || strings.HasPrefix(s.Path, f.pathPrefix()))
}

// maxShown bounds the sessions a page of the sessions list may ask counts
// for: more than a page holds.
const maxShown = 2 * sessionsLimit

// opened notes a session that opened: the newest are the first page's rows.
func (hb *hub) opened(sid string) {
	if hb.isNewest[sid] {
		return
	}
	hb.newest = append(hb.newest, sid)
	hb.isNewest[sid] = true
	if len(hb.newest) > sessionsLimit {
		delete(hb.isNewest, hb.newest[0])
		hb.newest = hb.newest[1:]
	}
}

// sendShown sends each page of the sessions list that shows older sessions
// the new packet counts of those, in a "counts" event of its own.
func (hb *hub) sendShown(counts map[string]int) {
	type send struct {
		s    *sio.Socket
		mine map[string]int
	}
	var sends []send
	hb.mu.Lock()
	for s, sids := range hb.shown {
		var mine map[string]int
		for sid := range sids {
			if n := counts[sid]; n > 0 {
				if mine == nil {
					mine = map[string]int{}
				}
				mine[sid] = n
			}
		}
		if mine != nil {
			sends = append(sends, send{s, mine})
		}
	}
	hb.mu.Unlock()
	// Emitted without the hub's lock: no code path holds two.
	for _, x := range sends {
		if err := x.s.Emit("counts", x.mine); err != nil {
			hb.h.log.Debug("inspector: live counts", "err", err)
		}
	}
}

// show records the sessions a page of the sessions list shows.
func (hb *hub) show(s *sio.Socket, sids []string) {
	set := make(map[string]bool, min(len(sids), maxShown))
	for _, sid := range sids {
		if len(set) == maxShown {
			break
		}
		set[sid] = true
	}
	hb.mu.Lock()
	hb.shown[s] = set
	hb.mu.Unlock()
}
