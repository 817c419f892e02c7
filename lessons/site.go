package lessons

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/internal/routemux"
	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/static"
)

// Options configure a Site. The zero value works: no recording, progress
// kept in memory, logs to slog.Default().
type Options struct {
	// Observer, if set, watches every step's Socket.IO server: the
	// inspector's Recorder, so that the packet panel sees the panes.
	Observer *sio.Observer
	// DB, if set, keeps the learners' progress in its table
	// lesson_progress, created if missing (see Store). If nil, progress
	// lives in memory and is lost when the process ends.
	DB *sql.DB
	// Logger receives the Site's own records and every line a step's
	// server logs (as "A user connected" with step=hello/connect). If nil,
	// slog.Default() is used.
	Logger *slog.Logger
	// Panel, if set, renders the live packet panel of a step page: the
	// traffic of the browser client on the Socket.IO server at pathPrefix
	// ("/lessons/<lesson>/<step>/socket.io/"), headed by title, in the
	// page's language (the inspector's web.Panel). If nil, the page keeps
	// a slot that says where the panel will be. lang is the page's
	// language, "en" or "es".
	Panel func(client, pathPrefix, title, lang string) templ.Component
	// InspectorURL, if set, is where the inspector's pages are
	// ("/inspector/"): the top bar of every page links to it.
	InspectorURL string
	// BrowserID returns the browser id of r (cookie "wb_client"), setting
	// the cookie on w when it is missing (the inspector's web.ClientCookie).
	// If nil, the Site sets the same cookie itself.
	BrowserID func(w http.ResponseWriter, r *http.Request) string
	// Authorize, if set, guards the classroom pages (/classroom/), which
	// show every learner's progress: it lets r through by returning true,
	// or writes the response (a 401 page, a redirect) and returns false.
	// The workbook passes the inspector's token check (web.Guard), so that
	// the classroom is open on loopback and wants the token beyond. If nil,
	// the classroom is open.
	Authorize func(w http.ResponseWriter, r *http.Request) bool
	// Redis, if set, is the URL of the Redis (redis://host:port/db) that
	// joins the nodes of the scaling chapter's step (see cluster.go); New
	// fails when it does not answer. If empty, the Site runs an embedded
	// Redis (miniredis) on 127.0.0.1, closed with it.
	Redis string
}

// Site serves the workbook's lessons: the home page with the contents,
// one page per lesson and per step, each step's own Socket.IO server, the
// live feed of the step pages and their assets. It is an http.Handler
// meant to be mounted at "/" (it answers 404 pages for paths it does not
// know):
//
//	GET /                               home: overview, setup, contents with progress
//	GET /lessons/<lesson>/              a lesson's introduction and its steps
//	GET /lessons/<lesson>/<step>/       a step: text, tasks, code, panes, log, packets
//	    /lessons/<lesson>/<step>/socket.io/   the step's Socket.IO server
//	    /lessons/<lesson>/<step>/node-b/socket.io/   node B of a step on two nodes (see cluster.go)
//	    /lessons/<lesson>/<step>/server.js    GET, PUT, DELETE: the browser's own server in JavaScript (see jsserver.SourceHandler)
//	GET /lessons/<lesson>/<step>/pane   the document a client pane runs
//	GET /lessons/<lesson>/<step>/live   Server-Sent Events: log lines, ticked tasks
//	POST /lessons/<lesson>/<step>/faults/<fault>  a fault the step offers (see step.Fault)
//	GET /classroom/                     the classroom: every learner, connected now or not (see Classroom)
//	GET /classroom/data.json            ... as JSON
//	GET /classroom/live                 Server-Sent Events: when the classroom changed
//	POST /me/name, POST /me/reset       the learner's name, and forgetting their ticks (see learner.go)
//	GET /assets/...                     CSS, scripts, icons
//	GET /socket.io/socket.io.js         the browser client, where tutorial code looks for it
//
// A Site is safe for use by multiple goroutines.
type Site struct {
	opts  Options
	log   *slog.Logger
	store *Store
	hub   *hub
	// presence is each browser's last activity (classroom.go); changes
	// wakes the classroom's feeds (learner.go).
	presence *presence
	changes  *notifier
	mux      *routemux.Mux
	chroma   []byte
	// js runs the learners' own servers in JavaScript, one per browser and
	// step (PUT .../server.js): a browser's requests to the step's
	// Socket.IO path go to its instance when it runs one.
	js *jsserver.Manager
	// redis joins the nodes of the two-node steps; nil when there is none.
	redis *clusterRedis

	home    map[Lang]*document
	lessons []*lesson
	steps   map[string]*stepPage // "hello/connect"
	order   []navPage            // home, then each lesson followed by its steps
	total   int                  // tasks in the whole workbook

	closing   chan struct{}
	closeOnce sync.Once
	faulting  sync.WaitGroup // goroutines of faults (see go)

	mu       sync.Mutex
	closed   bool           // no task is recorded any more
	inflight sync.WaitGroup // tasks being recorded
}

