package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestSessionsPage lists sessions of two servers with the fields the list
// promises: lesson, address, transport, state and packet count.
func TestSessionsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	app, appSID := e.connect("/socket.io/", "", client.Options{Transports: []string{"polling", "websocket"}})
	e.echo(app, "", "hello")
	waitUpgraded(t, app)
	e.echo(app, "", "after upgrade")
	lesson, lessonSID := e.connect(lessonPath, "browser-1", client.Options{})
	e.echo(lesson, "", "hi")
	lesson.Disconnect()
	e.flush()
	waitFor(t, "the lesson session closed", func() bool {
		e.flush()
		s, err := e.db.Session(t.Context(), lessonSID)
		return err == nil && !s.EndedAt.IsZero()
	})

	res, body := e.get(nil, "/inspector/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, body)
	row := func(sid string) []string {
		t.Helper()
		trs := find(doc, byAttr("data-sid", sid))
		if len(trs) != 1 {
			t.Fatalf("%d rows for session %s in\n%s", len(trs), sid, body)
		}
		return cells(trs[0])
	}
	// session, lesson, path, address, transport, state, started, packets
	a := row(appSID)
	if a[0] != appSID || a[1] != "—" || a[2] != "/socket.io/" || a[3] != "127.0.0.1" ||
		a[4] != "polling → websocket" || a[5] != "open" || a[6] == "" {
		t.Errorf("app row: %q", a)
	}
	if n, _ := strconv.Atoi(a[7]); n < 6 { // open, CONNECT x2, 2 events, 2 acks, probe...
		t.Errorf("app row counts %q packets", a[7])
	}
	l := row(lessonSID)
	if l[1] != "demo/one" || l[2] != lessonPath || l[4] != "websocket" || !strings.HasPrefix(l[5], "closed: ") {
		t.Errorf("lesson row: %q", l)
	}
	// Each session links to its page.
	if links := find(doc, byAttr("href", "/inspector/sessions/"+appSID)); len(links) == 0 {
		t.Error("no link to the app session's page")
	}
	// The stats line.
	stats := strings.Join(strings.Fields(text(find(doc, byAttr("id", "wbi-stats"))[0])), " ")
	if !regexp.MustCompile(`^2 sessions · \d+ packets · 0 dropped$`).MatchString(stats) {
		t.Errorf("stats line %q", stats)
	}

	// A filter by path keeps the lesson's sessions.
	_, body = e.get(nil, "/inspector/?path=/lessons/")
	doc = parse(t, body)
	if len(find(doc, byAttr("data-sid", appSID))) != 0 || len(find(doc, byAttr("data-sid", lessonSID))) != 1 {
		t.Error("the path filter did not keep only the lesson's session")
	}
}

