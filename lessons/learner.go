package lessons

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// A learner's own settings, posted from the workbook's pages:
//
//	POST /me/name   name=Ada&back=/        the display name ("" removes it)
//	POST /me/reset  lesson=hello&back=/... forget the ticks of one lesson,
//	                or of the whole workbook without lesson
//
// Both answer 303 to back (a path of the site, "/" otherwise), so a form
// works without a script, and 403 to a request from another site.

// name returns the display name of browser; an error is logged and counts
// as no name, so that a page still shows.
func (s *Site) name(ctx context.Context, browser string) string {
	if browser == "" {
		return ""
	}
	n, err := s.store.Name(ctx, browser)
	if err != nil {
		s.log.Error("lessons: name not read", "err", err)
	}
	return n
}

// backTo is where a form of the learner's sends them back: the path it
// names when it is one of this site's, "/" otherwise (never another host).
func backTo(r *http.Request) string {
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		return "/"
	}
	return back
}

func (s *Site) serveSetName(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "a name is set from the workbook's own pages", http.StatusForbidden)
		return
	}
	browser := s.browserID(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	err := s.store.SetName(r.Context(), browser, r.PostFormValue("name"))
	switch {
	case errors.Is(err, ErrBadName):
		http.Error(w, uiText[chooseLang(w, r)].NameBad, http.StatusBadRequest)
		return
	case errors.Is(err, ErrTooManyLearners):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	case err != nil:
		s.log.Error("lessons: name not set", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.changes.notify()
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
}

func (s *Site) serveReset(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "progress is reset from the workbook's own pages", http.StatusForbidden)
		return
	}
	browser := s.browserID(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	var err error
	if lesson := r.PostFormValue("lesson"); lesson != "" {
		if !s.hasLesson(lesson) {
			http.Error(w, "no such lesson", http.StatusBadRequest)
			return
		}
		err = s.store.ResetLesson(r.Context(), browser, lesson)
	} else {
		err = s.store.Reset(r.Context(), browser)
	}
	if err != nil {
		s.log.Error("lessons: progress not reset", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.changes.notify()
	http.Redirect(w, r, backTo(r), http.StatusSeeOther)
}

func (s *Site) hasLesson(slug string) bool {
	for _, l := range s.lessons {
		if l.Slug == slug {
			return true
		}
	}
	return false
}

// notifier wakes the classroom's open feeds when something they show has
// changed: a connection, a disconnection, a tick, a name, a reset. Each
// feed has a channel of one: a burst of changes wakes it once, and a slow
// feed holds up nobody.
type notifier struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// maxClassFeeds bounds the classroom's open feeds (an instructor or two
// in a class; a flood of tabs is turned away).
const maxClassFeeds = 64

func newNotifier() *notifier { return &notifier{subs: map[chan struct{}]struct{}{}} }

// subscribe returns a feed's channel and its stop, or ok false when
// maxClassFeeds are open.
func (n *notifier) subscribe() (ch <-chan struct{}, stop func(), ok bool) {
	c := make(chan struct{}, 1)
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.subs) >= maxClassFeeds {
		return nil, nil, false
	}
	n.subs[c] = struct{}{}
	return c, func() {
		n.mu.Lock()
		delete(n.subs, c)
		n.mu.Unlock()
	}, true
}

func (n *notifier) notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.subs {
		select {
		case c <- struct{}{}:
		default: // already woken, not yet read
		}
	}
}

// classSettle is how long the classroom feed waits after a change for the
// ones that come with it (a pane's connect and its first tick), so that a
// burst is one reload of the table.
const classSettle = 150 * time.Millisecond
