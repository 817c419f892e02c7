package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/internal/routemux"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/static"
)

// Prefix is where the handler answers: every page, asset and the live feed
// lives under it.
const Prefix = "/inspector/"

// Options configures a Handler. The zero value works: no token, the default
// logger.
type Options struct {
	// Token, if set, is required by every page and by the live feed: a
	// browser opens any page with ?token=<Token> once, which sets an
	// HttpOnly cookie, and the cookie does from then on. Without it the
	// pages answer 401, and the live feed only serves a browser its own
	// sessions (what the lesson panels need). The CLI sets it when the
	// workbook listens on anything but loopback.
	Token string
	// Logger receives the handler's log records. If nil, slog.Default() is
	// used.
	Logger *slog.Logger
	// Actor, if set, lets the session page act on a live session: emit,
	// disconnect, join and leave (POST /inspector/sessions/{sid}/act). If
	// nil, the page says it cannot.
	Actor Actor
}

// Handler serves the inspector's pages under /inspector/. It is safe for use
// by multiple goroutines.
type Handler struct {
	db   *inspector.DB
	rec  *inspector.Recorder
	opts Options
	log  *slog.Logger
	mux  *routemux.Mux
	live *sio.Server // the live feed, at /inspector/socket.io/
	hub  *hub

	closeOnce sync.Once
}

// New serves everything under /inspector/: the pages, their static assets
// (/inspector/static/...), and the live feed on its own sio.Server at
// /inspector/socket.io/, which has no Observer: its packets are not
// recorded. rec may be nil (the workbook runs with --no-record): the pages
// then say recording is off, and nothing is live.
//
// Mount it at /inspector/ (with or without http.StripPrefix), and Close it
// when the server stops.
func New(db *inspector.DB, rec *inspector.Recorder, opts Options) *Handler {
	h := &Handler{db: db, rec: rec, opts: opts, log: opts.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.live = sio.NewServer(sio.Config{
		Path:         Prefix + "socket.io/",
		ClientScript: static.SocketIOJS,
		AllowRequest: sameOrigin,
		Logger:       h.log,
	})
	h.hub = newHub(h)
	h.live.Use(h.liveAuth)
	h.live.OnConnection(h.hub.onConnection)

	mux := new(routemux.Mux)
	mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", assetHandler()))
	mux.Handle(Prefix+"socket.io/", h.live)
	mux.Handle("GET "+Prefix+"{$}", h.page(h.sessions))
	mux.Handle("GET "+Prefix+"sessions/{sid}", h.page(h.session))
	mux.Handle("GET "+Prefix+"sessions/{sid}/replay", h.page(h.replay))
	mux.HandleFunc("GET "+Prefix+"sessions/{sid}/timeline", h.timeline)
	mux.HandleFunc("GET "+Prefix+"sessions/{sid}/download", h.download)
	mux.HandleFunc("GET "+Prefix+"sessions/{sid}/replay/more", h.more)
	mux.HandleFunc("POST "+Prefix+"sessions/{sid}/act", h.act)
	mux.HandleFunc("POST "+Prefix+"import", h.importFile)
	mux.Handle("GET "+Prefix+"tail", h.page(h.tail))
	mux.Handle(Prefix, h.page(h.notFound))
	h.mux = mux
	return h
}

// ServeHTTP answers the requests under /inspector/. A request whose path
// lost the prefix (http.StripPrefix) is answered as if it had it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, Prefix) && r.URL.Path != strings.TrimSuffix(Prefix, "/") {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = Prefix + strings.TrimPrefix(u.Path, "/")
		u.RawPath = ""
		r2.URL = &u
		r = r2
	}
	if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Routes returns the patterns the handler serves ("GET /inspector/tail"),
// so that a test can check every one of them for the token.
func (h *Handler) Routes() []string { return h.mux.Patterns() }

// Close stops the live feed: its connections are closed and it stops
// listening to the recorder. Pages keep answering. Close is idempotent.
func (h *Handler) Close() error {
	h.closeOnce.Do(func() {
		h.hub.close()
		h.live.Close()
	})
	return nil
}

