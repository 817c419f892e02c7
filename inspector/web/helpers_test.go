package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/static"
)

// lessonPath is the path of the lesson server every env runs beside the
// main one, as the workbook runs one per lesson step.
const lessonPath = "/lessons/demo/one/socket.io/"

// env is a workbook in small: an app server and a lesson server recorded
// into a real SQLite file, and the inspector's pages, all on one
// httptest.Server. Pages at /test/panel embed the Panel.
type env struct {
	t      testing.TB
	db     *inspector.DB
	rec    *inspector.Recorder
	app    *sio.Server // at /socket.io/
	lesson *sio.Server // at lessonPath
	web    *web.Handler
	srv    *httptest.Server
	URL    string
}

func newEnv(t testing.TB, opts web.Options) *env {
	t.Helper()
	db, err := inspector.Open(filepath.Join(t.TempDir(), "workbook.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{FlushInterval: 10 * time.Millisecond})
	e := &env{t: t, db: db, rec: rec}
	handlers := func(s *sio.Socket) {
		s.On("echo", func(ev *sio.Event) { ev.Ack(ev.Args()...) })
		s.On("shout", func(ev *sio.Event) {
			s.Emit(ev.String(0), ev.Args()[1:]...)
			ev.Ack()
		})
	}
	e.app = sio.NewServer(sio.Config{Observer: rec.Observer(), ClientScript: static.SocketIOJS})
	e.app.OnConnection(handlers)
	e.lesson = sio.NewServer(sio.Config{Path: lessonPath, Observer: rec.Observer(), ClientScript: static.SocketIOJS})
	e.lesson.OnConnection(handlers)
	e.web = web.New(db, rec, opts)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", e.app)
	mux.Handle(lessonPath, e.lesson)
	mux.Handle("/inspector/", e.web)
	mux.HandleFunc("/test/panel", panelPage)
	e.srv = httptest.NewServer(mux)
	e.URL = e.srv.URL
	t.Cleanup(func() {
		e.app.Close()
		e.lesson.Close()
		e.web.Close()
		e.srv.CloseClientConnections()
		e.srv.Close()
		if err := rec.Close(); err != nil {
			t.Error(err)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

// connect opens a client of the app server (or of path's server) as the
// browser whose wb_client cookie is clientID ("" for none), and returns it
// with its Engine.IO session id.
func (e *env) connect(path, clientID string, opts client.Options) (*client.Socket, string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts.Path = path
	opts.ForceNew = true
	opts.NoReconnection = true
	if clientID != "" {
		opts.Header = http.Header{"Cookie": {"wb_client=" + clientID}}
	}
	if opts.Transports == nil {
		opts.Transports = []string{"websocket"} // no upgrade dance: fewer packets to wait for
	}
	s, err := client.Connect(ctx, e.URL, opts)
	if err != nil {
		e.t.Fatalf("connect %s: %v", path, err)
	}
	e.t.Cleanup(s.Disconnect)
	return s, s.Manager().Engine().ID()
}

// echo emits an event with an ack and waits for it, so that both packets
// have gone over the wire.
func (e *env) echo(s *client.Socket, event string, args ...any) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if event == "" {
		event = "echo"
	}
	if _, err := s.EmitWithAck(ctx, event, args...); err != nil {
		e.t.Fatalf("emit %s: %v", event, err)
	}
}

// flush waits until the recorder has committed everything so far.
func (e *env) flush() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.rec.Flush(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// get fetches a page and returns its status and body, without following
// redirects.
func (e *env) get(c *http.Client, path string) (*http.Response, string) {
	e.t.Helper()
	if c == nil {
		c = noRedirects(nil)
	}
	res, err := c.Get(e.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, string(b)
}

func noRedirects(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func newJar(t testing.TB) http.CookieJar {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// panelPage is a lesson page in small: it runs the lesson's own client
// (loaded from the lesson server, connected with io() and no options), and
// embeds the Panel for this browser and the lesson's servers. Its buttons
// are driven by the browser test.
func panelPage(w http.ResponseWriter, r *http.Request) {
	id := web.ClientCookie(w, r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>lesson</title><link rel="icon" href="data:,">
<script src="`+lessonPath+`socket.io.js"></script></head><body>
<h1>A lesson step</h1>
<script>
  // The lesson's own client, as a lesson's client.html writes it.
  window.lessonSocket = io();
  window.lessonSocket.on("connect", () => { window.lessonConnected = true; });
</script>
`)
	web.Panel(web.PanelProps{Client: id, PathPrefix: "/lessons/demo/", Title: "Your packets"}).Render(r.Context(), w)
	io.WriteString(w, `</body></html>`)
}

// parse parses a page.
func parse(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find returns the elements under n for which match is true, in document
// order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// byAttr matches elements with attribute name equal to value.
func byAttr(name, value string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, a := range n.Attr {
			if a.Key == name && a.Val == value {
				return true
			}
		}
		return false
	}
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, class) }
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// text is the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// cells returns the texts of a table row's cells.
func cells(tr *html.Node) []string {
	var out []string
	for _, td := range find(tr, byTag("td")) {
		out = append(out, strings.TrimSpace(text(td)))
	}
	return out
}

// waitFor polls cond every 10 ms for up to 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitUpgraded waits until a client's connection has moved to WebSocket.
func waitUpgraded(t testing.TB, s *client.Socket) {
	t.Helper()
	waitFor(t, "the upgrade to websocket", func() bool { return s.Manager().Engine().Transport() == "websocket" })
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
