package lessons

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// The classroom view is for an instructor running one workbook for a
// class: one row per browser (a learner) that has progress or has been
// connected since the workbook started, what it is connected to now, where
// it was last active, and its tasks done per lesson.
//
//	GET /classroom/           the page (it reloads its table when the feed says so)
//	GET /classroom/table      the table alone, in the page's language
//	GET /classroom/data.json  the same data as JSON (a Classroom)
//	GET /classroom/live       Server-Sent Events: "change" when a row may have changed
//
// It shows everyone's progress, so Options.Authorize guards all four.

// ClassroomPageSize is how many rows one page of the classroom shows
// (?page=N, from 1), so that a page stays light whoever shows up.
const ClassroomPageSize = 100

// maxPresence bounds the browsers whose last activity the Site remembers;
// past it, the one seen longest ago is forgotten.
const maxPresence = 10000

// Classroom is the classroom view's data, as /classroom/data.json
// serves it.
type Classroom struct {
	At        time.Time        `json:"at"`        // when it was read
	Learners  int              `json:"learners"`  // rows, on every page
	Connected int              `json:"connected"` // rows connected now, on every page
	Total     int              `json:"total"`     // tasks in the workbook
	Lessons   []ClassLesson    `json:"lessons"`   // the columns, in order
	Page      int              `json:"page"`      // this page, from 1
	Pages     int              `json:"pages"`     // pages of ClassroomPageSize rows, at least 1
	Rows      []ClassroomEntry `json:"rows"`      // this page's, most recently active first
}

// ClassLesson is a lesson of the workbook, a column of the classroom.
type ClassLesson struct {
	Slug  string `json:"slug"`
	Num   int    `json:"num"`
	Title string `json:"title"` // in the page's language
	Steps int    `json:"steps"`
	Tasks int    `json:"tasks"`
}

// ClassroomEntry is one browser in the classroom.
type ClassroomEntry struct {
	// Name is the display name the learner chose, "" when none.
	Name string `json:"name"`
	// Inspector links to the browser's sessions in the inspector
	// ("/inspector/?client=<id>"), "" when the Site has no inspector.
	Inspector string `json:"inspector,omitempty"`
	// Label is a short, stable label for the browser: the start of its id
	// (the id itself is the browser's key to its progress, so it is never
	// shown whole unless it is short).
	Label string `json:"label"`
	// Online lists the steps the browser is connected to now, with how
	// many clients (panes) each; empty when it is not connected.
	Online []ClassPresence `json:"online"`
	// LastStep ("hello/connect") and LastAt say where and when the browser
	// was last active: connected, disconnected or ticked a task.
	LastStep  string    `json:"lastStep"`
	LastTitle string    `json:"lastTitle"` // the step's title, in the page's language
	LastAt    time.Time `json:"lastAt"`
	// Lessons holds the progress per lesson, in the order of Classroom.Lessons.
	Lessons []ClassProgress `json:"lessons"`
	Done    int             `json:"done"` // tasks done in the whole workbook
}

// ClassPresence is a step a browser is connected to.
type ClassPresence struct {
	Step    string `json:"step"`  // "hello/connect"
	Title   string `json:"title"` // the step's title, in the page's language
	Clients int    `json:"clients"`
}

// ClassProgress is a browser's progress in one lesson.
type ClassProgress struct {
	Done          int    `json:"done"`
	Tasks         int    `json:"tasks"`
	StepsComplete int    `json:"stepsComplete"`
	Steps         []int8 `json:"steps"` // per step: 0 nothing done, 1 some, 2 all
}

// activity is where and when a browser was last seen doing something.
type activity struct {
	step string
	at   time.Time
}

// presence remembers the last activity of each browser since the Site
// started (connections and disconnections are not stored).
type presence struct {
	mu   sync.Mutex
	last map[string]activity
	now  func() time.Time
	// changed, if set, is called after each activity (the classroom feed).
	changed func()
}

func newPresence(changed func()) *presence {
	return &presence{last: map[string]activity{}, now: time.Now, changed: changed}
}

func (p *presence) seen(browser, step string) {
	if browser == "" {
		return
	}
	p.mu.Lock()
	defer func() {
		p.mu.Unlock()
		if p.changed != nil {
			p.changed()
		}
	}()
	if _, ok := p.last[browser]; !ok && len(p.last) >= maxPresence {
		oldest, at := "", time.Time{}
		for b, a := range p.last {
			if oldest == "" || a.at.Before(at) {
				oldest, at = b, a.at
			}
		}
		delete(p.last, oldest)
	}
	p.last[browser] = activity{step: step, at: p.now().UTC()}
}

