package lessons_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestEveryPageInEveryLanguage renders every page in every language and
// checks that nothing is missing: the page is in the language asked for,
// every heading, paragraph, list item, link and button has text, no text
// of the other language shows up, and no formatting placeholder is left.
func TestEveryPageInEveryLanguage(t *testing.T) {
	site, base := startSite(t, lessons.Options{InspectorURL: "/inspector/"})
	pages := append(site.PagePaths(), "/no/such/page")
	for _, path := range pages {
		bodies := map[lessons.Lang]string{}
		for _, l := range lessons.Langs {
			res, body := get(t, base+path+"?lang="+string(l), nil)
			want := http.StatusOK
			if path == "/no/such/page" {
				want = http.StatusNotFound
			}
			if res.StatusCode != want {
				t.Errorf("%s in %s: %s", path, l, res.Status)
				continue
			}
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s in %s: %v", path, l, err)
			}
			checkPage(t, path, l, doc)
			if !strings.Contains(body, `<a class="inspector-link" href="/inspector/"`) {
				t.Errorf("%s in %s: no link to the inspector", path, l)
			}
			bodies[l] = mainText(doc)
		}
		if bodies[lessons.EN] == bodies[lessons.ES] {
			t.Errorf("%s reads the same in English and Spanish", path)
		}
	}
}

// mustHaveText are the elements that may not be empty.
var mustHaveText = map[string]bool{
	"title": true, "h1": true, "h2": true, "h3": true, "p": true, "li": true, "a": true,
	"button": true, "summary": true, "th": true, "td": true, "dt": true, "dd": true, "code": true,
}

func checkPage(t *testing.T, path string, l lessons.Lang, doc *html.Node) {
	t.Helper()
	other := map[string]string{} // text of the other languages -> field
	for _, ol := range lessons.Langs {
		if ol == l {
			continue
		}
		mine := lessons.UIText(l)
		for name, text := range lessons.UIText(ol) {
			if text != mine[name] && len(text) > 3 {
				other[text] = name
			}
		}
	}
	// inCode: n is inside a code listing (<pre>), whose identifiers
	// (say.connected) are the program's, not words of the page.
	var walk func(n *html.Node, inCode bool)
	walk = func(n *html.Node, inCode bool) {
		if n.Type == html.ElementNode {
			inCode = inCode || n.Data == "pre"
			if n.Data == "html" && attr(n, "lang") != string(l) {
				t.Errorf("%s in %s: <html lang=%q>", path, l, attr(n, "lang"))
			}
			if mustHaveText[n.Data] && strings.TrimSpace(textOf(n)) == "" && attr(n, "aria-label") == "" {
				t.Errorf("%s in %s: empty <%s class=%q>", path, l, n.Data, attr(n, "class"))
			}
			if n.Data == "script" || n.Data == "style" {
				return
			}
		}
		if n.Type == html.TextNode {
			text := strings.TrimSpace(n.Data)
			if field, ok := other[text]; ok && !inCode {
				t.Errorf("%s in %s: %q is the other language's ui.%s", path, l, text, field)
			}
			for _, leak := range []string{"%!", "%d", "%s", "task.", "<no value>", "TODO"} {
				if strings.Contains(text, leak) {
					t.Errorf("%s in %s: text %q holds %q", path, l, text, leak)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inCode)
		}
	}
	walk(doc, false)
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

func mainText(doc *html.Node) string {
	var main *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "main" {
			main = n
		}
		for c := n.FirstChild; c != nil && main == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if main == nil {
		return ""
	}
	return textOf(main)
}

// TestLanguageChoice checks how a page picks its language: ?lang= wins
// and is remembered in a cookie, then the cookie, then Accept-Language.
func TestLanguageChoice(t *testing.T) {
	_, base := startSite(t, lessons.Options{})
	lang := func(res *http.Response, body string) string {
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return attr(doc.FirstChild.NextSibling, "lang")
	}
	res, body := get(t, base+"/?lang=es", nil)
	if got := lang(res, body); got != "es" {
		t.Errorf("?lang=es gives %q", got)
	}
	var remembered *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == lessons.LangCookie {
			remembered = c
		}
	}
	if remembered == nil || remembered.Value != "es" {
		t.Fatalf("?lang=es is not remembered: %v", res.Cookies())
	}
	if got := lang(get(t, base+"/lessons/hello/", http.Header{"Cookie": {remembered.String()}})); got != "es" {
		t.Errorf("with the cookie: %q", got)
	}
	if got := lang(get(t, base+"/", http.Header{"Accept-Language": {"es-AR,es;q=0.9"}})); got != "es" {
		t.Errorf("Accept-Language es-AR: %q", got)
	}
	if got := lang(get(t, base+"/", http.Header{"Accept-Language": {"es"}, "Cookie": {"wb_lang=en"}})); got != "en" {
		t.Errorf("cookie en beats Accept-Language es: %q", got)
	}
	if got := lang(get(t, base+"/", nil)); got != "en" {
		t.Errorf("default: %q", got)
	}
}

// TestServedFiles checks the assets, the pane document and the client
// script where tutorial code loads it.
func TestServedFiles(t *testing.T) {
	_, base := startSite(t, lessons.Options{})
	for path, typ := range map[string]string{
		"/assets/site.css":        "text/css",
		"/assets/chroma.css":      "text/css",
		"/assets/site.js":         "text/javascript",
		"/assets/step.js":         "text/javascript",
		"/assets/pane.js":         "text/javascript",
		"/assets/favicon.svg":     "image/svg+xml",
		"/favicon.ico":            "image/svg+xml",
		"/socket.io/socket.io.js": "application/javascript",
		"/lessons/hello/connect/socket.io/socket.io.js": "application/javascript",
		"/lessons/hello/connect/pane":                   "text/html",
	} {
		res, body := get(t, base+path, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), typ) || body == "" {
			t.Errorf("%s: %s, %s, %d bytes", path, res.Status, res.Header.Get("Content-Type"), len(body))
		}
	}
	_, pane := get(t, base+"/lessons/events/message/pane", nil)
	for _, want := range []string{
		`<meta name="socket.io-path" content="/lessons/events/message/socket.io">`,
		`<script src="/assets/pane.js"></script>`,
		`socket.on(\"message\"`, // client.html, as JSON
	} {
		if !strings.Contains(pane, want) {
			t.Errorf("the pane document lacks %s:\n%s", want, pane)
		}
	}
	res, _ := get(t, base+"/lessons/hello/connect", nil)
	if res.Request.URL.Path != "/lessons/hello/connect/" {
		t.Errorf("no redirect to the slash: %s", res.Request.URL)
	}
}