// page wraps a page handler with the token check and renders what it
// returns.
func (h *Handler) page(fn func(r *http.Request) (templ.Component, int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.authorized(w, r) {
			return
		}
		r = withLang(w, r)
		c, status := fn(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.WriteHeader(status)
		if err := c.Render(r.Context(), w); err != nil && !errors.Is(err, context.Canceled) {
			h.log.Warn("inspector: rendering a page", "path", r.URL.Path, "err", err)
		}
	})
}

// Page limits.
const (
	sessionsLimit  = 100   // rows of a page of the sessions list
	sessionPackets = 2000  // packets (and debug lines) of a session page's trace
	sessionScan    = 20000 // packets of a session read for its acks and charts
	tablePage      = 500   // rows of a page of a session's packet table
	tailLines      = 1000  // lines the tail keeps
	tailFirst      = 200   // lines the tail page starts with
)

func (h *Handler) layout(ctx context.Context, title, nav, script string) layoutProps {
	return layoutProps{Title: tr(ctx, title), Nav: nav, Script: script, Stats: h.stats(ctx)}
}

func (h *Handler) stats(ctx context.Context) statsView {
	v := statsView{Recording: h.rec != nil}
	if h.rec != nil {
		v.Dropped = h.rec.Dropped()
	}
	st, err := h.db.Stats(ctx)
	if err != nil {
		v.Err = err.Error()
		return v
	}
	v.Sessions, v.Packets = st.Sessions, st.Packets
	return v
}

func (h *Handler) sessions(r *http.Request) (templ.Component, int) {
	f, sf, err := parseSessionsQuery(r.URL.Query())
	m := sessionsModel{Layout: h.layout(r.Context(), "Sessions", "sessions", "sessions.js"), Filter: f}
	m.Config = sessionsConfig{sessionsFilter: f, Prepend: sf.Before == nil && sf.After == nil &&
		f.Reason == "" && f.Event == "" && !f.Error && f.State != "closed" && f.Until == ""}
	if err != nil {
		m.Err = err.Error()
		m.Config.Prepend = false
		return sessionsPage(m), http.StatusBadRequest
	}
	// One more than a page tells whether there is another beyond it.
	sf.Limit = sessionsLimit + 1
	ss, err := h.db.Sessions(r.Context(), sf)
	if err != nil {
		return h.failure(r, err)
	}
	more := len(ss) > sessionsLimit
	if more {
		if sf.After != nil {
			ss = ss[1:] // the extra one is the newest
		} else {
			ss = ss[:sessionsLimit]
		}
	}
	if len(ss) > 0 {
		if more || sf.After != nil {
			m.Older = sessionsPageURL(f, "before", ss[len(ss)-1].Cursor())
		}
		if sf.Before != nil || sf.After != nil && more {
			m.Newer = sessionsPageURL(f, "after", ss[0].Cursor())
		}
	} else if sf.Before != nil || sf.After != nil {
		m.Newer = sessionsURL(f.query())
	}
	for i := range ss {
		m.Sessions = append(m.Sessions, newSessionItem(&ss[i]))
	}
	// The charts are the filter's, not the page's: on its first page only.
	if sf.Before == nil && sf.After == nil {
		if m.Activity, err = h.activity(r.Context(), sf); err != nil {
			return h.failure(r, err)
		}
	}
	return sessionsPage(m), http.StatusOK
}

// activity draws the charts of the sessions sf selects, over its time
// range, or the last day of it; nil when there is nothing to draw.
func (h *Handler) activity(ctx context.Context, sf inspector.SessionFilter) (*activityCharts, error) {
	to := sf.Until
	if to.IsZero() {
		to = time.Now()
	}
	from := sf.Since
	if from.IsZero() {
		first, err := h.db.FirstSessionAt(ctx, sf)
		if err != nil || first.IsZero() {
			return nil, err
		}
		from = first
		if w := to.Add(-activityWindow); w.After(from) {
			from = w
		}
	}
	if !to.After(from) {
		return nil, nil
	}
	a, err := h.db.SessionActivity(ctx, sf, from, to, activityBuckets)
	if err != nil {
		return nil, err
	}
	c := newActivityCharts(ctx, a)
	return &c, nil
}