// lesson is one lesson, loaded.
type lesson struct {
	Slug  string
	Num   int // from 1
	Text  map[Lang]*document
	Steps []*stepPage
}

// stepPage is one step, loaded and running.
type stepPage struct {
	Lesson *lesson
	Slug   string
	Num    int // from 1, within the lesson
	Text   map[Lang]*stepText
	Tasks  []string

	ServerSource string // server.go as embedded
	ServerHTML   string // ... highlighted
	ServerJS     string // server.js as embedded: the finished version of the learner's server
	Client       string // client.html
	ClientDone   string // client.done.html, "" if none
	// ClientLang holds client.<lang>.html, the client in another language
	// than English, and ClientDoneLang client.done.<lang>.html, its
	// finished version.
	ClientLang     map[Lang]string
	ClientDoneLang map[Lang]string

	def stepDef
	log *step.Log

	// mu guards the fields below: a restart (FaultRestart) replaces the
	// server and its checker.
	mu      sync.Mutex
	io      *sio.Server   // nil while restarting
	checker *step.Checker // nil while restarting
	closed  bool          // the Site is closed: nothing starts again
	// silenced holds the sessions whose pings were stopped, until they end
	// (FaultStopPings); a session cut meanwhile leaves it, as it did not
	// end by the client giving up.
	silenced map[*engine.Session]bool
	// refused holds the browsers in a restart of their own (restartFor):
	// their handshakes answer 503 until it ends.
	refused map[string]bool
	// jsCheckers holds the checker of each running JavaScript instance,
	// by its server: the faults tick the tasks of the browser's own server.
	jsCheckers map[*sio.Server]*step.Checker

	// langs holds the servers of a PerLang step in the languages after
	// the first (io and checker are the first's), by language.
	langs map[string]langServer

	// A two-node step's node B (cluster.go): the step's, with the closing
	// of both nodes' adapters, and that of each running server.js, by its
	// node A's server.
	ioB        *sio.Server
	closeNodes func()
	jsNodeB    map[*sio.Server]*jsserver.Instance
}

// langServer is the server of a PerLang step in one language, and the
// checker watching it.
type langServer struct {
	io      *sio.Server
	checker *step.Checker
}

// stepText is a step's text in one language.
type stepText struct {
	Title string
	HTML  string
	Tasks map[string]string // task id -> inline HTML
	// Ladders holds each task's hint ladder, when it has one (front
	// matter "hint.<task>.1", "hint.<task>.2", "solution.<task>").
	Ladders map[string]ladder
}

// ladder is the help of one task, given a rung at a time: a hint, another
// hint, then the solution (inline HTML each).
type ladder struct {
	Hints    []string
	Solution string
}

func (st *stepPage) key() string    { return st.Lesson.Slug + "/" + st.Slug }
func (st *stepPage) prefix() string { return "/lessons/" + st.key() + "/" }

// navPage is one page of the reading order, for previous/next links.
type navPage struct {
	href   string
	title  map[Lang]string
	lesson *lesson // nil for home
	step   *stepPage
}

