package lessons

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio/engine"
)

// RestartOutage is how long a step's server stays down when the learner
// restarts it (step.FaultRestart): its Socket.IO path answers 503 meanwhile,
// so that the clients' reconnection attempts fail and are counted.
const RestartOutage = 3 * time.Second

// maxRestarting bounds the browsers of one step that may be in a restart
// of their own at once (each holds a map entry and a timer for
// RestartOutage); past it, a restart answers 409.
const maxRestarting = 1000

// socketIO serves the step's Socket.IO path: the requesting browser's own
// JavaScript server when it runs one, the step's server otherwise (that of
// the learner's language for a PerLang step), or 503
// while the step's server restarts, and to the handshakes of a browser in
// a restart of its own.
func (s *Site) socketIO(st *stepPage) http.Handler {
	def := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io := st.serverIn(step.RequestLang(r))
		if io == nil {
			unavailable(w)
			return
		}
		io.ServeHTTP(w, r)
	})
	routed := s.js.Route(st.key(), step.RequestBrowser, def)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" && st.restarting(step.RequestBrowser(r)) {
			unavailable(w)
			return
		}
		routed.ServeHTTP(w, r)
	})
}

func unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", fmt.Sprint(int(RestartOutage.Seconds())))
	http.Error(w, "the step's server is restarting", http.StatusServiceUnavailable)
}

// faultReply is the JSON answer of a fault request.
type faultReply struct {
	Fault   step.Fault `json:"fault,omitempty"`
	Clients int        `json:"clients,omitempty"` // sessions of the browser affected
	Outage  int64      `json:"outage,omitempty"`  // ms the server stays down (restart)
	Error   string     `json:"error,omitempty"`
}

// serveFault causes a fault the step offers (POST .../faults/<fault>):
//
//	cut, stop-pings   to the sessions of the requesting browser (its wb_client
//	                  cookie) on the step's server: 200 {"fault", "clients"},
//	                  or 409 when the browser has none
//	restart           to the requesting browser: its sessions are closed and
//	                  its handshakes answer 503 for RestartOutage, as if the
//	                  server were down: 202 {"fault", "clients", "outage"},
//	                  or 409 when the browser is in a restart already
//	restart?scope=step  to the whole step, every learner's clients, Setup
//	                  and Check again: only with Options.Authorize's
//	                  consent (the inspector's token); 202 {"fault",
//	                  "outage"}, or 409 when it is restarting already
//
// It answers 404 for a fault the step does not offer, 403 for a request
// from another site, 400 for a browser fault without a browser id. Only
// POST reaches it: a link or an image cannot cause a fault. No learner can
// disturb another's clients.
func (s *Site) serveFault(w http.ResponseWriter, r *http.Request, st *stepPage) {
	f := step.Fault(r.PathValue("fault"))
	reply := func(status int, v faultReply) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if !slices.Contains(st.def.Faults, f) {
		reply(http.StatusNotFound, faultReply{Error: fmt.Sprintf("step %s offers no fault %q", st.key(), f)})
		return
	}
	if !sameOrigin(r) {
		reply(http.StatusForbidden, faultReply{Error: "faults are caused from the workbook's own pages"})
		return
	}
	browser := step.RequestBrowser(r)
	if f == step.FaultRestart && r.URL.Query().Get("scope") == "step" {
		if s.opts.Authorize != nil && !s.opts.Authorize(w, r) {
			return
		}
		if !s.restart(st, browser) {
			reply(http.StatusConflict, faultReply{Fault: f, Error: "the step's server is restarting already"})
			return
		}
		reply(http.StatusAccepted, faultReply{Fault: f, Outage: RestartOutage.Milliseconds()})
		return
	}
	if browser == "" {
		reply(http.StatusBadRequest, faultReply{Fault: f, Error: "no browser id (cookie " + step.BrowserCookie + ")"})
		return
	}
	if f == step.FaultRestart {
		n, ok := s.restartFor(st, browser)
		if !ok {
			reply(http.StatusConflict, faultReply{Fault: f, Error: "the step's server is restarting already"})
			return
		}
		reply(http.StatusAccepted, faultReply{Fault: f, Clients: n, Outage: RestartOutage.Milliseconds()})
		return
	}
	n := s.faultSessions(st, browser, f)
	if n == 0 {
		reply(http.StatusConflict, faultReply{Fault: f, Error: "no client of this browser is connected to the step"})
		return
	}
	reply(http.StatusOK, faultReply{Fault: f, Clients: n})
}

// sameOrigin reports whether r may come from one of the workbook's pages:
// a browser's Sec-Fetch-Site and Origin, when sent, must say so. Clients
// that send neither (curl, Node) are let through: they are not a victim's
// browser.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