// TestLiveFeed connects Go clients to a step, as a browser's panes would
// (with its cookie), and follows the step page's live feed: the server's
// log lines, the tasks as they tick, the progress. It then checks that
// the pages show what was done.
func TestLiveFeed(t *testing.T) {
	site, base := startSite(t, lessons.Options{DB: mustOpenDB(t)})
	const browser = "live-feed-test"
	events := follow(t, base+"/lessons/hello/connect/live", browser)
	events.wait(t, "the first progress", func(e sse) bool { return e.Event == "progress" })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := func() *client.Socket {
		s, err := client.Connect(ctx, base, client.Options{
			Path:           "/lessons/hello/connect/socket.io/",
			Header:         cookie(browser),
			ForceNew:       true,
			NoReconnection: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	task := func(id string) func(sse) bool {
		return func(e sse) bool {
			var v struct{ Task string }
			if e.Event == "task" {
				e.decode(t, &v)
			}
			return v.Task == id
		}
	}

	first := dial()
	events.wait(t, `log "A user connected"`, func(e sse) bool {
		var line struct{ Text string }
		if e.Event == "log" {
			e.decode(t, &line)
		}
		return line.Text == "A user connected"
	})
	events.wait(t, "task connect", task("connect"))
	events.wait(t, "progress 1 of 10 or more", func(e sse) bool {
		var p struct{ Done, Total int }
		if e.Event == "progress" {
			e.decode(t, &p)
		}
		return p.Done == 1 && p.Total >= 10
	})
	second := dial()
	events.wait(t, "task two", task("two"))
	second.Disconnect() // as a reload does: the old connection goes...
	waitLog(t, site, "hello", "connect", "A user disconnected")
	third := dial() // ...and a new one comes
	events.wait(t, "task reconnect", task("reconnect"))
	first.Disconnect()
	third.Disconnect()
	waitLog(t, site, "hello", "connect", "A user connected", "A user connected", "A user disconnected",
		"A user connected", "A user disconnected", "A user disconnected")

	// The pages show it: ticked tasks, the step complete in the contents.
	_, page := get(t, base+"/lessons/hello/connect/", cookie(browser))
	for _, id := range []string{"connect", "two", "reconnect"} {
		if !contains(page, `data-task="`+id+`" class="done"`) {
			t.Errorf("task %s is not shown done", id)
		}
	}
	_, home := get(t, base+"/", cookie(browser))
	if !contains(home, `<li class="complete" data-step="/lessons/hello/connect/">`) {
		t.Errorf("the contents do not show hello/connect complete")
	}
	if !contains(home, "3 of ") {
		t.Errorf("the progress bar does not say 3 tasks")
	}

	// Another browser has done nothing.
	_, fresh := get(t, base+"/lessons/hello/connect/", cookie("someone-else"))
	if contains(fresh, `class="done"`) {
		t.Errorf("another browser sees tasks done")
	}
}

// TestLogBacklog checks that a page opened later gets the log so far.
func TestLogBacklog(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, base, client.Options{Path: "/lessons/events/client-event/socket.io/", ForceNew: true, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Emit("clientEvent", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	waitLog(t, site, "events", "client-event", `{"n":1}`)
	s.Disconnect()
	events := follow(t, base+"/lessons/events/client-event/live?log=all", "backlog-test") // the client sent no cookie: no one's own line
	ev := events.wait(t, "the backlog", func(e sse) bool { return e.Event == "log" })
	var line struct {
		At   time.Time
		Text string
	}
	if err := json.Unmarshal([]byte(ev.Data), &line); err != nil || line.Text != `{"n":1}` || line.At.IsZero() {
		t.Errorf("backlog line %s (%v)", ev.Data, err)
	}
}
