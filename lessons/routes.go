package lessons

import (
	"embed"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/internal/routemux"
	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/static"
)

// assets are the pages' CSS, scripts and icon, served under /assets/, and
// the code editor's bundle (built from assets/editor by its build.mjs; its
// node_modules stays out).
//
//go:embed assets/*.css assets/*.js assets/*.svg assets/editor/editor.bundle.js
var assets embed.FS

func (s *Site) routes() {
	mux := new(routemux.Mux)
	mux.HandleFunc("GET /{$}", s.serveHome)
	mux.HandleFunc("GET /lessons/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/#contents", http.StatusFound)
	})
	mux.HandleFunc("GET /lessons/{lesson}", s.addSlash)
	mux.HandleFunc("GET /lessons/{lesson}/{$}", s.serveLesson)
	mux.HandleFunc("GET /lessons/{lesson}/{step}", s.addSlash)
	mux.HandleFunc("GET /lessons/{lesson}/{step}/{$}", s.withStep(s.serveStep))
	mux.HandleFunc("GET /lessons/{lesson}/{step}/pane", s.withStep(s.servePane))
	mux.HandleFunc("GET /lessons/{lesson}/{step}/live", s.withStep(s.serveLive))
	mux.HandleFunc("POST /lessons/{lesson}/{step}/faults/{fault}", s.withStep(s.serveFault))
	mux.HandleFunc("GET /classroom", s.addSlash)
	mux.HandleFunc("GET /classroom/{$}", s.guard(s.serveClassroom))
	mux.HandleFunc("GET /classroom/table", s.guard(s.serveClassroomTable))
	mux.HandleFunc("GET /classroom/data.json", s.guard(s.serveClassroomJSON))
	mux.HandleFunc("GET /classroom/live", s.guard(s.serveClassroomLive))
	mux.HandleFunc("POST /me/name", s.serveSetName)
	mux.HandleFunc("POST /me/reset", s.serveReset)
	for _, st := range s.steps {
		mux.Handle(st.prefix()+"socket.io/", s.socketIO(st))
		mux.Handle(st.prefix()+"server.js", s.sourceHandler(st))
		if st.def.CheckNodes != nil {
			mux.Handle(st.prefix()+nodeBPath, s.socketIONodeB(st))
		}
	}

	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	files := http.StripPrefix("/assets/", http.FileServerFS(sub))
	mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/assets/chroma.css" {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			http.ServeContent(w, r, "chroma.css", time.Time{}, bytesReader(s.chroma))
			return
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/assets/favicon.svg"
		files.ServeHTTP(w, r)
	})
	// Tutorial code loads the client from /socket.io/socket.io.js; the
	// panes' <meta name="socket.io-path"> then points it at the step.
	script := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeContent(w, r, "", time.Time{}, bytesReader(body))
		}
	}
	mux.HandleFunc("GET /socket.io/socket.io.js", script(static.SocketIOJS))
	mux.HandleFunc("GET /socket.io/socket.io.min.js", script(static.SocketIOJS))
	mux.HandleFunc("GET /socket.io/socket.io.esm.min.js", script(static.SocketIOESM))
	mux.HandleFunc("/", s.serveNotFound)
	s.mux = mux
}

// Routes returns the patterns the Site serves ("GET /classroom/{$}"), so
// that a test can check who may reach each one.
func (s *Site) Routes() []string { return s.mux.Patterns() }