// restarting reports whether browser is in a restart of its own.
func (st *stepPage) restarting(browser string) bool {
	if browser == "" {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.refused[browser]
}

// sessionBrowser returns the browser id of an Engine.IO session (the
// cookie of its handshake), or "".
func sessionBrowser(sess *engine.Session) string {
	if r := sess.Request(); r != nil {
		return step.RequestBrowser(r)
	}
	return ""
}

// faultSessions causes f (FaultCut or FaultStopPings) to every session of
// browser on the server it reaches (its own JavaScript server, or the
// step's) and returns how many there were.
func (s *Site) faultSessions(st *stepPage, browser string, f step.Fault) int {
	io, checker := s.serverFor(st, browser)
	if io == nil {
		return 0
	}
	var mine []*engine.Session
	for _, sess := range io.Engine().Sessions() {
		if sessionBrowser(sess) == browser {
			mine = append(mine, sess)
		}
	}
	if len(mine) == 0 {
		return 0
	}
	switch f {
	case step.FaultCut:
		st.log.ForBrowser(browser).Printf("[workbook] cutting the connection of %d client(s), with no goodbye", len(mine))
		checker.Caused(browser, f) // before the cut: the clients come back after it
		st.mu.Lock()
		for _, sess := range mine {
			delete(st.silenced, sess)
		}
		st.mu.Unlock()
		for _, sess := range mine {
			sess.Faults().Drop()
		}
	case step.FaultStopPings:
		st.log.ForBrowser(browser).Printf("[workbook] no more pings to %d client(s)", len(mine))
		st.mu.Lock()
		if st.silenced == nil {
			st.silenced = map[*engine.Session]bool{}
		}
		for _, sess := range mine {
			st.silenced[sess] = true
		}
		st.mu.Unlock()
		for _, sess := range mine {
			sess.Faults().StopHeartbeat()
			// The client is "back" once it has given this session up:
			// the session ended, and not by a cut or a restart.
			s.goFault(st, func() {
				select {
				case <-sess.Done():
				case <-s.closing:
					return
				}
				// The checker of the server the session was on: the
				// step's, unless it restarted meanwhile (then the session
				// left silenced), or the browser's own.
				st.mu.Lock()
				gaveUp := st.silenced[sess]
				delete(st.silenced, sess)
				st.mu.Unlock()
				if gaveUp {
					checker.Caused(browser, f)
				}
			})
		}
	}
	return len(mine)
}

// restartFor plays a restart of the step's server to browser alone: from
// now on its handshakes answer 503, its sessions are closed, and after
// RestartOutage it may connect again, which ticks its task of coming back
// (step.FaultRestart). The server, and every other browser's clients, go
// on. It returns how many sessions it closed, and false when browser is
// in a restart already, too many are, the step's server is restarting or
// the Site is closed.
func (s *Site) restartFor(st *stepPage, browser string) (int, bool) {
	io, _ := s.serverFor(st, browser)
	st.mu.Lock()
	if io == nil || st.closed || st.refused[browser] || len(st.refused) >= maxRestarting {
		st.mu.Unlock()
		return 0, false
	}
	if st.refused == nil {
		st.refused = map[string]bool{}
	}
	st.refused[browser] = true // before the close: no client slips back in
	var mine []*engine.Session
	for _, sess := range io.Engine().Sessions() {
		if sessionBrowser(sess) == browser {
			mine = append(mine, sess)
			delete(st.silenced, sess) // they end by the restart, not by giving up
		}
	}
	st.mu.Unlock()

	st.log.ForBrowser(browser).Printf("[workbook] server stopped for %d client(s) of one browser; it takes them back in %v", len(mine), RestartOutage)
	for _, sess := range mine {
		sess.Close(engine.ReasonForcedClose)
	}
	started := s.goFault(st, func() {
		if !s.sleep(RestartOutage) {
			return
		}
		// The checker of the server the browser reaches now (the step's,
		// or its own JavaScript one), before its clients may come back.
		if _, c := s.serverFor(st, browser); c != nil {
			c.Caused(browser, step.FaultRestart)
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		delete(st.refused, browser)
		st.log.ForBrowser(browser).Println("[workbook] server started again for them")
	})
	if !started {
		st.mu.Lock()
		delete(st.refused, browser)
		st.mu.Unlock()
		return 0, false
	}
	return len(mine), true
}

// restart stops the step's server, answers 503 for RestartOutage, then
// starts a new one with the step's Setup and Check. The browsers that had
// a session on the old server, and requester, get their task of coming
// back to the new one (step.FaultRestart). It reports false when the
// server is restarting already or the Site is closed.
func (s *Site) restart(st *stepPage, requester string) bool {
	st.mu.Lock()
	old, oldChecker := st.io, st.checker
	if old == nil || st.closed {
		st.mu.Unlock()
		return false
	}
	st.io, st.checker = nil, nil
	clear(st.silenced) // they end by the restart, not by giving up
	st.mu.Unlock()

	affected := map[string]bool{}
	if requester != "" {
		affected[requester] = true
	}
	for _, sess := range old.Engine().Sessions() {
		if b := sessionBrowser(sess); b != "" {
			affected[b] = true
		}
	}
	st.log.ForBrowser(step.Everyone).Printf("[workbook] server stopped; it starts again in %v", RestartOutage)
	oldChecker.Close()
	old.Close()
	started := s.goFault(st, func() {
		if !s.sleep(RestartOutage) {
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.closed {
			return
		}
		io, checker := s.newServer(st)
		for b := range affected {
			checker.Caused(b, step.FaultRestart)
		}
		st.io, st.checker = io, checker
		st.log.ForBrowser(step.Everyone).Println("[workbook] server started again")
	})
	return started
}

// sleep waits for d, and reports false when the Site closes first.
func (s *Site) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return false
	}
}

// goFault runs fn on a goroutine that Close waits for, unless the step is
// closed already; fn must return soon after s.closing is closed. It
// reports whether fn runs.
func (s *Site) goFault(st *stepPage, fn func()) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return false
	}
	s.faulting.Add(1)
	go func() {
		defer s.faulting.Done()
		fn()
	}()
	return true
}