func (p *presence) snapshot() map[string]activity {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]activity, len(p.last))
	for b, a := range p.last {
		out[b] = a
	}
	return out
}

// watchPresence records the connections and disconnections of a step's
// server as activity of their browsers.
func (s *Site) watchPresence(io *sio.Server, st *stepPage) {
	key := st.key()
	io.OnConnection(func(socket *sio.Socket) {
		b := step.Browser(socket)
		s.presence.seen(b, key)
		socket.OnDisconnect(func(sio.Reason) { s.presence.seen(b, key) })
	})
}

// connected counts, per browser and step, the clients (Engine.IO sessions:
// one per pane) connected now to the steps' servers, the learners' own
// JavaScript ones too, in any namespace.
func (s *Site) connected() map[string]map[string]int {
	out := map[string]map[string]int{}
	for key, st := range s.steps {
		sessions := map[string]map[string]bool{} // browser -> session ids
		for _, io := range st.servers() {
			countSessions(io, sessions)
		}
		for b, ids := range sessions {
			if out[b] == nil {
				out[b] = map[string]int{}
			}
			out[b][key] = len(ids)
		}
	}
	return out
}

// servers returns the step's Socket.IO servers running now: its own (none
// while it restarts; one per language for a PerLang step) and the
// learners' JavaScript ones.
func (st *stepPage) servers() []*sio.Server {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []*sio.Server
	if st.io != nil {
		out = append(out, st.io)
	}
	for _, ls := range st.langs {
		out = append(out, ls.io)
	}
	for io := range st.jsCheckers {
		out = append(out, io)
	}
	return out
}

// Servers returns every Socket.IO server of the steps running now, the
// learners' JavaScript ones included: the inspector acts on their
// sessions (inspector/web.ServersActor).
func (s *Site) Servers() []*sio.Server {
	var out []*sio.Server
	for _, st := range s.steps {
		out = append(out, st.servers()...)
	}
	return out
}

// countSessions adds the sessions of io's connected sockets to sessions,
// by browser.
func countSessions(io *sio.Server, sessions map[string]map[string]bool) {
	for _, nsp := range io.Namespaces() {
		for _, socket := range nsp.Sockets() {
			b := step.Browser(socket)
			if b == "" || !socket.Connected() {
				continue
			}
			if sessions[b] == nil {
				sessions[b] = map[string]bool{}
			}
			sessions[b][socket.SessionID()] = true
		}
	}
}

// Classroom returns one page of the classroom view's data (page counts
// from 1; past the end is the last page), with lesson titles in lang: every
// browser that has progress, is connected now or has been active since the
// Site started.
func (s *Site) Classroom(ctx context.Context, lang Lang, page int) (*Classroom, error) {
	all, err := s.store.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("lessons: classroom: %w", err)
	}
	names, err := s.store.Names(ctx)
	if err != nil {
		return nil, fmt.Errorf("lessons: classroom: %w", err)
	}
	online := s.connected()
	seen := s.presence.snapshot()

	c := &Classroom{At: time.Now().UTC(), Total: s.total}
	for _, les := range s.lessons {
		cl := ClassLesson{Slug: les.Slug, Num: les.Num, Title: les.Text[lang].Meta["title"], Steps: len(les.Steps)}
		for _, st := range les.Steps {
			cl.Tasks += len(st.Tasks)
		}
		c.Lessons = append(c.Lessons, cl)
	}

	browsers := map[string]bool{}
	for b := range all {
		browsers[b] = true
	}
	for b := range online {
		browsers[b] = true
	}
	for b := range seen {
		browsers[b] = true
	}
	for b := range names {
		browsers[b] = true
	}
	// Where and when each browser was last active orders the rows; only
	// the page's rows get their progress filled in.
	type row struct {
		id string
		e  ClassroomEntry
	}
	rows := make([]row, 0, len(browsers))
	for b := range browsers {
		e := ClassroomEntry{Label: browserLabel(b), Name: names[b]}
		if a, ok := seen[b]; ok {
			e.LastStep, e.LastAt = a.step, a.at
		}
		for k, at := range all[b] {
			if at.After(e.LastAt) {
				e.LastStep, e.LastAt = k.Lesson+"/"+k.Step, at
			}
		}
		if len(online[b]) > 0 {
			c.Connected++
		}
		rows = append(rows, row{b, e})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := b.e.LastAt.Compare(a.e.LastAt); c != 0 {
			return c
		}
		if c := cmp.Compare(a.e.Label, b.e.Label); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	c.Learners = len(rows)
	c.Pages = max(1, (len(rows)+ClassroomPageSize-1)/ClassroomPageSize)
	c.Page = min(max(page, 1), c.Pages)
	from := (c.Page - 1) * ClassroomPageSize
	c.Rows = []ClassroomEntry{}
	for _, r := range rows[from:min(from+ClassroomPageSize, len(rows))] {
		e := s.classroomEntry(r.e, lang, online[r.id], all[r.id])
		if s.opts.InspectorURL != "" {
			e.Inspector = s.opts.InspectorURL + "?" + url.Values{"client": {r.id}}.Encode()
		}
		c.Rows = append(c.Rows, e)
	}
	return c, nil
}

