package static_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/chromedp"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/static"
)

// TestBrowserClient runs every scenario of testdata/scenarios.js in headless
// Chromium, with our client (socket.io.js) talking to our server
// (internal/fixture, subtest "go") and to the official Node server
// (internal/nodetest, subtest "node"). Both implement the same fixture
// contract, so a scenario that passes against both shows our client behaves
// like the official one against either server. The tabs run in parallel.
//
// To see the client's debug output of a failing scenario, set SIOJS_DEBUG to
// a localStorage.debug selector:
//
//	SIOJS_DEBUG='*' go test -run 'TestBrowserClient/node/restart' ./static/
func TestBrowserClient(t *testing.T) {
	b := browsertest.New(t)
	// Pages load our client from a sio.Server configured to serve it, as the
	// workbook does.
	scripts := sio.NewServer(sio.Config{ClientScript: static.SocketIOJS, ClientModule: static.SocketIOESM})
	t.Cleanup(func() { scripts.Close() })

	t.Run("go", func(t *testing.T) {
		t.Parallel()
		runScenarios(t, b, ourServer(t, scripts))
	})
	t.Run("node", func(t *testing.T) {
		t.Parallel()
		runScenarios(t, b, nodeServer(t, scripts))
	})
	t.Run("wire", func(t *testing.T) {
		t.Parallel()
		testWire(t, b, scripts)
	})
}

// target is a Socket.IO server under test and the origin of the test pages.
type target struct {
	pages  string // origin serving /test/run.html and /socket.io/socket.io.js
	server string // the shared server's URL, given to the pages
	ours   bool
	// fresh starts a server of the scenario's own, and returns its URL and
	// a func that restarts it on the same port.
	fresh func(t *testing.T) (server string, restart func(t *testing.T))
}

// mountPages serves the test pages and our client next to a server.
func mountPages(mux *http.ServeMux, scripts http.Handler) {
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServerFS(os.DirFS("testdata"))))
	mux.Handle("/socket.io/socket.io.js", scripts)
	mux.Handle("/socket.io/socket.io.esm.min.js", scripts)
}

