package lessons_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// dialStep connects a Go client to a step's server as browser, until the
// test ends or disconnect is called.
func dialStep(t *testing.T, base, step, browser string) (disconnect func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := client.New(base, client.Options{
		Path: "/lessons/" + step + "/socket.io/", ForceNew: true, NoAutoConnect: true,
		Header: cookie(browser), NoReconnection: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	connected := make(chan struct{}, 1)
	s.OnConnect(func() {
		select {
		case connected <- struct{}{}:
		default:
		}
	})
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatalf("connecting to %s: %v", step, err)
	}
	select {
	case <-connected:
	case <-ctx.Done():
		t.Fatalf("no connection to %s", step)
	}
	t.Cleanup(s.Disconnect)
	return s.Disconnect
}

// classroomNow reads /classroom/data.json.
func classroomNow(t *testing.T, base string) lessons.Classroom {
	t.Helper()
	res, body := get(t, base+"/classroom/data.json", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("data.json: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var c lessons.Classroom
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatalf("data.json: %v: %s", err, body)
	}
	return c
}

// waitClassroom reads the classroom until ok holds, for up to 10 s.
func waitClassroom(t *testing.T, base, what string, ok func(lessons.Classroom) bool) lessons.Classroom {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := classroomNow(t, base)
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("classroom: no %s within 10 s: %+v", what, c)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rowOf(c lessons.Classroom, label string) *lessons.ClassroomEntry {
	for i := range c.Rows {
		if c.Rows[i].Label == label {
			return &c.Rows[i]
		}
	}
	return nil
}

// TestClassroomData: progress from the Store and live connections on
// several steps, per browser, most recently active first; a browser that
// leaves is shown disconnected, its progress kept.
func TestClassroomData(t *testing.T) {
	site, base := startSite(t, lessons.Options{DB: mustOpenDB(t)})
	ctx := context.Background()
	tasks := site.StepTasks()
	// bob finished hello/connect, then alice did one task of events.
	for _, task := range tasks["hello/connect"] {
		if _, err := site.Store().Mark(ctx, "bob", lessons.TaskKey{Lesson: "hello", Step: "connect", Task: task}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Millisecond)
	if _, err := site.Store().Mark(ctx, "alice", lessons.TaskKey{Lesson: "events", Step: "custom-event", Task: tasks["events/custom-event"][0]}); err != nil {
		t.Fatal(err)
	}
	// dave opens events/message (its server greets him: a task); then
	// carol opens hello/connect with two clients.
	dialStep(t, base, "events/message", "dave")
	waitDone(t, site, "dave", "events/message/receive")
	time.Sleep(2 * time.Millisecond)
	leave := dialStep(t, base, "hello/connect", "carol")
	leave2 := dialStep(t, base, "hello/connect", "carol")
	waitDone(t, site, "carol", "hello/connect/connect", "hello/connect/two")

	c := waitClassroom(t, base, "two connected learners", func(c lessons.Classroom) bool { return c.Connected == 2 })
	if c.Learners != 4 || len(c.Rows) != 4 {
		t.Fatalf("learners %d, rows %d: %+v", c.Learners, len(c.Rows), c.Rows)
	}
	var order []string
	for _, r := range c.Rows {
		order = append(order, r.Label)
	}
	if want := []string{"carol", "dave", "alice", "bob"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v (most recently active first)", order, want)
	}
	if len(c.Lessons) == 0 || c.Lessons[0].Slug != "hello" || c.Lessons[0].Title == "" || c.Lessons[0].Tasks != len(tasks["hello/connect"]) {
		t.Errorf("lessons: %+v", c.Lessons)
	}
	if c.Total == 0 {
		t.Error("total 0")
	}

	carol := rowOf(c, "carol")
	if !slices.Equal(carol.Online, []lessons.ClassPresence{{Step: "hello/connect", Title: site.StepTitle("hello/connect"), Clients: 2}}) {
		t.Errorf("carol online: %+v", carol.Online)
	}
	if carol.LastStep != "hello/connect" || carol.Done < 2 || carol.Lessons[0].Done != carol.Done {
		t.Errorf("carol: %+v", carol)
	}
	dave := rowOf(c, "dave")
	if !slices.Equal(dave.Online, []lessons.ClassPresence{{Step: "events/message", Title: site.StepTitle("events/message"), Clients: 1}}) || dave.LastStep != "events/message" || dave.Lessons[1].Done != 1 {
		t.Errorf("dave: %+v", dave)
	}
	alice := rowOf(c, "alice")
	if len(alice.Online) != 0 || alice.LastStep != "events/custom-event" || alice.Done != 1 || alice.Lessons[1].Done != 1 || alice.Lessons[1].Steps[1] != 1 {
		t.Errorf("alice: %+v", alice)
	}
	bob := rowOf(c, "bob")
	if bob.Lessons[0].StepsComplete != 1 || bob.Lessons[0].Steps[0] != 2 || bob.Lessons[0].Done != bob.Lessons[0].Tasks || bob.Done != bob.Lessons[0].Tasks {
		t.Errorf("bob: %+v", bob)
	}

	// One of carol's clients leaves: one left. The other leaves: she is
	// disconnected, and still there (dave is still connected).
	leave()
	waitClassroom(t, base, "carol with one client", func(c lessons.Classroom) bool {
		r := rowOf(c, "carol")
		return r != nil && len(r.Online) == 1 && r.Online[0].Clients == 1
	})
	leave2()
	c = waitClassroom(t, base, "carol disconnected", func(c lessons.Classroom) bool {
		r := rowOf(c, "carol")
		return c.Connected == 1 && r != nil && len(r.Online) == 0
	})
	if r := rowOf(c, "carol"); r == nil || len(r.Online) != 0 || r.Done < 2 {
		t.Errorf("carol after leaving: %+v", r)
	}
}

// TestClassroomJSONShape: the field names scripts rely on.
func TestClassroomJSONShape(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	if _, err := site.Store().Mark(context.Background(), "erin", lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, base+"/classroom/data.json", nil)
	var v struct {
		Rows    []map[string]any `json:"rows"`
		Lessons []map[string]any `json:"lessons"`
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(body), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at", "learners", "connected", "total", "lessons", "rows"} {
		if _, ok := top[k]; !ok {
			t.Errorf("no %q in %s", k, body)
		}
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Rows) != 1 || len(v.Lessons) == 0 {
		t.Fatalf("%v: %s", err, body)
	}
	for _, k := range []string{"label", "online", "lastStep", "lastAt", "lessons", "done"} {
		if _, ok := v.Rows[0][k]; !ok {
			t.Errorf("no %q in a row: %v", k, v.Rows[0])
		}
	}
	for _, k := range []string{"slug", "num", "title", "steps", "tasks"} {
		if _, ok := v.Lessons[0][k]; !ok {
			t.Errorf("no %q in a lesson: %v", k, v.Lessons[0])
		}
	}
	if on, ok := v.Rows[0]["online"].([]any); !ok || len(on) != 0 {
		t.Errorf("online of a learner not connected: %v (want [])", v.Rows[0]["online"])
	}
}

// TestClassroomToken: with the inspector's token check (beyond loopback),
// the classroom wants the token; without one (loopback) it is open.
func TestClassroomToken(t *testing.T) {
	_, open := startSite(t, lessons.Options{})
	for _, path := range []string{"/classroom/", "/classroom/table", "/classroom/data.json"} {
		if res, _ := get(t, open+path, nil); res.StatusCode != 200 {
			t.Errorf("open %s: %d", path, res.StatusCode)
		}
	}
	if res, _ := get(t, open+"/classroom", nil); res.StatusCode != 200 || res.Request.URL.Path != "/classroom/" {
		t.Errorf("/classroom: %d at %s", res.StatusCode, res.Request.URL)
	}

	_, guarded := startSite(t, lessons.Options{Authorize: web.Guard("s3cret", "/classroom/")})
	for _, path := range []string{"/classroom/", "/classroom/table", "/classroom/data.json", "/classroom/?token=wrong"} {
		res, body := get(t, guarded+path, nil)
		if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the token: %d", path, res.StatusCode)
		}
		if strings.Contains(body, `class="class-table"`) || strings.Contains(body, `"rows"`) {
			t.Errorf("%s without the token shows the classroom", path)
		}
	}
	if res, _ := get(t, guarded+"/classroom/data.json", http.Header{"Authorization": {"Bearer s3cret"}}); res.StatusCode != 200 {
		t.Errorf("bearer token: %d", res.StatusCode)
	}
	if res, _ := get(t, guarded+"/classroom/data.json", http.Header{"Authorization": {"Bearer nope"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong bearer token: %d", res.StatusCode)
	}
	// ?token= sets a cookie for /classroom/ and drops the token from the URL.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(guarded + "/classroom/?token=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookies := res.Cookies()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/classroom/" || len(cookies) != 1 || cookies[0].Path != "/classroom/" {
		t.Fatalf("?token=: %d %s %v", res.StatusCode, res.Header.Get("Location"), cookies)
	}
	if res, _ := get(t, guarded+"/classroom/table", http.Header{"Cookie": {cookies[0].Name + "=" + cookies[0].Value}}); res.StatusCode != 200 {
		t.Errorf("table with the cookie: %d", res.StatusCode)
	}
	// The lessons themselves stay open.
	if res, _ := get(t, guarded+"/", nil); res.StatusCode != 200 {
		t.Errorf("home with a guarded classroom: %d", res.StatusCode)
	}
}

// TestClassroomPage: the page in both languages, linked from the top
// bar; a hostile browser id stays text.
func TestClassroomPage(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx := context.Background()
	for _, id := range []string{`<b>x</b>"'&`, `<script>alert(1)</script>`} {
		if _, err := site.Store().Mark(ctx, id, lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}); err != nil {
			t.Fatal(err)
		}
	}
	for lang, words := range map[string][]string{"en": {"Classroom", "Learners: 2 · connected now: 0", "not connected"}, "es": {"Aula", "Estudiantes: 2 · conectados ahora: 0", "sin conexión"}} {
		_, page := get(t, base+"/classroom/?lang="+lang, nil)
		for _, w := range words {
			if !strings.Contains(page, w) {
				t.Errorf("%s: no %q", lang, w)
			}
		}
		if strings.Contains(page, "<b>x</b>") || strings.Contains(page, "<script>alert") {
			t.Errorf("%s: a browser id is not escaped", lang)
		}
		if !strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;") || !strings.Contains(page, "&lt;script") {
			t.Errorf("%s: the hostile labels are not shown as text", lang)
		}
		_, home := get(t, base+"/?lang="+lang, nil)
		if !strings.Contains(home, `class="classroom-link" href="/classroom/"`) {
			t.Errorf("%s: the top bar does not link the classroom", lang)
		}
	}
	_, body := get(t, base+"/classroom/data.json", nil)
	if strings.Contains(body, "<script>") {
		t.Errorf("data.json holds raw markup: %s", body)
	}
}

// TestClassroomInChromium: an instructor's tab on the classroom, a
// learner's tab on a step. The learner shows up connected on the step, a
// task they tick shows up without a reload, and closing their tab shows
// them disconnected, their progress kept.
func TestClassroomInChromium(t *testing.T) {
	b := browsertest.New(t)
	site, base := startSite(t, lessons.Options{})
	room := open(t, b, base+"/classroom/")
	room.wait(`document.querySelector('#classroom .empty')`, "an empty classroom")
	room.eval(`window.notReloaded = true`)
	row := `document.querySelector('#classroom tr.learner')`
	cell := row + `?.querySelector('td[data-lesson="hello"] .count')?.textContent`

	t.Run("learner", func(t *testing.T) {
		learner := open(t, b, base+"/lessons/hello/connect/")
		learner.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
		room.wait(row+`?.dataset.online === "true" && `+row+`.querySelector('.now').textContent.includes(`+strconv.Quote(site.StepTitle("hello/connect")+" · 1 client")+`)`,
			"the learner connected on hello/connect with one client")
		room.wait(cell+` === "1/3"`, "the learner's first task")

		learner.click("add-client")
		learner.waitTask("two")
		room.wait(row+`.querySelector('.now').textContent.includes(`+strconv.Quote(site.StepTitle("hello/connect")+" · 2 clients")+`)`, "the learner's second client")
		room.wait(cell+` === "2/3"`, "the task the learner ticked")
		room.wait(`document.getElementById('classroom-summary').textContent === "Learners: 1 · connected now: 1"`, "the summary")
		learner.waitWebSocket() // so that the server sees the tab close at once
		learner.noConsoleErrors(false)
	}) // the learner's tab closes here

	room.wait(row+` && !`+row+`.dataset.online && `+row+`.querySelector('.now').textContent.includes("not connected")`,
		"the learner disconnected")
	room.wait(`document.getElementById('classroom-summary').textContent === "Learners: 1 · connected now: 0"`, "the summary")
	// (Closing both clients at once may tick "reconnect" too: 3/3.)
	if got := room.string(cell); got != "2/3" && got != "3/3" {
		t.Errorf("progress after leaving: %q", got)
	}
	if got := room.string(row + `.querySelector('.last .step').textContent`); got != site.StepTitle("hello/connect") {
		t.Errorf("last step: %q", got)
	}
	room.wait(`window.notReloaded === true`, "the same classroom page, never reloaded")
	room.noConsoleErrors(false)
}
