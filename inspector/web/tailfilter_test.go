package web_test

import (
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestTailFilters: the live tail filtered by session, client, lesson or
// event gets only what its filter keeps, in its backlog, its live batches
// and the page the server renders.
func TestTailFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	app, appSID := e.connect("/socket.io/", "ann", client.Options{})
	lesson, lessonSID := e.connect(lessonPath, "bob", client.Options{})
	e.echo(app, "", "app-before")
	e.echo(lesson, "", "lesson-before")
	e.flush()

	type check struct {
		req  map[string]any
		keep func(it item) bool
	}
	sid := func(s string) func(it item) bool { return func(it item) bool { return it.SID == s } }
	checks := []check{
		{map[string]any{"room": "tail", "sid": appSID}, sid(appSID)},
		{map[string]any{"room": "tail", "client": "bob"}, sid(lessonSID)},
		{map[string]any{"room": "tail", "lesson": "demo"}, sid(lessonSID)},
		{map[string]any{"room": "tail", "event": "shout"}, func(it item) bool { return it.K == "p" && it.Event == "shout" }},
	}
	watchers := make([]*watcher, len(checks))
	for i, c := range checks {
		w, err := e.watcher("", nil)
		if err != nil {
			t.Fatal(err)
		}
		r := w.watch(c.req)
		if r.Error != "" {
			t.Fatalf("%v: %s", c.req, r.Error)
		}
		for _, it := range r.Items {
			if !c.keep(it) {
				t.Errorf("%v: backlog has %+v", c.req, it)
			}
		}
		if c.req["event"] == nil && len(r.Items) == 0 {
			t.Errorf("%v: empty backlog", c.req)
		}
		watchers[i] = w
	}
	// Live: both sessions talk; a shout from each.
	e.echo(app, "shout", "app-later", "x")
	e.echo(lesson, "shout", "lesson-later", "y")
	for i, c := range checks {
		items := watchers[i].waitRaw("later")
		for _, it := range items {
			if !c.keep(it) {
				t.Errorf("%v: live batch has %+v", c.req, it)
			}
		}
	}
	// The page renders the same filter, and gives it to its script.
	body := e.getOK("/inspector/tail?client=bob")
	doc := parse(t, body)
	for _, a := range find(doc, byClass("wbi-sid")) {
		if attr(a, "title") != lessonSID {
			t.Errorf("the tail filtered by client shows session %s", attr(a, "title"))
		}
	}
	if !strings.Contains(body, `"client":"bob"`) {
		t.Error("the page's config lacks the filter")
	}
	if in := find(doc, byAttr("name", "client")); len(in) != 1 || attr(in[0], "value") != "bob" {
		t.Error("the form lost the filter")
	}
}