// New loads every lesson of the registry, starts each step's Socket.IO
// server and returns the Site. It fails when a lesson's files are missing
// or malformed, or when the progress table cannot be created.
func New(opts Options) (*Site, error) {
	s := &Site{
		opts:    opts,
		log:     opts.Logger,
		hub:     newHub(),
		changes: newNotifier(),
		steps:   map[string]*stepPage{},
		closing: make(chan struct{}),
		js:      &jsserver.Manager{},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.presence = newPresence(s.changes.notify)
	var err error
	if s.store, err = OpenStore(context.Background(), opts.DB); err != nil {
		return nil, err
	}
	if s.chroma, err = chromaCSS(); err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	for _, st := range s.steps {
		if st.def.CheckNodes != nil && s.redis == nil {
			if s.redis, err = openRedis(opts.Redis); err != nil {
				return nil, err
			}
		}
	}
	for _, st := range s.steps {
		s.start(st)
	}
	s.routes()
	return s, nil
}

// load reads the home page and every lesson and step of the registry.
func (s *Site) load() error {
	s.home = map[Lang]*document{}
	for _, l := range Langs {
		doc, err := readDocument("home." + string(l) + ".md")
		if err != nil {
			return err
		}
		s.home[l] = doc
	}
	s.order = append(s.order, navPage{href: "/", title: titles(s.home)})
	for i, ld := range registry {
		les := &lesson{Slug: ld.Slug, Num: i + 1, Text: map[Lang]*document{}}
		for _, l := range Langs {
			doc, err := readDocument(path.Join(ld.Slug, "lesson."+string(l)+".md"))
			if err != nil {
				return err
			}
			les.Text[l] = doc
		}
		s.lessons = append(s.lessons, les)
		s.order = append(s.order, navPage{href: "/lessons/" + les.Slug + "/", title: titles(les.Text), lesson: les})
		for j, sd := range ld.Steps {
			st, err := loadStep(les, j+1, sd)
			if err != nil {
				return err
			}
			les.Steps = append(les.Steps, st)
			s.steps[st.key()] = st
			s.total += len(st.Tasks)
			t := map[Lang]string{}
			for l, text := range st.Text {
				t[l] = text.Title
			}
			s.order = append(s.order, navPage{href: st.prefix(), title: t, lesson: les, step: st})
		}
	}
	return nil
}

func titles(docs map[Lang]*document) map[Lang]string {
	t := map[Lang]string{}
	for l, d := range docs {
		t[l] = d.Meta["title"]
	}
	return t
}

func readDocument(name string) (*document, error) {
	src, err := fs.ReadFile(content, name)
	if err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	doc, err := parseDocument(name, src)
	if err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	if doc.Meta["title"] == "" {
		return nil, fmt.Errorf("lessons: %s: no title in the front matter", name)
	}
	return doc, nil
}

func loadStep(les *lesson, num int, sd stepDef) (*stepPage, error) {
	st := &stepPage{Lesson: les, Slug: sd.Slug, Num: num, Text: map[Lang]*stepText{}, Tasks: sd.Tasks, def: sd}
	dir := path.Join(les.Slug, sd.Slug)
	if sd.Setup == nil || (sd.Check == nil) == (sd.CheckNodes == nil) || len(sd.Tasks) == 0 {
		return nil, fmt.Errorf("lessons: step %s needs Setup, Tasks, and Check or CheckNodes", dir)
	}
	if sd.PerLang && (sd.CheckNodes != nil || len(sd.Faults) > 0) {
		// A fault or a node B would have to reach each language's server.
		return nil, fmt.Errorf("lessons: step %s runs a server per language: it cannot have faults or two nodes", dir)
	}
	for _, l := range Langs {
		name := path.Join(dir, "step."+string(l)+".md")
		doc, err := readDocument(name)
		if err != nil {
			return nil, err
		}
		text := &stepText{Title: doc.Meta["title"], HTML: doc.HTML, Tasks: map[string]string{}, Ladders: map[string]ladder{}}
		for _, id := range sd.Tasks {
			src := doc.Meta["task."+id]
			if src == "" {
				return nil, fmt.Errorf("lessons: %s: no text for task %q (front matter \"task.%s: ...\")", name, id, id)
			}
			if text.Tasks[id], err = inline(src); err != nil {
				return nil, fmt.Errorf("lessons: %s: task %s: %w", name, id, err)
			}
		}
		for key := range doc.Meta {
			if id, ok := strings.CutPrefix(key, "task."); ok && !slices.Contains(sd.Tasks, id) {
				return nil, fmt.Errorf("lessons: %s: task %q is not in the step's Tasks", name, id)
			}
		}
		if err := readLadders(name, doc.Meta, sd.Tasks, text); err != nil {
			return nil, err
		}
		st.Text[l] = text
	}
	// A task has a ladder in every language or in none.
	for _, id := range sd.Tasks {
		_, en := st.Text[EN].Ladders[id]
		for _, l := range Langs {
			if _, ok := st.Text[l].Ladders[id]; ok != en {
				return nil, fmt.Errorf("lessons: %s: task %s has hints in some languages only", dir, id)
			}
		}
	}
	server, err := fs.ReadFile(content, path.Join(dir, "server.go"))
	if err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	st.ServerSource = string(server)
	if st.ServerJS, err = StepServerJS(dir); err != nil {
		return nil, err
	}
	if st.ServerHTML, err = highlight(st.ServerSource, "go", true); err != nil {
		return nil, fmt.Errorf("lessons: %s/server.go: %w", dir, err)
	}
	client, err := fs.ReadFile(content, path.Join(dir, "client.html"))
	if err != nil {
		return nil, fmt.Errorf("lessons: %w", err)
	}
	st.Client = string(client)
	if st.ClientDone, err = readOptional(path.Join(dir, "client.done.html")); err != nil {
		return nil, err
	}
	st.ClientLang = map[Lang]string{}
	st.ClientDoneLang = map[Lang]string{}
	for _, l := range Langs[1:] {
		for name, into := range map[string]map[Lang]string{"client.": st.ClientLang, "client.done.": st.ClientDoneLang} {
			c, err := readOptional(path.Join(dir, name+string(l)+".html"))
			if err != nil {
				return nil, err
			}
			if c != "" {
				into[l] = c
			}
		}
	}
	return st, nil
}

// readOptional reads a file of the embedded content that a step may do
// without: "" when it is not there.
func readOptional(name string) (string, error) {
	b, err := fs.ReadFile(content, name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("lessons: %w", err)
	}
	return string(b), nil
}

// readLadders reads the hint ladders of a step text's front matter
// (name): for a task, "hint.<task>.1" and "hint.<task>.2", then
// "solution.<task>", all three or none.
func readLadders(name string, meta map[string]string, tasks []string, text *stepText) error {
	for key := range meta {
		rest, ok := strings.CutPrefix(key, "hint.")
		if !ok {
			rest, ok = strings.CutPrefix(key, "solution.")
		} else {
			rest, _, _ = strings.Cut(rest, ".")
		}
		if ok && !slices.Contains(tasks, rest) {
			return fmt.Errorf("lessons: %s: %s: task %q is not in the step's Tasks", name, key, rest)
		}
	}
	for _, id := range tasks {
		keys := []string{"hint." + id + ".1", "hint." + id + ".2", "solution." + id}
		var rungs []string
		for _, k := range keys {
			if meta[k] == "" {
				continue
			}
			html, err := inline(meta[k])
			if err != nil {
				return fmt.Errorf("lessons: %s: %s: %w", name, k, err)
			}
			rungs = append(rungs, html)
		}
		switch len(rungs) {
		case 0:
		case len(keys):
			text.Ladders[id] = ladder{Hints: rungs[:2], Solution: rungs[2]}
		default:
			return fmt.Errorf("lessons: %s: task %s needs %s, %s and %s, or none", name, id, keys[0], keys[1], keys[2])
		}
	}
	return nil
}

// start gives a step its log, and starts its checker and Socket.IO server.
func (s *Site) start(st *stepPage) {
	key := st.key()
	st.log = step.NewLog(func(line step.Line) {
		s.log.Info(line.Text, "step", key)
	})
	io, checker := s.newServer(st)
	var langs map[string]langServer
	if st.def.PerLang {
		langs = map[string]langServer{}
		for _, l := range step.Langs[1:] {
			io, checker := s.newServer(st)
			langs[l] = langServer{io, checker}
		}
	}
	st.mu.Lock()
	st.io, st.checker = io, checker
	st.langs = langs
	st.mu.Unlock()
}

// newServer makes a checker and a Socket.IO server for the step, and runs
// the step's Setup and Check on it: when the Site starts, and again when
// the step's server restarts (FaultRestart).
func (s *Site) newServer(st *stepPage) (*sio.Server, *step.Checker) {
	checker := s.newChecker(st)
	if st.def.CheckNodes != nil {
		return s.newNodes(st, checker), checker
	}
	io := sio.NewServer(s.serverConfig(st, checker))
	checker.Start(io)
	// The step's own handlers first, then the checks, so that the log
	// reads as the step's server.go says before any task ticks.
	st.def.Setup(io, st.log)
	st.def.Check(io, checker)
	s.watchPresence(io, st)
	return io, checker
}

// newChecker returns a checker of the step's tasks that records them.
func (s *Site) newChecker(st *stepPage) *step.Checker {
	return step.NewChecker(st.Tasks, func(browser, task string) {
		s.taskDone(browser, TaskKey{Lesson: st.Lesson.Slug, Step: st.Slug, Task: task})
	})
}

// serverConfig is the sio.Config of a server of the step, Go or
// JavaScript: the step's settings, its path, and checker watching it.
func (s *Site) serverConfig(st *stepPage, checker *step.Checker) sio.Config {
	cfg := st.def.Config
	cfg.Path = st.prefix() + "socket.io/"
	cfg.Observer = sio.Observers(s.opts.Observer, checker.Observer())
	cfg.Logger = s.log.With("step", st.key())
	cfg.ClientScript = static.SocketIOJS
	cfg.ClientModule = static.SocketIOESM
	return cfg
}

// jsConfig is the configuration of a browser's JavaScript server for the
// step (jsserver.SourceHandler.Config): a checker of its own, started with
// the server and closed when it stops, so that tasks tick from the
// learner's own server as they do from the Go one. src is the source a
// PUT brings, which a two-node step starts on its node B too.
func (s *Site) jsConfig(st *stepPage, src string) func(browser string) jsserver.Config {
	return func(browser string) jsserver.Config {
		if st.def.CheckNodes != nil {
			return s.jsNodesConfig(st, browser, src)
		}
		checker := s.newChecker(st)
		var io *sio.Server
		return jsserver.Config{
			// Every client of the instance is the browser's: so is every line.
			Log:    st.log.ForBrowser(browser),
			Server: s.serverConfig(st, checker),
			Setup: func(srv *sio.Server) {
				io = srv
				checker.Start(srv)
				st.def.Check(srv, checker)
				s.watchPresence(srv, st)
				st.mu.Lock()
				if st.jsCheckers == nil {
					st.jsCheckers = map[*sio.Server]*step.Checker{}
				}
				st.jsCheckers[srv] = checker
				st.mu.Unlock()
			},
			Stopped: func() {
				st.mu.Lock()
				delete(st.jsCheckers, io)
				st.mu.Unlock()
				checker.Close()
			},
		}
	}
}

// serverFor returns the server that browser's requests reach and its
// checker: its own JavaScript instance when it runs one, the step's
// server otherwise (nils while that restarts).
func (s *Site) serverFor(st *stepPage, browser string) (*sio.Server, *step.Checker) {
	if browser != "" {
		if in := s.js.Get(jsserver.Key{Browser: browser, Step: st.key()}); in != nil {
			st.mu.Lock()
			c := st.jsCheckers[in.Server()]
			st.mu.Unlock()
			if c != nil {
				return in.Server(), c
			}
		}
	}
	return st.server()
}

// server returns the step's Socket.IO server and its checker, or nils
// while the server restarts.
func (st *stepPage) server() (*sio.Server, *step.Checker) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.io, st.checker
}

