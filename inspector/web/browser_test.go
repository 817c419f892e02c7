package web_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/sio/client"
)

const wait = 30 * time.Second // generous: a busy CI machine runs Chromium under load

// TestBrowser loads the pages in headless Chromium and drives traffic with
// Go clients: live rows, live packets, the DEBUG box, the tail's pause, and
// the Panel inside a lesson page. No page may log an error.
func TestBrowser(t *testing.T) {
	b := browsertest.New(t)

	t.Run("sessions", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{})
		tab := open(t, b, e.URL+"/inspector/")
		before := evalInt(t, tab, `document.querySelector('[data-stat="sessions"] b').textContent`)

		s, sid := e.connect("/socket.io/", "", client.Options{})
		row := fmt.Sprintf(`document.querySelector('tr[data-sid=%q]')`, sid)
		must(t, tab, row, "a row for the new session")
		e.echo(s, "", "one")
		e.echo(s, "", "two")
		must(t, tab, row+`.querySelector(".wbi-count").textContent >= 5`, "its packet count going up")
		must(t, tab, fmt.Sprintf(`document.querySelector('[data-stat="sessions"] b').textContent == "%d"`, before+1), "the stats line counting it")
		if got := evalString(t, tab, row+`.querySelector(".wbi-transport").textContent`); got != "websocket" {
			t.Errorf("transport %q", got)
		}
		s.Disconnect()
		must(t, tab, row+`.querySelector(".wbi-state").textContent.startsWith("closed: ")`, "its state turning closed")
		noErrors(t, tab)
	})

	t.Run("session", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{})
		s, sid := e.connect("/socket.io/", "", client.Options{Transports: []string{"polling", "websocket"}})
		waitUpgraded(t, s)
		e.echo(s, "", "rendered")
		e.flush()
		tab := open(t, b, e.URL+"/inspector/sessions/"+sid)
		rendered := evalInt(t, tab, `document.querySelectorAll("#wbi-packets tr").length`)

		e.echo(s, "", "live one", []byte{1, 2, 3})
		must(t, tab, `[...document.querySelectorAll("#wbi-packets tr .wbi-event")].some(td => td.textContent === "echo" && td.closest("tr").textContent.includes("live one"))`, "the live packet in the table")
		must(t, tab, `[...document.querySelectorAll("#wbi-packets .wbi-hex")].some(c => c.textContent === "01 02 03")`, "the live attachment as hex")
		must(t, tab, `[...document.querySelectorAll("#wbi-trace li.wbi-line-pkt")].some(li => li.textContent.includes("live one"))`, "the live packet in the trace")
		// No packet twice, though the backlog overlaps what was rendered.
		ids := evalString(t, tab, `JSON.stringify([...document.querySelectorAll("#wbi-packets tr")].map(tr => tr.dataset.id))`)
		var list []string
		json.Unmarshal([]byte(ids), &list)
		dup := map[string]bool{}
		for _, id := range list {
			if dup[id] {
				t.Errorf("packet %s twice in the table", id)
			}
			dup[id] = true
		}
		if len(list) <= rendered {
			t.Errorf("%d rows after live packets, %d rendered", len(list), rendered)
		}

		// The DEBUG box filters the trace's debug lines.
		for _, pattern := range []string{"socket.io:*", "*,-engine*", "engine:socket engine:ws", ""} {
			tab.Eval(fmt.Sprintf(`(() => { const i = document.getElementById("wbi-debug"); i.value = %q; i.dispatchEvent(new Event("input")); })()`, pattern), nil)
			var shown map[string]bool
			raw := evalString(t, tab, `JSON.stringify([...document.querySelectorAll("#wbi-trace li.wbi-line-debug")].map(li => [li.dataset.ns, !li.hidden]))`)
			var pairs [][2]any
			json.Unmarshal([]byte(raw), &pairs)
			sel := debugfmt.ParseSelector(pattern)
			shown = map[string]bool{}
			for _, p := range pairs {
				ns, visible := p[0].(string), p[1].(bool)
				if visible != sel.Enabled(ns) {
					t.Errorf("DEBUG=%q: %s shown %v", pattern, ns, visible)
				}
				if visible {
					shown[ns] = true
				}
			}
			if pattern == "socket.io:*" && len(shown) == 0 {
				t.Errorf("DEBUG=%q shows nothing of %d lines", pattern, len(pairs))
			}
		}
		// The script's selector is the Go one, on harder cases too.
		checkSelector(t, tab)

		// The raw switch.
		tab.Eval(`document.getElementById("wbi-raw").click()`, nil)
		if !evalBool(t, tab, `getComputedStyle(document.querySelector("#wbi-packets td.wbi-raw")).display === "table-cell"`) {
			t.Error("the raw switch does not show the raw column")
		}
		// The packets switch of the trace.
		const pktLine = `getComputedStyle(document.querySelector("#wbi-trace .wbi-line-pkt")).display`
		if !evalBool(t, tab, pktLine+` !== "none"`) {
			t.Error("packet lines hidden in the trace before the switch")
		}
		tab.Eval(`document.getElementById("wbi-trace-packets").click()`, nil)
		if !evalBool(t, tab, pktLine+` === "none"`) {
			t.Error("the packets switch does not hide the packet lines of the trace")
		}
		noErrors(t, tab)
	})

	t.Run("tail", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{})
		tab := open(t, b, e.URL+"/inspector/tail")
		s, _ := e.connect(lessonPath, "", client.Options{})
		e.echo(s, "", "tail one")
		has := func(s string) string {
			return fmt.Sprintf(`[...document.querySelectorAll("#wbi-trace li")].some(li => li.textContent.includes(%q))`, s)
		}
		must(t, tab, has("tail one"), "a live line")
		must(t, tab, `document.querySelector("#wbi-trace li.wbi-line-debug")`, "debug lines")

		tab.Eval(`document.getElementById("wbi-pause").click()`, nil)
		e.echo(s, "", "while paused")
		must(t, tab, `/^\d+ new$/.test(document.getElementById("wbi-held").textContent)`, "the held count")
		if evalBool(t, tab, has("while paused")) {
			t.Error("a line was shown while paused")
		}
		tab.Eval(`document.getElementById("wbi-pause").click()`, nil)
		must(t, tab, has("while paused"), "the held lines after resume")
		noErrors(t, tab)
	})

	t.Run("panel", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{Token: "s3cret"}) // the panel needs no token
		tab := open(t, b, e.URL+"/test/panel")
		must(t, tab, `window.lessonConnected`, "the lesson's own client connected")
		must(t, tab, `document.querySelector(".wbi-panel .wbi-live").dataset.state === "live"`, "the panel live")
		if got := evalString(t, tab, `window.lessonSocket.io.opts.path`); !strings.HasPrefix(got, strings.TrimSuffix(lessonPath, "/")) {
			t.Errorf("the lesson's client uses path %q", got)
		}
		has := func(s string) string {
			return fmt.Sprintf(`[...document.querySelectorAll(".wbi-panel li")].some(li => li.textContent.includes(%q))`, s)
		}

		tab.Eval(`window.lessonSocket.emit("echo", "from the page", () => { window.acked = true; })`, nil)
		must(t, tab, has("from the page"), "the page's own packet in the panel")

		// Another browser on the same lesson, and this browser on another
		// server: neither belongs in the panel.
		other, _ := e.connect(lessonPath, "someone-else", client.Options{})
		e.echo(other, "", "someone else")
		tab.Eval(`(() => { const s = io("/", { path: "/socket.io", forceNew: true }); s.emit("echo", "elsewhere", () => { window.elsewhere = true; }); })()`, nil)
		must(t, tab, `window.elsewhere`, "the page's packet to the other server acknowledged")
		e.flush()
		tab.Eval(`window.lessonSocket.emit("echo", "second", () => {})`, nil)
		must(t, tab, has("second"), "the page's second packet in the panel")
		for _, s := range []string{"someone else", "elsewhere"} {
			if evalBool(t, tab, has(s)) {
				t.Errorf("the panel shows %q", s)
			}
		}
		// The panel's debug lines in colour.
		if got := evalString(t, tab, `document.querySelector(".wbi-panel li.wbi-line-debug .wbi-ns").style.color`); got == "" {
			t.Error("debug lines without colour")
		}
		noErrors(t, tab)
		// The inspector's own connection was not recorded.
		e.flush()
		if ss, err := e.db.Sessions(t.Context(), inspector.SessionFilter{PathPrefix: "/inspector/"}); err != nil || len(ss) != 0 {
			t.Errorf("the panel's own sessions were recorded: %v %v", ss, err)
		}
	})

	t.Run("panel with a cut backlog", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{})
		tab := open(t, b, e.URL+"/test/panel")
		must(t, tab, `document.querySelector(".wbi-panel .wbi-live").dataset.state === "live"`, "the panel live")
		id := evalString(t, tab, `document.querySelector(".wbi-panel").dataset.client`)
		// More than one answer to "watch" holds, from this browser.
		s, _ := e.connect(lessonPath, id, client.Options{})
		big := strings.Repeat(`<"x">`, 1000)
		for i := range 120 {
			e.echo(s, "", big, i)
		}
		e.echo(s, "", "the newest")
		e.flush()
		// A new page, for the backlog alone.
		for _, u := range []string{"about:blank", e.URL + "/test/panel"} {
			if err := tab.Navigate(u); err != nil {
				t.Fatal(err)
			}
		}
		must(t, tab, `document.querySelector(".wbi-panel .wbi-live").dataset.state === "live"`, "the panel live again")
		if got := evalString(t, tab, `document.querySelector(".wbi-panel").dataset.client`); got != id {
			t.Fatalf("the new tab is browser %q, not %q", got, id)
		}
		must(t, tab, `[...document.querySelectorAll(".wbi-panel li")].some(li => li.textContent.includes("the newest"))`, "the newest packet")
		must(t, tab, `[...document.querySelectorAll(".wbi-panel li.wbi-warn")].some(li => /items not shown/.test(li.textContent))`, "a note of what was left out")
		noErrors(t, tab)
	})

	t.Run("hostile", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, web.Options{})
		s, sid := e.connect("/socket.io/", "", client.Options{})
		tab := open(t, b, e.URL+"/inspector/sessions/"+sid)
		tail := open(t, b, e.URL+"/inspector/tail")
		const evil = `<img src=x onerror="window.pwned=1">`
		s.Emit(evil, evil)
		e.echo(s, "", "after")
		for _, tb := range []*browsertest.Tab{tab, tail} {
			must(t, tb, fmt.Sprintf(`document.body.textContent.includes(%q)`, `"after"`), "the packets live")
			if evalBool(t, tb, `window.pwned === 1 || document.querySelector("main img") !== null`) {
				t.Error("hostile content became markup")
			}
			if !evalBool(t, tb, fmt.Sprintf(`document.body.textContent.includes(%q)`, evil)) {
				t.Error("the hostile event is not shown as text")
			}
			noErrors(t, tb)
		}
	})
}