// sourceHandler serves the step's server.js for each browser (see
// jsserver.SourceHandler): PUT runs the browser's own edit, DELETE goes
// back to the step's server, GET gives the source in use. Like a fault, a
// change of server comes from the workbook's own pages only.
func (s *Site) sourceHandler(st *stepPage) http.Handler {
	handler := func(src string) *jsserver.SourceHandler {
		return &jsserver.SourceHandler{
			Manager:  s.js,
			Step:     st.key(),
			Finished: st.ServerJS,
			Browser:  step.RequestBrowser,
			Config:   s.jsConfig(st, src),
		}
	}
	h := handler("")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			http.Error(w, "a step's server is changed from the workbook's own pages", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPut && st.def.CheckNodes != nil {
			// Node B runs the same source: it is read here, and again by
			// the SourceHandler.
			src, err := readSource(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			handler(src).ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Site) addSlash(w http.ResponseWriter, r *http.Request) {
	u := *r.URL
	u.Path += "/"
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
}

// withStep finds the step named by the path, or answers 404.
func (s *Site) withStep(h func(http.ResponseWriter, *http.Request, *stepPage)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := s.steps[r.PathValue("lesson")+"/"+r.PathValue("step")]
		if st == nil {
			s.serveNotFound(w, r)
			return
		}
		h(w, r, st)
	}
}

// frameFor builds the layout of a page of the reading order (href), for
// browser and lang.
func (s *Site) frameFor(href string, lang Lang, done int) frame {
	f := frame{T: uiText[lang], Lang: lang, Done: done, Total: s.total, Inspector: s.opts.InspectorURL, Classroom: classroomURL, Here: href}
	for i, p := range s.order {
		if p.href != href {
			continue
		}
		if i > 0 {
			f.Prev = &link{Href: s.order[i-1].href, Text: s.order[i-1].title[lang]}
		}
		if i+1 < len(s.order) {
			f.Next = &link{Href: s.order[i+1].href, Text: s.order[i+1].title[lang]}
		}
		if p.lesson != nil {
			f.Crumbs = append(f.Crumbs, link{Href: "/lessons/" + p.lesson.Slug + "/", Text: fmt.Sprintf("%d %s", p.lesson.Num, p.lesson.Text[lang].Meta["title"])})
		}
		if p.step != nil {
			f.Crumbs = append(f.Crumbs, link{Href: p.href, Text: fmt.Sprintf("%d %s", p.step.Num, p.title[lang])})
		}
		f.Title = p.title[lang]
	}
	return f
}

// progress reads what browser has done; an error is logged and counts as
// nothing done, so that a page still shows.
func (s *Site) progress(r *http.Request, browser string) map[TaskKey]time.Time {
	done, err := s.store.Done(r.Context(), browser)
	if err != nil {
		s.log.Error("lessons: progress not read", "err", err)
		return map[TaskKey]time.Time{}
	}
	return done
}

func (s *Site) stepsToc(les *lesson, lang Lang, done map[TaskKey]time.Time) []tocStep {
	var out []tocStep
	for _, st := range les.Steps {
		t := tocStep{Num: st.Num, Href: st.prefix(), Title: st.Text[lang].Title, Total: len(st.Tasks)}
		for _, task := range st.Tasks {
			if _, ok := done[TaskKey{les.Slug, st.Slug, task}]; ok {
				t.Done++
			}
		}
		out = append(out, t)
	}
	return out
}

func (s *Site) serveHome(w http.ResponseWriter, r *http.Request) {
	browser := s.browserID(w, r)
	lang := chooseLang(w, r)
	done := s.progress(r, browser)
	v := homeView{frame: s.frameFor("/", lang, s.count(done)), Intro: s.home[lang].HTML}
	v.Name = s.name(r.Context(), browser)
	v.BodyClass = "home"
	if v.Done == 0 && len(s.lessons) > 0 {
		v.Resume = &link{Href: "/lessons/" + s.lessons[0].Slug + "/", Text: s.lessons[0].Text[lang].Meta["title"]}
	}
	for _, les := range s.lessons {
		tl := tocLesson{Num: les.Num, Href: "/lessons/" + les.Slug + "/", Title: les.Text[lang].Meta["title"], Steps: s.stepsToc(les, lang, done)}
		for _, ts := range tl.Steps {
			tl.Done += ts.Done
			tl.Total += ts.Total
			if v.Resume == nil && !ts.complete() {
				v.Resume = &link{Href: ts.Href, Text: ts.Title}
			}
		}
		v.Lessons = append(v.Lessons, tl)
	}
	s.render(w, r, http.StatusOK, layout(v.frame, homeBody(v)))
}

func (s *Site) serveLesson(w http.ResponseWriter, r *http.Request) {
	var les *lesson
	for _, l := range s.lessons {
		if l.Slug == r.PathValue("lesson") {
			les = l
		}
	}
	if les == nil {
		s.serveNotFound(w, r)
		return
	}
	browser := s.browserID(w, r)
	lang := chooseLang(w, r)
	done := s.progress(r, browser)
	v := lessonView{
		frame: s.frameFor("/lessons/"+les.Slug+"/", lang, s.count(done)),
		Num:   les.Num,
		Intro: les.Text[lang].HTML,
		Steps: s.stepsToc(les, lang, done),
	}
	v.BodyClass = "lesson"
	v.Slug = les.Slug
	v.Name = s.name(r.Context(), browser)
	s.render(w, r, http.StatusOK, layout(v.frame, lessonBody(v)))
}

func (s *Site) serveStep(w http.ResponseWriter, r *http.Request, st *stepPage) {
	browser := s.browserID(w, r)
	lang := chooseLang(w, r)
	done := s.progress(r, browser)
	t := uiText[lang]
	text := st.Text[lang]
	v := stepView{
		frame:       s.frameFor(st.prefix(), lang, s.count(done)),
		LessonLabel: fmt.Sprintf(t.Lesson, st.Lesson.Num) + " · " + st.Lesson.Text[lang].Meta["title"],
		StepLabel:   fmt.Sprintf(t.StepOf, st.Num, len(st.Lesson.Steps)),
		Text:        text.HTML,
		ServerHTML:  st.ServerHTML,
		ServerJS:    st.ServerJS,
		Client:      st.client(lang),
		HasDone:     st.ClientDone != "",
		Data: stepData{
			Lesson:     st.Lesson.Slug,
			Step:       st.Slug,
			Pane:       st.prefix() + "pane",
			Live:       st.prefix() + "live",
			Client:     st.client(lang),
			ClientDone: st.clientDone(lang),
			Server:     st.ServerSource,
			ServerJS:   st.ServerJS,
			Source:     st.prefix() + "server.js",
			Text: map[string]string{
				"clientN": t.ClientN, "loading": t.Loading, "connecting": t.Connecting,
				"connected": t.Connected, "disconnected": t.Disconnected, "error": t.ConnectError,
				"noSocket": t.NoSocket, "pageError": t.PageError, "remove": t.Remove,
				"reload": t.Reload, "copied": t.Copied, "copy": t.Copy, "progress": t.Progress,
				"logEmpty": t.LogEmpty, "faultDone": t.FaultDone, "faultNone": t.FaultNone,
				"faultBusy": t.FaultBusy, "faultFailed": t.FaultFailed, "faultDown": t.FaultDown,
				"faultUp": t.FaultUp, "kept": t.Kept, "showingDone": t.ShowingDone, "showingStart": t.ShowingStart,
				"maximise": t.Maximise, "console": t.Console, "consoleEmpty": t.ConsoleEmpty, "lineN": t.LineN,
				"logMine": t.LogMine, "logAll": t.LogAll,
				"serverOwn": t.ServerOwn, "serverDef": t.ServerDef, "serverLine": t.ServerLine, "serverFailed": t.ServerFailed,
			},
		},
	}
	labels := map[step.Fault]string{step.FaultCut: t.FaultCut, step.FaultStopPings: t.FaultPings, step.FaultRestart: t.FaultRestart}
	for _, f := range st.def.Faults {
		v.Faults = append(v.Faults, faultView{ID: string(f), Label: labels[f]})
	}
	if len(v.Faults) > 0 {
		v.Data.Faults = st.prefix() + "faults/"
	}
	v.BodyClass = "step"
	v.Name = s.name(r.Context(), browser)
	for _, id := range st.Tasks {
		_, ok := done[TaskKey{st.Lesson.Slug, st.Slug, id}]
		tv := taskView{ID: id, HTML: text.Tasks[id], Done: ok}
		if l, has := text.Ladders[id]; has {
			tv.Ladder = &l
		}
		v.Tasks = append(v.Tasks, tv)
	}
	if s.opts.Panel != nil {
		packets := st.prefix() + "socket.io/"
		if st.def.CheckNodes != nil {
			packets = st.prefix() // both nodes
		}
		v.Panel = s.opts.Panel(browser, packets, t.Packets, string(lang))
	}
	if s.redis != nil {
		// The text says which Redis joins the nodes.
		v.Text = strings.ReplaceAll(v.Text, "{redis}", "<strong>"+html.EscapeString(s.redis.label)+"</strong>")
	}
	s.render(w, r, http.StatusOK, layout(v.frame, stepBody(v)))
}

// servePane serves the document a client pane loads. It names the step's
// Socket.IO path in a <meta> (which our socket.io.js honours), loads
// pane.js (which reports the pane's sockets to the step page), then writes
// the client code in: the code last run in the step page that holds the
// pane, or the step's client in the browser's language when the pane is
// opened on its own.
func (s *Site) servePane(w http.ResponseWriter, r *http.Request, st *stepPage) {
	w.Header().Set("Cache-Control", "no-store")
	path := st.prefix() + "socket.io"
	if n, err := strconv.Atoi(r.URL.Query().Get("n")); err == nil && n%2 == 0 && st.def.CheckNodes != nil {
		path = st.prefix() + strings.TrimSuffix(nodeBPath, "/") // panes take turns: even ones on node B
	}
	s.render(w, r, http.StatusOK, paneDoc(path, st.client(chooseLang(w, r))))
}

func (s *Site) serveNotFound(w http.ResponseWriter, r *http.Request) {
	lang := chooseLang(w, r)
	f := frame{T: uiText[lang], Lang: lang, Title: uiText[lang].NotFound, BodyClass: "not-found", Inspector: s.opts.InspectorURL, Classroom: classroomURL}
	s.render(w, r, http.StatusNotFound, layout(f, notFoundBody(notFoundView{f})))
}