// sessionsURL is the sessions list with a query.
func sessionsURL(q url.Values) string {
	if len(q) == 0 {
		return Prefix
	}
	return Prefix + "?" + q.Encode()
}

// sessionsPageURL is a page of the sessions list f selects: before (older
// than) or after (newer than) cursor c.
func sessionsPageURL(f sessionsFilter, dir string, c inspector.SessionCursor) string {
	q := f.query()
	q.Set(dir, cursorParam(c))
	return sessionsURL(q)
}

// lessonURL is the page of a lesson step ("rooms/join").
func lessonURL(lesson string) templ.SafeURL {
	return templ.SafeURL("/lessons/" + lesson + "/")
}

func (h *Handler) session(r *http.Request) (templ.Component, int) {
	ctx := r.Context()
	sid := r.PathValue("sid")
	s, err := h.db.Session(ctx, sid)
	if errors.Is(err, inspector.ErrNotFound) {
		return notFoundPage(h.layout(ctx, "Not found", "", ""), trf(ctx, "No session has the id %q.", sid)), http.StatusNotFound
	}
	if err != nil {
		return h.failure(r, err)
	}
	// The session's last packets, for the acks, the charts and the trace.
	all, err := h.db.Packets(ctx, inspector.PacketFilter{SID: sid, Limit: sessionScan, Last: true})
	if err != nil {
		return h.failure(r, err)
	}
	lines, err := h.db.DebugLines(ctx, inspector.PacketFilter{SID: sid, Limit: sessionPackets, Last: true})
	if err != nil {
		return h.failure(r, err)
	}
	closed := !s.EndedAt.IsZero()
	acks := pairAcks(all, closed)
	end := s.EndedAt
	if !closed {
		end = s.LastAt
	}
	m := sessionModel{
		Layout:  h.layout(ctx, "Session", "", "session.js"),
		Session: newSessionItem(s),
		Cut:     len(all) > sessionPackets,
		Debug:   debugPattern(r),
		Charts:  newSessionCharts(ctx, all, acks, s.StartedAt, end),
	}
	m.Layout.Title += " " + sid
	if !closed {
		act := h.newActPanel(sid, all)
		m.Act = &act
	}
	m.Config = sessionConfig{SID: sid, Start: m.Session.StartedAt, Closed: closed}
	tracePackets := all[max(0, len(all)-sessionPackets):]
	items := make([]packetItem, len(tracePackets))
	for i := range tracePackets {
		items[i] = newPacketItem(&tracePackets[i], pageCut)
		items[i].link(acks)
	}
	m.Trace = mergeTrace(items, debugItems(lines), debugfmt.ParseSelector(m.Debug))

	f, pf, err := parsePacketsQuery(r.URL.Query(), sid)
	m.Filter, m.Config.Filter = f, f
	if err != nil {
		m.Err = err.Error()
		return sessionPage(m), http.StatusBadRequest
	}
	// A page of the table, and one packet more to tell whether there is
	// another beyond it.
	pf.Limit, pf.Last = tablePage+1, pf.AfterID == 0
	packets, err := h.db.Packets(ctx, pf)
	if err != nil {
		return h.failure(r, err)
	}
	more := len(packets) > tablePage
	if more {
		if pf.Last {
			packets = packets[1:]
		} else {
			packets = packets[:tablePage]
		}
	}
	m.Config.LastPage = pf.AfterID == 0 && pf.BeforeID == 0 || pf.AfterID > 0 && !more
	if len(packets) > 0 {
		if pf.Last && more || pf.AfterID > 0 {
			m.Older = packetsPageURL(sid, f, "before", packets[0].ID)
		}
		if !m.Config.LastPage {
			m.Newer = packetsPageURL(sid, f, "after", packets[len(packets)-1].ID)
		}
	}
	for i := range packets {
		it := newPacketItem(&packets[i], pageCut)
		it.link(acks)
		m.Packets = append(m.Packets, it)
	}
	return sessionPage(m), http.StatusOK
}