// classroomEntry fills in a row: where the browser is connected now, and
// its progress per lesson.
func (s *Site) classroomEntry(e ClassroomEntry, lang Lang, online map[string]int, done map[TaskKey]time.Time) ClassroomEntry {
	e.Online = []ClassPresence{}
	for key, n := range online {
		e.Online = append(e.Online, ClassPresence{Step: key, Title: s.stepTitle(key, lang), Clients: n})
	}
	e.LastTitle = s.stepTitle(e.LastStep, lang)
	slices.SortFunc(e.Online, func(a, b ClassPresence) int { return cmp.Compare(a.Step, b.Step) })
	for _, les := range s.lessons {
		p := ClassProgress{}
		for _, st := range les.Steps {
			n := 0
			for _, task := range st.Tasks {
				if _, ok := done[TaskKey{les.Slug, st.Slug, task}]; ok {
					n++
				}
			}
			p.Done += n
			p.Tasks += len(st.Tasks)
			switch {
			case n == len(st.Tasks):
				p.StepsComplete++
				p.Steps = append(p.Steps, 2)
			case n > 0:
				p.Steps = append(p.Steps, 1)
			default:
				p.Steps = append(p.Steps, 0)
			}
		}
		e.Done += p.Done
		e.Lessons = append(e.Lessons, p)
	}
	return e
}

// stepTitle is the title of the step at key ("hello/connect") in lang,
// as the contents number it ("1.1 A user connected"); the key itself for
// a step the workbook no longer has.
func (s *Site) stepTitle(key string, lang Lang) string {
	st := s.steps[key]
	if st == nil {
		return key
	}
	return fmt.Sprintf("%d.%d %s", st.Lesson.Num, st.Num, st.Text[lang].Title)
}

// browserLabel is the label of a browser id: the id when it is short, else
// its first 8 characters.
func browserLabel(id string) string {
	r := []rune(id)
	if len(r) <= 12 {
		return id
	}
	return string(r[:8])
}

// guard runs h only when Options.Authorize lets the request through.
func (s *Site) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Authorize != nil && !s.opts.Authorize(w, r) {
			return
		}
		w.Header().Set("Referrer-Policy", "same-origin")
		h(w, r)
	}
}

// classroom reads the page of the classroom's data a request asks for
// (?page=N), or answers 500.
func (s *Site) classroom(w http.ResponseWriter, r *http.Request, lang Lang) (*Classroom, bool) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page")) // none, or nonsense: 0, the first
	c, err := s.Classroom(r.Context(), lang, page)
	if err != nil {
		s.log.Error("lessons: classroom", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil, false
	}
	return c, true
}

func (s *Site) serveClassroom(w http.ResponseWriter, r *http.Request) {
	lang := chooseLang(w, r)
	c, ok := s.classroom(w, r, lang)
	if !ok {
		return
	}
	t := uiText[lang]
	f := frame{T: t, Lang: lang, Title: t.Classroom, BodyClass: "classroom", Inspector: s.opts.InspectorURL, Classroom: classroomURL}
	f.Crumbs = []link{{Href: classroomURL, Text: t.Classroom}}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, layout(f, classroomBody(f, newClassroomView(c, t))))
}