// open opens url in a new tab and waits for its live feed.
func open(t *testing.T, b *browsertest.Browser, url string) *browsertest.Tab {
	t.Helper()
	tab := b.NewTab(t)
	if err := tab.Navigate(url); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(url, "/inspector/") {
		must(t, tab, `document.querySelector(".wbi-live").dataset.state === "live"`, "the live feed")
	}
	return tab
}

func must(t *testing.T, tab *browsertest.Tab, expr, what string) {
	t.Helper()
	if err := tab.WaitFor(expr, wait); err != nil {
		t.Fatalf("waiting for %s: %v\nconsole:\n%s", what, err, tab.ConsoleText())
	}
}

func evalString(t *testing.T, tab *browsertest.Tab, expr string) string {
	t.Helper()
	var s string
	if err := tab.Eval(expr, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func evalInt(t *testing.T, tab *browsertest.Tab, expr string) int {
	t.Helper()
	var v any
	if err := tab.Eval(expr, &v); err != nil {
		t.Fatal(err)
	}
	switch v := v.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

func evalBool(t *testing.T, tab *browsertest.Tab, expr string) bool {
	t.Helper()
	var ok bool
	if err := tab.Eval("Boolean("+expr+")", &ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// noErrors fails on uncaught exceptions and console errors.
func noErrors(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	for _, m := range tab.Console() {
		if m.IsException() || m.Type == chromedp.ConsoleError || m.Type == "error" {
			t.Errorf("console: %s (%s)", m.String(), m.URL)
		}
	}
}

// checkSelector compares the script's DEBUG selector with debugfmt's.
func checkSelector(t *testing.T, tab *browsertest.Tab) {
	patterns := []string{"*", "", "engine", "engine:*", "*,-engine:*", "-engine:*,engine:ws", "  engine ,  socket.io:* ",
		"socket.io*,-socket.io:client", "*:socket", "e*e:*s", "-*", "engine,-engine", "*socket*"}
	namespaces := []string{"engine", "engine:socket", "engine:ws", "engine:polling", "socket.io:server", "socket.io:client",
		"socket.io:socket", "socket.io-parser", "", "enginex"}
	js, _ := json.Marshal(map[string]any{"p": patterns, "n": namespaces})
	var got [][]bool
	if err := tab.Eval(fmt.Sprintf(`(() => { const c = %s; return c.p.map(p => { const s = WBInspector.selector(p); return c.n.map(n => s.enabled(n)); }); })()`, js), &got); err != nil {
		t.Fatal(err)
	}
	for i, p := range patterns {
		sel := debugfmt.ParseSelector(p)
		for j, ns := range namespaces {
			if want := sel.Enabled(ns); got[i][j] != want {
				t.Errorf("DEBUG=%q, %q: script says %v, debugfmt %v", p, ns, got[i][j], want)
			}
		}
	}
}