// TestSessionPage shows one session: its header, its packet table (decoded
// and raw, binary as hex) and its trace in debug colours.
func TestSessionPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	s, sid := e.connect("/socket.io/", "", client.Options{Transports: []string{"polling", "websocket"}})
	waitUpgraded(t, s)
	e.echo(s, "echo", "text", []byte{0xde, 0xad, 0xbe, 0xef}, map[string]any{"n": 1})
	s.Disconnect()
	waitFor(t, "the session closed", func() bool {
		e.flush()
		got, err := e.db.Session(t.Context(), sid)
		return err == nil && !got.EndedAt.IsZero()
	})

	// With the heartbeats, so that the table has every packet.
	res, body := e.get(nil, "/inspector/sessions/"+sid+"?hb=1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, body)
	fact := func(name string) string {
		t.Helper()
		for _, dt := range find(doc, byTag("dt")) {
			if text(dt) == name {
				for dd := dt.NextSibling; dd != nil; dd = dd.NextSibling {
					if dd.Type == html.ElementNode {
						return strings.TrimSpace(text(dd))
					}
				}
			}
		}
		t.Fatalf("no fact %q", name)
		return ""
	}
	if got := fact("path"); got != "/socket.io/" {
		t.Errorf("path %q", got)
	}
	if got := fact("address"); got != "127.0.0.1" {
		t.Errorf("address %q", got)
	}
	if got := fact("user agent"); got == "" {
		t.Error("no user agent")
	}
	if got := fact("transport"); !regexp.MustCompile(`^polling → websocket at \+\d+(ms|s)$`).MatchString(got) {
		t.Errorf("transport %q", got)
	}
	if got := fact("state"); got != "closed" {
		t.Errorf("state %q", got)
	}
	if got := fact("close reason"); got == "" {
		t.Error("no close reason")
	}
	if got := fact("started"); got == "" {
		t.Error("no start time")
	}
	if got := fact("ended"); !strings.Contains(got, "(+") {
		t.Errorf("ended %q", got)
	}
	rows := find(doc, byClass("wbi-pkt"))
	if got := fact("packets"); got != strconv.Itoa(len(rows)) {
		t.Errorf("packets fact %q, table has %d rows", got, len(rows))
	}

	// time, +, dir, transport, eio, sio, nsp, event, ack, args, raw, size
	var event, ack, attachment []string
	for _, tr := range rows {
		c := cells(tr)
		switch {
		case c[5] == "BINARY_EVENT" && c[7] == "echo":
			event = c
		case c[5] == "BINARY_ACK":
			ack = c
		case c[5] == "" && c[2] == "→" && strings.Contains(c[10], "de ad be ef"):
			attachment = c
		}
	}
	if event == nil || ack == nil || attachment == nil {
		t.Fatalf("missing rows: event %q, ack %q, attachment %q in\n%s", event, ack, attachment, body)
	}
	if event[2] != "→" || event[3] != "websocket" || event[4] != "message" || event[6] != "/" || !strings.HasPrefix(event[8], "0 · ") ||
		!strings.Contains(event[9], `"text"`) || event[9] != `["text",<binary #0>,{"n":1}]` ||
		!strings.HasPrefix(event[10], `451-0["echo","text"`) || event[11] != strconv.Itoa(len(event[10])) {
		t.Errorf("event row %q", event)
	}
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3}$`).MatchString(event[0]) || !strings.HasPrefix(event[1], "+") {
		t.Errorf("event row times %q %q", event[0], event[1])
	}
	if ack[2] != "←" || ack[8] != event[8] {
		t.Errorf("ack row %q", ack)
	}
	if attachment[9] != "de ad be ef" || attachment[11] != "4" {
		t.Errorf("attachment row %q", attachment)
	}

	// The trace: packets and debug lines, each namespace in debug's colour,
	// with its "+Nms".
	debugLines := find(doc, byClass("wbi-line-debug"))
	if len(debugLines) == 0 {
		t.Fatal("no debug lines in the trace")
	}
	namespaces := map[string]bool{}
	for _, li := range debugLines {
		ns := attr(li, "data-ns")
		namespaces[ns] = true
		spans := find(li, byClass("wbi-ns"))
		if len(spans) != 1 || text(spans[0]) != ns || attr(spans[0], "style") != "color:"+debugfmt.ReadableCSS(ns)+";" &&
			attr(spans[0], "style") != "color:"+debugfmt.ReadableCSS(ns) {
			t.Errorf("namespace span of %s: %q", ns, attr(spans[0], "style"))
		}
		if d := find(li, byClass("wbi-diff")); len(d) != 1 || !regexp.MustCompile(`^\+\d+(ms|s|m|h|d)$`).MatchString(text(d[0])) {
			t.Errorf("no +Nms on a %s line", ns)
		}
		if attr(li, "hidden") != "" || hasAttr(li, "hidden") {
			t.Errorf("a %s line is hidden with DEBUG=*", ns)
		}
	}
	for _, ns := range []string{"engine", "engine:socket", "socket.io:socket"} {
		if !namespaces[ns] {
			t.Errorf("no %s line in the trace (have %v)", ns, namespaces)
		}
	}
	if n := len(find(doc, byClass("wbi-line-pkt"))); n != len(rows) {
		t.Errorf("%d packets in the trace, %d in the table", n, len(rows))
	}

	// ?debug= starts the trace with a pattern: lines it does not enable are
	// hidden, as the Go selector says.
	_, body = e.get(nil, "/inspector/sessions/"+sid+"?debug=engine*,-engine:ws")
	sel := debugfmt.ParseSelector("engine*,-engine:ws")
	for _, li := range find(parse(t, body), byClass("wbi-line-debug")) {
		ns := attr(li, "data-ns")
		if hasAttr(li, "hidden") == sel.Enabled(ns) {
			t.Errorf("%s: hidden=%v with DEBUG=engine*,-engine:ws", ns, hasAttr(li, "hidden"))
		}
	}

	// An unknown session is a 404 page.
	res, body = e.get(nil, "/inspector/sessions/nope")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "No session has the id") {
		t.Errorf("unknown session: %d\n%s", res.StatusCode, body)
	}
}

// TestTailPage starts with the latest packets of every session.
func TestTailPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	a, sidA := e.connect("/socket.io/", "", client.Options{})
	b, sidB := e.connect(lessonPath, "", client.Options{})
	e.echo(a, "", "from a")
	e.echo(b, "", "from b")
	e.flush()
	res, body := e.get(nil, "/inspector/tail")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := parse(t, body)
	trace := find(doc, byAttr("id", "wbi-trace"))
	if len(trace) != 1 {
		t.Fatal("no trace")
	}
	txt := text(trace[0])
	for _, want := range []string{`420["echo","from a"]`, `420["echo","from b"]`} {
		if !strings.Contains(txt, want) {
			t.Errorf("tail lacks %s", want)
		}
	}
	for _, sid := range []string{sidA, sidB} {
		if len(find(trace[0], byAttr("href", "/inspector/sessions/"+sid))) == 0 {
			t.Errorf("tail lacks a link to %s", sid)
		}
	}
	if len(find(doc, byAttr("id", "wbi-pause"))) != 1 {
		t.Error("no pause button")
	}
}

// TestHostileContent: event names, arguments, user agents and paths are
// shown as text, never as markup, on every page.
func TestHostileContent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	const (
		evil = `<script>alert("event")</script>`
		arg  = `"><img src=x onerror=alert(1)>`
		ua   = `</dd><script>alert("ua")</script>`
	)
	s, sid := e.connect("/socket.io/", "", client.Options{Header: map[string][]string{"User-Agent": {ua}}})
	e.echo(s, "shout", evil, arg) // the server emits event evil back, with arg
	s.Emit(evil, arg)
	e.echo(s, "", "after") // the server has read the event above
	e.flush()
	for _, path := range []string{"/inspector/", "/inspector/sessions/" + sid, "/inspector/tail"} {
		_, body := e.get(nil, path)
		for _, bad := range []string{"<script>alert", "<img src=x", "</dd><script>"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %s unescaped", path, bad)
			}
		}
		if path == "/inspector/tail" || path == "/inspector/" {
			continue
		}
		doc := parse(t, body)
		// The markup is there as text.
		var sawEvent, sawArg bool
		for _, tr := range find(doc, byClass("wbi-pkt")) {
			c := cells(tr)
			sawEvent = sawEvent || c[7] == evil
			sawArg = sawArg || strings.Contains(c[9], `\"><img src=x onerror=alert(1)>`)
		}
		if !sawEvent || !sawArg {
			t.Errorf("%s: the hostile event (%v) or argument (%v) is not shown as text", path, sawEvent, sawArg)
		}
		if !strings.Contains(text(doc), ua) {
			t.Errorf("%s: the user agent is not shown as text", path)
		}
		if n := len(find(doc, byTag("script"))); n != 5 { // config, words, socket.io.js, common.js, session.js
			t.Errorf("%s has %d scripts", path, n)
		}
	}
}

// TestNoRecorder: with recording off (--no-record) the pages still answer
// from the file, and say so.
func TestNoRecorder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	s, sid := e.connect("/socket.io/", "", client.Options{})
	e.echo(s, "", 1)
	e.flush()
	h := web.New(e.db, nil, web.Options{})
	defer h.Close()
	for _, path := range []string{"/inspector/", "/inspector/tail", "/inspector/sessions/" + sid} {
		req, _ := http.NewRequest("GET", "http://x"+path, nil)
		w := newRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "recording is off") {
			t.Errorf("%s: %d, says recording is off: %v", path, w.Code, strings.Contains(w.Body.String(), "recording is off"))
		}
	}
}

// TestStripPrefix: the handler answers the same when mounted behind
// http.StripPrefix.
func TestStripPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	h := http.StripPrefix("/inspector", e.web)
	for path, want := range map[string]int{
		"/inspector/":                       200,
		"/inspector/tail":                   200,
		"/inspector/static/common.js":       200,
		"/inspector/static/":                404,
		"/inspector/nothing":                404,
		"/inspector/socket.io/socket.io.js": 200,
	} {
		req, _ := http.NewRequest("GET", "http://x"+path, nil)
		w := newRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}