func (s *Site) serveClassroomTable(w http.ResponseWriter, r *http.Request) {
	lang := chooseLang(w, r)
	c, ok := s.classroom(w, r, lang)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, classroomTable(newClassroomView(c, uiText[lang])))
}

// serveClassroomLive is the classroom page's feed, as Server-Sent Events:
// "event: change" each time a row may have changed (a connection, a
// disconnection, a tick, a name, a reset), a burst of changes as one, and
// one when it opens, so that a page that reconnects catches up. The page
// then fetches its table: the feed carries no learner's data.
func (s *Site) serveClassroomLive(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	changes, stop, ok := s.changes.subscribe()
	if !ok {
		http.Error(w, "too many classroom pages open", http.StatusServiceUnavailable)
		return
	}
	defer stop()
	startEvents(w)
	fmt.Fprint(w, "event: change\ndata: {}\n\n")
	flusher.Flush()
	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	settle := time.NewTimer(0)
	<-settle.C
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-changes:
			// Let the burst this change belongs to arrive, then send one.
			settle.Reset(classSettle)
			select {
			case <-settle.C:
			case <-r.Context().Done():
				return
			case <-s.closing:
				return
			}
			select {
			case <-changes:
			default:
			}
			_, err = fmt.Fprint(w, "event: change\ndata: {}\n\n")
		case <-heartbeat.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		}
		if err != nil {
			return
		}
		flusher.Flush()
	}
}

func (s *Site) serveClassroomJSON(w http.ResponseWriter, r *http.Request) {
	lang := chooseLang(w, r)
	c, ok := s.classroom(w, r, lang)
	if !ok {
		return
	}
	body, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		s.log.Error("lessons: classroom", "err", fmt.Errorf("encoding: %w", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

// classroomURL is where the classroom page is.
const classroomURL = "/classroom/"

// classroomView is the classroom page's table, ready to render.
type classroomView struct {
	T       ui
	Summary string
	Lessons []ClassLesson
	Rows    []classroomRow
	// Table is the URL the script reloads the table from: this page's;
	// Live is the feed that says when.
	Table, Live string
	// PageText is "Page 2 of 3", "" when there is one page; Prev and Next
	// link to the pages around, "" when there is none.
	PageText, Prev, Next string
}

// classroomRow is a row of the classroom table.
type classroomRow struct {
	ClassroomEntry
	Online  []string // "1.1 A user connected · 2 clients"
	LastAgo string   // "5 s ago"
	Cells   []classroomCell
}

// classroomCell is a browser's progress in a lesson.
type classroomCell struct {
	ClassProgress
	Title    string // "3 of 5 steps complete"
	Complete bool
}

func newClassroomView(c *Classroom, t ui) classroomView {
	v := classroomView{
		T:       t,
		Summary: fmt.Sprintf(t.ClassSummary, c.Learners, c.Connected),
		Lessons: c.Lessons,
		Table:   classroomURL + "table?page=" + strconv.Itoa(c.Page),
		Live:    classroomURL + "live",
	}
	if c.Pages > 1 {
		v.PageText = fmt.Sprintf(t.ClassPage, c.Page, c.Pages)
		if c.Page > 1 {
			v.Prev = classroomURL + "?page=" + strconv.Itoa(c.Page-1)
		}
		if c.Page < c.Pages {
			v.Next = classroomURL + "?page=" + strconv.Itoa(c.Page+1)
		}
	}
	for _, e := range c.Rows {
		row := classroomRow{ClassroomEntry: e}
		for _, p := range e.Online {
			n := t.ClassClient
			if p.Clients != 1 {
				n = fmt.Sprintf(t.ClassClients, p.Clients)
			}
			row.Online = append(row.Online, p.Title+" · "+n)
		}
		if !e.LastAt.IsZero() {
			row.LastAgo = fmt.Sprintf(t.ClassAgo, ago(c.At.Sub(e.LastAt)))
		}
		for i, p := range e.Lessons {
			row.Cells = append(row.Cells, classroomCell{
				ClassProgress: p,
				Title:         fmt.Sprintf(t.ClassSteps, p.StepsComplete, c.Lessons[i].Steps),
				Complete:      p.Tasks > 0 && p.Done == p.Tasks,
			})
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// ago writes a duration the way a person says it: 5 s, 3 min, 2 h, 4 d.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(0, int(d/time.Second)))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

func (v classroomView) totalTasks() int {
	n := 0
	for _, l := range v.Lessons {
		n += l.Tasks
	}
	return n
}