// serverIn returns the step's Socket.IO server that the clients of a
// learner in lang reach: the step's server, or for a PerLang step that of
// lang. It is nil while the step's server restarts.
func (st *stepPage) serverIn(lang string) *sio.Server {
	st.mu.Lock()
	defer st.mu.Unlock()
	if ls, ok := st.langs[lang]; ok {
		return ls.io
	}
	return st.io
}

// taskDone records a ticked task and tells the browser's open pages.
func (s *Site) taskDone(browser string, k TaskKey) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()
	s.presence.seen(browser, k.Lesson+"/"+k.Step)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first, err := s.store.Mark(ctx, browser, k)
	if err != nil {
		s.log.Error("lessons: task not recorded", "err", err)
		return
	}
	if !first {
		return
	}
	s.changes.notify()
	done, err := s.store.Done(ctx, browser)
	if err != nil {
		s.log.Error("lessons: progress not read", "err", err)
		return
	}
	s.hub.publish(browser, tick{Key: k, Done: s.count(done)})
}

// count returns how many of the done tasks are tasks of the workbook as it
// is now (a task removed from a step does not count).
func (s *Site) count(done map[TaskKey]time.Time) int {
	n := 0
	for k := range done {
		if st := s.steps[k.Lesson+"/"+k.Step]; st != nil && slices.Contains(st.Tasks, k.Task) {
			n++
		}
	}
	return n
}

