package lessons_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// say connects a Go client of browser to events/message and sends text
// as a "message", which that step's server logs.
func say(t *testing.T, base, browser, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, base, client.Options{
		Path: "/lessons/events/message/socket.io/", Header: cookie(browser), ForceNew: true, NoReconnection: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	if err := s.Send(text); err != nil {
		t.Fatal(err)
	}
}

func lineOf(t *testing.T) func(e sse) string {
	return func(e sse) string {
		var line struct{ Text string }
		if e.Event == "log" {
			e.decode(t, &line)
		}
		return line.Text
	}
}

// TestLogShowsMyClientsByDefault: a step page's log holds the lines about
// its own browser's clients, and everyone's with ?log=all, each marked as
// its own or not.
func TestLogShowsMyClientsByDefault(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	text := lineOf(t)
	mine := follow(t, base+"/lessons/events/message/live", "me")
	say(t, base, "other", "from the other learner")
	waitLog(t, site, "events", "message", "The client says: from the other learner")
	say(t, base, "me", "from me")
	// The feed sends lines in the order they were logged: had the other
	// learner's line been sent, it would have come first.
	mine.wait(t, "my line", func(e sse) bool { return text(e) == "The client says: from me" })
	mine.mu.Lock()
	for _, e := range mine.events {
		if strings.Contains(text(e), "other learner") {
			t.Errorf("my log shows another learner's line: %s", e.Data)
		}
	}
	mine.mu.Unlock()

	all := follow(t, base+"/lessons/events/message/live?log=all", "me")
	for _, want := range []struct {
		text string
		mine bool
	}{{"The client says: from the other learner", false}, {"The client says: from me", true}} {
		e := all.wait(t, want.text, func(e sse) bool { return text(e) == want.text })
		var line struct{ Mine bool }
		e.decode(t, &line)
		if line.Mine != want.mine {
			t.Errorf("%q: mine = %v", want.text, line.Mine)
		}
	}
}

// postForm sends a form as browser, from the workbook's own pages (or from
// elsewhere with origin), and returns the response without following a
// redirect.
func postForm(t *testing.T, base, path, browser, origin string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "wb_client="+browser)
	req.Header.Set("Origin", origin)
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestNameAndReset: a learner names themselves (shown on their pages and
// in the classroom, with a link to their sessions in the inspector), then
// forgets one lesson's ticks, then all of them.
func TestNameAndReset(t *testing.T) {
	site, base := startSite(t, lessons.Options{DB: mustOpenDB(t), InspectorURL: "/inspector/"})
	const ada = "ada-browser"
	if res := postForm(t, base, "/me/name", ada, "http://evil.example", url.Values{"name": {"Mallory"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a name from another site: %s", res.Status)
	}
	if res := postForm(t, base, "/me/name", ada, base, url.Values{"name": {"two\nlines"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a name with a line break: %s", res.Status)
	}
	res := postForm(t, base, "/me/name", ada, base, url.Values{"name": {"Ada <b>L</b>"}, "back": {"//evil.example/"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("setting a name: %s to %q", res.Status, res.Header.Get("Location"))
	}
	for _, path := range []string{"/", "/lessons/hello/", "/lessons/hello/connect/"} {
		_, page := get(t, base+path, cookie(ada))
		if !strings.Contains(page, `You: Ada &lt;b&gt;L&lt;/b&gt;`) {
			t.Errorf("%s does not show the name, escaped", path)
		}
	}
	_, other := get(t, base+"/", cookie("someone-else"))
	if strings.Contains(other, "You: ") {
		t.Error("another browser shows a name")
	}

	dialStep(t, base, "hello/connect", ada)
	dialStep(t, base, "events/message", ada)
	waitDone(t, site, ada, "hello/connect/connect", "events/message/receive")
	c := waitClassroom(t, base, "Ada", func(c lessons.Classroom) bool { return rowOf(c, ada) != nil })
	row := rowOf(c, ada)
	if row.Name != "Ada <b>L</b>" || row.Inspector != "/inspector/?client="+ada {
		t.Errorf("classroom row: name %q, inspector %q", row.Name, row.Inspector)
	}
	_, table := get(t, base+"/classroom/table", nil)
	for _, want := range []string{`<span class="name">Ada &lt;b&gt;L&lt;/b&gt;</span>`, `href="/inspector/?client=` + ada + `"`} {
		if !strings.Contains(table, want) {
			t.Errorf("the classroom table lacks %s", want)
		}
	}

	done := func() map[lessons.TaskKey]time.Time {
		d, err := site.Store().Done(t.Context(), ada)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if res := postForm(t, base, "/me/reset", ada, base, url.Values{"lesson": {"nope"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("resetting a lesson that is not: %s", res.Status)
	}
	res = postForm(t, base, "/me/reset", ada, base, url.Values{"lesson": {"hello"}, "back": {"/lessons/hello/"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/lessons/hello/" {
		t.Fatalf("resetting hello: %s to %q", res.Status, res.Header.Get("Location"))
	}
	for k := range done() {
		if k.Lesson == "hello" {
			t.Errorf("still done after resetting hello: %v", k)
		}
	}
	if len(done()) == 0 {
		t.Error("resetting hello forgot events too")
	}
	if res := postForm(t, base, "/me/reset", ada, base, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resetting all: %s", res.Status)
	}
	if d := done(); len(d) != 0 {
		t.Errorf("done after resetting all: %v", d)
	}
	if n, _ := site.Store().Name(t.Context(), ada); n != "Ada <b>L</b>" {
		t.Errorf("the name went with the reset: %q", n)
	}
}

// TestClassroomPushes: the classroom's feed says "change" when it opens
// and when a learner connects, ticks or names themselves; the page
// listens to it rather than polling.
func TestClassroomPushes(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	_, page := get(t, base+"/classroom/", nil)
	if !strings.Contains(page, `data-live="/classroom/live"`) || strings.Contains(page, "data-poll") {
		t.Error("the classroom page does not follow its feed")
	}
	changes := follow(t, base+"/classroom/live", "instructor")
	n := changes.waitMore(t, "the first change", 0)
	dialStep(t, base, "hello/connect", "pupil")
	waitDone(t, site, "pupil", "hello/connect/connect")
	n = changes.waitMore(t, "a change for the connection", n)
	if res := postForm(t, base, "/me/name", "pupil", base, url.Values{"name": {"Pupil"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.Status)
	}
	changes.waitMore(t, "a change for the name", n)
}

// waitMore waits, for up to 10 s, until the feed has more than n events,
// and returns how many it has.
func (f *feed) waitMore(t *testing.T, what string, n int) int {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		got, more, ended := len(f.events), f.more, f.ended
		f.mu.Unlock()
		if got > n {
			return got
		}
		if ended {
			t.Fatalf("the feed ended before %s", what)
		}
		select {
		case <-more:
		case <-timeout:
			t.Fatalf("no %s within 10 s", what)
		}
	}
}

// TestFaultLinesInTheirLogs: the workbook's lines about a fault a learner
// caused show in that learner's log, and a restart of the whole step in
// everyone's.
func TestFaultLinesInTheirLogs(t *testing.T) {
	_, base := startSite(t, lessons.Options{})
	text := lineOf(t)
	const key = "/lessons/errors/reconnect/"
	mine := follow(t, base+key+"live", "me")
	theirs := follow(t, base+key+"live", "other")
	dialStep(t, base, "errors/reconnect", "me")
	if res := postForm(t, base, key+"faults/cut", "me", base, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("cut: %s", res.Status)
	}
	mine.wait(t, "the cut in my log", func(e sse) bool {
		return strings.HasPrefix(text(e), "[workbook] cutting the connection of 1 client(s)")
	})
	if res := postForm(t, base, key+"faults/restart?scope=step", "me", base, nil); res.StatusCode != http.StatusAccepted {
		t.Fatalf("restart: %s", res.Status)
	}
	for _, f := range []*feed{mine, theirs} {
		f.wait(t, "the step's restart", func(e sse) bool { return strings.HasPrefix(text(e), "[workbook] server stopped; it starts again") })
	}
	// The other learner's feed had the lines in order: the cut, had it
	// been sent, would have come before the restart.
	theirs.mu.Lock()
	defer theirs.mu.Unlock()
	for _, e := range theirs.events {
		if strings.HasPrefix(text(e), "[workbook] cutting") {
			t.Errorf("another learner's log shows my cut: %s", e.Data)
		}
	}
}