// packetsPageURL is a page of a session's packet table: before (older
// than) or after (newer than) packet id.
func packetsPageURL(sid string, f packetsFilter, dir string, id int64) string {
	q := f.query()
	q.Set(dir, strconv.FormatInt(id, 10))
	return string(sessionURL(sid)) + "?" + q.Encode() + "#packets"
}

func (h *Handler) tail(r *http.Request) (templ.Component, int) {
	ctx := r.Context()
	q := r.URL.Query()
	tf := tailFilter{SID: strings.TrimSpace(q.Get("sid")), Client: strings.TrimSpace(q.Get("client")),
		Lesson: strings.Trim(strings.TrimSpace(q.Get("lesson")), "/"), Event: q.Get("event")}
	f := inspector.PacketFilter{SID: tf.SID, Client: tf.Client, PathPrefix: tf.pathPrefix(), Event: tf.Event,
		Limit: tailFirst, Last: true}
	packets, err := h.db.Packets(ctx, f)
	if err != nil {
		return h.failure(r, err)
	}
	var lines []inspector.DebugLine
	if tf.Event == "" { // debug lines belong to no event
		if lines, err = h.db.DebugLines(ctx, f); err != nil {
			return h.failure(r, err)
		}
	}
	m := tailModel{Layout: h.layout(ctx, "Live tail", "tail", "tail.js"), Max: tailLines, Debug: debugPattern(r), Filter: tf}
	items := make([]packetItem, len(packets))
	for i := range packets {
		items[i] = newPacketItem(&packets[i], liveCut)
	}
	m.Trace = mergeTrace(items, debugItems(lines), debugfmt.ParseSelector(m.Debug))
	return tailPage(m), http.StatusOK
}

func (h *Handler) notFound(r *http.Request) (templ.Component, int) {
	return notFoundPage(h.layout(r.Context(), "Not found", "", ""), trf(r.Context(), "Nothing lives at %s.", r.URL.Path)), http.StatusNotFound
}

func (h *Handler) failure(r *http.Request, err error) (templ.Component, int) {
	h.log.Error("inspector: page", "path", r.URL.Path, "err", err)
	return notFoundPage(layoutProps{Title: tr(r.Context(), "Error")}, trf(r.Context(), "The inspector could not read its database: %s", err.Error())), http.StatusInternalServerError
}

// debugPattern is the DEBUG pattern a trace starts with: ?debug=, or "*".
// The page script then keeps the one the reader last typed.
func debugPattern(r *http.Request) string {
	if d, ok := r.URL.Query()["debug"]; ok {
		return d[0]
	}
	return "*"
}

func debugItems(lines []inspector.DebugLine) []debugItem {
	out := make([]debugItem, len(lines))
	for i := range lines {
		out[i] = newDebugItem(&lines[i])
	}
	return out
}

// sessionURL is the page of session sid.
func sessionURL(sid string) templ.SafeURL {
	return templ.SafeURL(Prefix + "sessions/" + url.PathEscape(sid))
}

func queryEscape(s string) string { return url.QueryEscape(s) }

func shortSID(sid string) string {
	if sid == "" {
		return "-"
	}
	if len(sid) > 6 {
		return sid[:6]
	}
	return sid
}

func humanizeMS(ms int64) string {
	return debugfmt.Humanize(time.Duration(ms) * time.Millisecond)
}

// --- static assets -------------------------------------------------------

//go:embed static
var assetFS embed.FS

// assetVersions maps each asset's name to a hash of its content, so that
// its URL changes with it and browsers may cache it for good.
var assetVersions = func() map[string]string {
	m := map[string]string{}
	sub, _ := fs.Sub(assetFS, "static")
	fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// assetURL is the URL of a file under static/, with its version.
func assetURL(name string) string {
	return Prefix + "static/" + name + "?v=" + assetVersions[name]
}

func assetHandler() http.Handler {
	sub, _ := fs.Sub(assetFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		if v := r.URL.Query().Get("v"); v != "" && v == assetVersions[strings.TrimPrefix(r.URL.Path, "/")] {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