// ServeHTTP serves the workbook's pages (see Site).
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops every step's Socket.IO server and ends the live feeds of the
// open pages (an http.Server's Shutdown waits for those otherwise). Once it
// returns, the Site no longer writes to Options.DB, which may be closed. It
// is idempotent and always returns nil.
func (s *Site) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.js.Close()
		for _, st := range s.steps {
			st.mu.Lock()
			st.closed = true
			io, checker := st.io, st.checker
			langs := st.langs
			st.mu.Unlock()
			if checker != nil {
				checker.Close()
				io.Close()
			}
			for _, ls := range langs {
				ls.checker.Close()
				ls.io.Close()
			}
			st.closeNodeB()
		}
		if s.redis != nil {
			s.redis.close()
		}
		// Restarts and fault watchers end on s.closing; a restart that
		// starts no server once its step is closed.
		s.faulting.Wait()
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.inflight.Wait()
	})
	return nil
}

// Store returns the store of the learners' progress.
func (s *Site) Store() *Store { return s.store }

// browserID returns the browser id of r, setting the cookie when missing.
func (s *Site) browserID(w http.ResponseWriter, r *http.Request) string {
	if s.opts.BrowserID != nil {
		return s.opts.BrowserID(w, r)
	}
	if id := step.RequestBrowser(r); id != "" {
		return id
	}
	id := rand.Text()
	http.SetCookie(w, &http.Cookie{
		Name: step.BrowserCookie, Value: id, Path: "/",
		MaxAge: 400 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	r.AddCookie(&http.Cookie{Name: step.BrowserCookie, Value: id})
	return id
}

// render writes a templ component as a whole page, or a 500 when it fails.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.Error("lessons: rendering a page", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// client returns the step's client in lang: client.<lang>.html where
// there is one, else client.html.
func (st *stepPage) client(lang Lang) string {
	if c, ok := st.ClientLang[lang]; ok {
		return c
	}
	return st.Client
}

// clientDone returns the step's finished client in lang:
// client.done.<lang>.html where there is one, else client.done.html ("" for
// a step without a finished version).
func (st *stepPage) clientDone(lang Lang) string {
	if c, ok := st.ClientDoneLang[lang]; ok {
		return c
	}
	return st.ClientDone
}