// ourServer serves the pages from the Go fixture itself, so they are
// same-origin with it, plus a second sio.Server under /prefix/sio/ that
// serves the client from its own path (scenario "prefix").
func ourServer(t *testing.T, scripts http.Handler) target {
	prefix := sio.NewServer(sio.Config{Path: "/prefix/sio/", ClientScript: static.SocketIOJS})
	prefix.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(e *sio.Event) { e.Ack(e.Arg(0)) })
	})
	t.Cleanup(func() { prefix.Close() })
	f := fixture.Start(t, func(mux *http.ServeMux, _ *sio.Server) {
		mountPages(mux, scripts)
		mux.Handle("/prefix/sio/", prefix)
	})
	return target{
		pages:  f.URL(),
		server: f.URL(),
		ours:   true,
		fresh: func(t *testing.T) (string, func(t *testing.T)) {
			g := fixture.Start(t, nil)
			return g.URL(), func(t *testing.T) {
				if err := g.Restart(); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// nodeServer serves the pages from a Go server of their own: they reach the
// official server cross-origin (its CORS allows any origin).
func nodeServer(t *testing.T, scripts http.Handler) target {
	f := nodetest.StartFixture(t)
	mux := http.NewServeMux()
	mountPages(mux, scripts)
	pages := httptest.NewServer(mux)
	t.Cleanup(pages.Close)
	return target{
		pages:  pages.URL,
		server: f.URL,
		fresh: func(t *testing.T) (string, func(t *testing.T)) {
			g := nodetest.StartFixture(t)
			return g.URL, func(t *testing.T) { g.Restart(t) }
		},
	}
}

// scenario is one page run. setup, if set, picks the server the page talks
// to and returns drive, which plays the Go side while the page runs (restart
// the server, freeze it). check looks at the page once it has passed.
type scenario struct {
	name  string // in scenarios.js
	label string // tells runs of one name apart
	file  string // the page in testdata; if empty, run.html
	page  string // its parameters besides scenario and server
	ours  bool   // only against our server
	setup func(t *testing.T, tg target) (server string, drive func(t *testing.T, tab *browsertest.Tab))
	check func(t *testing.T, tab *browsertest.Tab)
}

var scenarios = []scenario{
	{name: "upgrade"},
	{name: "polling-only"},
	{name: "websocket-only"},
	{name: "events-acks"},
	{name: "buffering"},
	{name: "binary-polling"},
	{name: "binary-websocket"},
	{name: "namespaces"},
	{name: "invalid-namespace"},
	{name: "middleware"},
	{name: "disconnects"},
	{name: "handshake-options"},
	{name: "handshake-options", label: "cross-origin", setup: otherOrigin},
	{name: "remember-upgrade"},
	{name: "restart", setup: restartServer},
	{name: "ping-timeout", setup: silenceServer},
	{name: "ping-timeout-polling", setup: silenceServer},
	{name: "debug", label: "all", page: "debug=*", check: checkDebugAll},
	{name: "debug", label: "pattern", page: "debug=socket.io-client:*,-socket.io-client:manager engine.io-client:sock*", check: checkDebugPattern},
	{name: "debug", label: "off", check: checkDebugOff},
	{name: "prefix", page: "script=/prefix/sio/socket.io.js", ours: true},
	{name: "meta-path", page: "meta-path=/prefix/sio", ours: true},
	{name: "esm", file: "esm.html"},
	{name: "reconnect-failed", ours: true, setup: deadServer},
}

func runScenarios(t *testing.T, b *browsertest.Browser, tg target) {
	for _, sc := range scenarios {
		if sc.ours && !tg.ours {
			continue
		}
		name := sc.name
		if sc.label != "" {
			name += "/" + sc.label
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runScenario(t, b, tg, sc)
		})
	}
}

func runScenario(t *testing.T, b *browsertest.Browser, tg target, sc scenario) {
	server, drive := tg.server, func(*testing.T, *browsertest.Tab) {}
	if sc.setup != nil {
		server, drive = sc.setup(t, tg)
	}
	query, err := url.ParseQuery(sc.page)
	if err != nil {
		t.Fatal(err)
	}
	query.Set("scenario", sc.name)
	if d := os.Getenv("SIOJS_DEBUG"); d != "" && sc.check == nil {
		query.Set("debug", d) // the client's debug output goes with any failure
	}
	if server != "" {
		query.Set("server", server)
	}
	tab := b.NewTab(t)
	start := time.Now()
	file := sc.file
	if file == "" {
		file = "run.html"
	}
	if err := tab.Navigate(tg.pages + "/test/" + file + "?" + query.Encode()); err != nil {
		t.Fatal(err)
	}
	drive(t, tab)
	if err := tab.WaitFor("window.__result", 30*time.Second); err != nil {
		t.Fatalf("%v\nconsole:\n%s", err, tab.ConsoleText())
	}
	var result string
	if err := tab.Eval("window.__result", &result); err != nil {
		t.Fatal(err)
	}
	if result != "PASS" {
		t.Fatalf("%s\nconsole:\n%s", result, tab.ConsoleText())
	}
	for _, ex := range tab.Exceptions() {
		t.Errorf("uncaught in the page: %s", ex.Text)
	}
	if sc.check != nil {
		sc.check(t, tab)
	}
	t.Logf("passed in %v", time.Since(start).Round(time.Millisecond))
}

// reach waits until the page has reached phase, failing the test if the page
// ends first.
func reach(t *testing.T, tab *browsertest.Tab, phase string) {
	t.Helper()
	reached := `window.__phases?.includes(` + jsString(phase) + `)`
	if err := tab.WaitFor(reached+" || window.__result", 30*time.Second); err != nil {
		t.Fatalf("%v\nconsole:\n%s", err, tab.ConsoleText())
	}
	var ok bool
	if err := tab.Eval("Boolean("+reached+")", &ok); err != nil || !ok {
		var result string
		tab.Eval("window.__result", &result)
		t.Fatalf("the page ended before phase %q: %s\nconsole:\n%s", phase, result, tab.ConsoleText())
	}
}

func jsString(s string) string {
	b, _ := jsonv2.Marshal(s)
	return string(b)
}

// restartServer gives the page a server of its own, restarted once the page
// is connected: the client must notice, reconnect, and report the Manager
// events in order.
func restartServer(t *testing.T, tg target) (string, func(*testing.T, *browsertest.Tab)) {
	server, restart := tg.fresh(t)
	return server, func(t *testing.T, tab *browsertest.Tab) {
		reach(t, tab, "connected")
		restart(t)
	}
}

// silenceServer puts a proxy between the page and the server, and freezes
// it once the page is connected: no more pings, so the client must close
// with "ping timeout" after pingInterval + pingTimeout, and reconnect once
// the proxy thaws.
func silenceServer(t *testing.T, tg target) (string, func(*testing.T, *browsertest.Tab)) {
	p := browsertest.NewProxy(t, tg.server)
	return p.URL, func(t *testing.T, tab *browsertest.Tab) {
		reach(t, tab, "connected")
		p.Freeze()
		if err := tab.Eval(`window.__signal("frozen")`, nil); err != nil {
			t.Fatal(err)
		}
		reach(t, tab, "attempt timed out")
		p.Thaw()
	}
}

// otherOrigin gives the page a server of its own on another port, hence
// cross-origin: polling then needs CORS, with a preflight for extraHeaders.
func otherOrigin(t *testing.T, tg target) (string, func(*testing.T, *browsertest.Tab)) {
	server, _ := tg.fresh(t)
	return server, func(*testing.T, *browsertest.Tab) {}
}

// deadServer gives the page a server URL where nothing listens.
func deadServer(t *testing.T, _ target) (string, func(*testing.T, *browsertest.Tab)) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr, func(*testing.T, *browsertest.Tab) {}
}

// debugLine is one console.debug line of the client's debug output:
// "%c<namespace> %c<message>%c +<diff>", then the CSS arguments.
type debugLine struct {
	namespace, message, diff string
	args                     []string // the string arguments, the format included
}

var debugFormat = regexp.MustCompile(`(?s)^%c(\S+) %c(.*)%c \+(\d+(?:ms|s|m|h|d))$`)

func debugLines(t *testing.T, tab *browsertest.Tab) []debugLine {
	var lines []debugLine
	for _, m := range tab.Console() {
		if m.Type != chromedp.ConsoleDebug || len(m.Args) == 0 {
			continue
		}
		var args []string
		for _, a := range m.Args {
			var s string
			if jsonv2.Unmarshal(a.Value, &s) == nil {
				args = append(args, s)
			} else {
				args = append(args, "<"+string(a.Type)+">")
			}
		}
		match := debugFormat.FindStringSubmatch(args[0])
		if match == nil {
			if strings.Contains(args[0], "io-client") {
				t.Errorf("debug line not in debug's format: %q", args)
			}
			continue
		}
		lines = append(lines, debugLine{namespace: match[1], message: match[2], diff: match[3], args: args})
	}
	return lines
}

// debugColors are the colours debug gives these namespaces in browsers
// (DEBUG-FORMAT.md §1.2).
var debugColors = map[string]string{
	"socket.io-client:manager":   "#CC3300",
	"socket.io-client:socket":    "#FF0000",
	"engine.io-client:socket":    "#FF6633",
	"engine.io-client:polling":   "#33CC99",
	"engine.io-client:websocket": "#33CCFF",
	"socket.io-parser":           "#9933FF",
}

var directive = regexp.MustCompile(`%[a-zA-Z]`)

func namespaces(lines []debugLine) []string {
	var seen []string
	for _, l := range lines {
		if !slices.Contains(seen, l.namespace) {
			seen = append(seen, l.namespace)
		}
	}
	slices.Sort(seen)
	return seen
}

func checkDebugAll(t *testing.T, tab *browsertest.Tab) {
	lines := debugLines(t, tab)
	seen := namespaces(lines)
	for ns := range debugColors {
		if !slices.Contains(seen, ns) {
			t.Errorf("no debug line of %s; got %v", ns, seen)
		}
	}
	first := map[string]bool{}
	connected := false
	for _, l := range lines {
		css := "color: " + debugColors[l.namespace]
		if debugColors[l.namespace] != "" && l.args[1] != css {
			t.Errorf("%s: colour %q, want %q", l.namespace, l.args[1], css)
		}
		if l.args[2] != "color: inherit" {
			t.Errorf("%s: second CSS %q, want color: inherit", l.namespace, l.args[2])
		}
		// The last %c takes its CSS after the message's own arguments.
		last := len(directive.FindAllString(l.args[0], -1))
		if last >= len(l.args) || l.args[last] != l.args[1] {
			t.Errorf("%s: the closing CSS is not argument %d: %q", l.namespace, last, l.args)
		}
		if !first[l.namespace] {
			first[l.namespace] = true
			if l.diff != "0ms" {
				t.Errorf("%s: first line is +%s, want +0ms", l.namespace, l.diff)
			}
		}
		if l.namespace == "socket.io-client:socket" && strings.HasPrefix(l.message, "socket connected with id %s") {
			connected = true
		}
	}
	if !connected {
		t.Errorf("no socket.io-client:socket line \"socket connected with id %%s\"")
	}
}

func checkDebugPattern(t *testing.T, tab *browsertest.Tab) {
	seen := namespaces(debugLines(t, tab))
	for _, ns := range []string{"socket.io-client:socket", "engine.io-client:socket"} {
		if !slices.Contains(seen, ns) {
			t.Errorf("selected namespace %s printed nothing; got %v", ns, seen)
		}
	}
	for _, ns := range seen {
		if ns != "socket.io-client:socket" && ns != "socket.io-client:url" && ns != "engine.io-client:socket" {
			t.Errorf("namespace %s printed, but the selector leaves it out", ns)
		}
	}
}

func checkDebugOff(t *testing.T, tab *browsertest.Tab) {
	if lines := debugLines(t, tab); len(lines) != 0 {
		t.Errorf("without localStorage.debug the client printed %d debug lines, e.g. %q", len(lines), lines[0].args[0])
	}
}
