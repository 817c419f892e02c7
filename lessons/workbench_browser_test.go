package lessons_test

import (
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/lessons"
)

// The server switch, in Chromium: "JavaScript" runs the step's server.js
// as this browser's own server, an edit run there reaches this browser's
// panes and no other browser's, a syntax error is shown under the editor
// with its line, and "Go" brings the step's server back.
func TestServerSwitchInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	const path = "/lessons/errors/reconnect/"
	p := open(t, b, base+path+"?lang=en")
	other := open(t, b, base+path+"?lang=es")
	p.waitPanes(`t.startsWith("Connected: connection ")`, "the welcome in the pane")
	other.waitPanes(`t.startsWith("Conectado: conexión ")`, "the welcome in the other browser's pane, in Spanish")
	p.wait(`document.querySelector('.server-code').dataset.running === 'go' && !document.getElementById('server-go').hidden`, "the Go server shown")

	p.click("server-js-on")
	p.wait(`document.querySelector('.server-code').dataset.running === 'javascript' && !document.getElementById('server-js').hidden &&
		document.getElementById('server-file').textContent === 'server.js'`, "the JavaScript server running")
	p.waitLog("A user connected: connection 1 since the server started")
	p.waitPanes(`t === "Connected: connection 1 since the server started"`, "the pane on the browser's own server")

	p.editIn("serverEditor", "run-server", `socket.emit("welcome", connections);`, `socket.emit("welcome", connections + 100);`)
	p.waitPanes(`t === "Connected: connection 101 since the server started"`, "the edited server's welcome in the pane")
	if s := p.string(`document.getElementById('server-status').textContent`); !strings.Contains(s, "server.js") {
		t.Errorf("status after Run: %q", s)
	}

	// A syntax error: shown with its line, and the running server stays.
	p.editIn("serverEditor", "run-server", `console.log(lines.disconnected, reason);`, `console.log(lines.disconnected, reason;`)
	p.wait(`document.getElementById('server-status').hasAttribute('data-error') &&
		/^server\.js, line 2[0-9]: /.test(document.getElementById('server-status').textContent)`, "the syntax error and its line under the editor")
	p.wait(`document.querySelectorAll('.server-code .cm-workbook-error').length === 1`, "the line of the syntax error marked in the editor")
	p.waitPanes(`t === "Connected: connection 101 since the server started"`, "the edited server still running")

	// The other browser never saw it.
	other.wait(`document.querySelector('.server-code').dataset.running === 'go'`, "the other browser on the Go server")
	if texts := other.string(`JSON.stringify(` + paneTexts + `)`); strings.Contains(texts, "conexión 10") {
		t.Errorf("the other browser's panes: %s", texts)
	}

	// A new page of the same browser finds its server running.
	if err := p.tab.Navigate(base + path + "?lang=en"); err != nil {
		t.Fatal(err)
	}
	p.wait(`document.querySelector('.server-code').dataset.running === 'javascript' && workbookStep.serverEditor.value.includes('connections + 100')`,
		"the browser's server after a reload")
	p.waitPanes(`t.startsWith("Connected: connection 10")`, "the pane on the edited server after a reload")

	p.click("server-go-on")
	p.wait(`document.querySelector('.server-code').dataset.running === 'go' && !document.getElementById('server-go').hidden`, "back to Go")
	p.waitPanes(`t.startsWith("Connected: connection ") && !t.includes("connection 10")`, "the pane on the step's server again")
	p.noConsoleErrors(true) // the 400 of the syntax error's PUT
	other.noConsoleErrors(false)
}

// The code editor, in Chromium: both editors are CodeMirror with line
// numbers and highlighting, Enter after a brace indents the next line,
// and Ctrl+Enter runs the client's code.
func TestEditorInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	p := open(t, b, base+"/lessons/hello/connect/?lang=en")
	p.wait(`document.querySelectorAll('.cm-editor').length === 2 && document.getElementById('editor').hidden`, "two code editors in the textareas' place")
	p.wait(`(() => { const c = document.querySelector('.client-code .cm-editor');
		const lines = workbookStep.editor.value.split('\n').length;
		return c.querySelectorAll('.cm-lineNumbers .cm-gutterElement').length >= Math.min(lines, 20) &&
			c.querySelectorAll('.cm-content span[class]').length > 10; })()`, "line numbers and highlighted tokens in the client's editor")
	// Enter at the end of a line that opens a block indents the next one.
	p.eval(`(() => {
		const view = workbookStep.editor.view;
		const at = view.state.doc.toString().indexOf('const socket = io();') + 'const socket = io();'.length;
		const block = '\n      socket.on("x", () => {';
		view.dispatch({ changes: { from: at, insert: block }, selection: { anchor: at + block.length } });
		view.focus();
		view.contentDOM.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
	})()`)
	p.wait(`(() => { const lines = workbookStep.editor.value.split('\n'); const i = lines.findIndex((l) => l.includes('socket.on("x"'));
		return lines[i + 1] !== undefined && lines[i + 1].match(/^ */)[0].length === 8; })()`, "the new line indented one level deeper than its block")
	p.wait(`!document.getElementById('edited').hidden`, "the editor marked edited")
	// Ctrl+Enter runs it (the open block taken out first).
	p.eval(`(() => {
		workbookStep.editor.value = JSON.parse(document.getElementById('step-data').textContent).client;
		const view = workbookStep.editor.view;
		const doc = view.state.doc.toString();
		const at = doc.indexOf('const socket = io();') + 'const socket = io();'.length;
		view.dispatch({ changes: { from: at, insert: ' socket.on("connect", () => { document.body.dataset.ran = "yes"; });' } });
		view.contentDOM.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true }));
	})()`)
	p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => f.contentDocument?.body?.dataset.ran === 'yes')`, "the pane running the code after Ctrl+Enter")
	p.noConsoleErrors(false)
}

// openAt opens url in a new tab with a viewport of width × height, in the
// dark colour scheme or the light one.
func openAt(t *testing.T, b *browsertest.Browser, url string, width, height int, dark bool) *page {
	t.Helper()
	p := &page{t: t, tab: b.NewTab(t)}
	if err := p.tab.Emulate(width, height, dark); err != nil {
		t.Fatal(err)
	}
	if err := p.tab.Navigate(url); err != nil {
		t.Fatal(err)
	}
	return p
}

// The panes, in Chromium on a laptop's screen: they fill the column's
// height, so that the handshake step's packets and the connect-error
// step's buttons show without scrolling the pane; a pane's header shows
// each of its sockets in full; a pane grows by its corner and takes the
// window when maximised.
func TestPanesInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	const w, h = 1400, 900
	t.Run("handshake", func(t *testing.T) {
		t.Parallel()
		p := openAt(t, b, base+"/lessons/internals/handshake/?lang=en", w, h, false)
		p.waitPanes(`t.startsWith("Connected as ")`, "connected in the pane")
		p.waitPane(0, `wire.length >= 2`, "packets in the pane")
		p.wait(`(() => { const f = document.querySelector('.pane iframe'), d = f.contentDocument;
			const heading = [...d.querySelectorAll('h2')].find((e) => e.textContent === "This client's packets");
			return f.clientHeight >= 300 && heading.getBoundingClientRect().top < f.clientHeight &&
				d.getElementById('wire').getBoundingClientRect().top < f.clientHeight; })()`, "the pane tall enough to show its packets")
	})
	t.Run("connect-error", func(t *testing.T) {
		t.Parallel()
		p := openAt(t, b, base+"/lessons/errors/connect-error/?lang=en", w, h, true)
		p.waitPanes(`t === "You are in!"`, "the welcome in the pane")
		visible := `(() => { const f = document.querySelector('.pane iframe'), d = f.contentDocument;
			return [...d.querySelectorAll('button')].length > 0 && [...d.querySelectorAll('button')].every((b) => {
				const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= f.clientHeight; }); })()`
		p.wait(visible, "every button of the pane in full")
		// Refused, the pane says why and how to get in: its buttons still show.
		p.edit(`token: "open sesame"`, `token: "guess"`)
		p.wait(`document.querySelector('.pane iframe').contentDocument?.getElementById('hint')?.textContent.includes('open sesame')`, "the hint in the pane")
		p.wait(visible, "every button of the refused pane in full")
	})
	t.Run("two-sockets", func(t *testing.T) {
		t.Parallel()
		p := openAt(t, b, base+"/lessons/namespaces/custom/?lang=en", w, h, false)
		p.waitPanes(`t === "Hello everyone!"`, "hi in the pane")
		p.edit(`const socket = io("/my-namespace");`, `const socket = io("/my-namespace");
      const main = io();`)
		p.wait(`(() => { const pane = document.querySelector('.pane'), state = pane.querySelector('.state');
			const sockets = [...state.querySelectorAll('.socket')];
			return sockets.length === 2 && sockets.every((s) => s.dataset.state === 'connected') &&
				state.textContent.startsWith('/my-namespace ') && state.scrollWidth <= state.clientWidth &&
				sockets.every((s) => s.getBoundingClientRect().right <= pane.getBoundingClientRect().right); })()`,
			"both sockets shown in full in the pane's header")
		// Taller by its corner: the page inside grows with it.
		before := p.string(`String(document.querySelector('.pane iframe').clientHeight)`)
		p.eval(`(() => { const pane = document.querySelector('.pane'); pane.style.height = (pane.offsetHeight + 200) + 'px'; })()`)
		p.wait(`getComputedStyle(document.querySelector('.pane')).resize === 'vertical' &&
			document.querySelector('.pane iframe').clientHeight >= `+before+` + 150`, "the pane's page taller with the pane")
		// Maximised, then back with Escape.
		p.eval(`document.querySelector('.pane .maximise').click()`)
		p.wait(`(() => { const r = document.querySelector('.pane').getBoundingClientRect();
			return document.querySelector('.pane').classList.contains('maximised') && r.width >= innerWidth * 0.9 && r.height >= innerHeight * 0.8; })()`,
			"the pane taking the window")
		p.eval(`document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))`)
		p.wait(`!document.querySelector('.pane').classList.contains('maximised') && document.querySelector('.pane').getBoundingClientRect().width < innerWidth * 0.6`,
			"the pane back in its place")
		p.noConsoleErrors(false)
	})
}

// A pane's console strip, in Chromium: console.log, warn and error of the
// client's code, an uncaught error and a syntax error, each with its line
// in the editor; the strip and the pane's page keep their newest line in
// view.
func TestPaneConsoleInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	for _, dark := range []bool{false, true} {
		t.Run(map[bool]string{false: "light", true: "dark"}[dark], func(t *testing.T) {
			t.Parallel()
			p := openAt(t, b, base+"/lessons/hello/connect/?lang=es", 1400, 900, dark)
			p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
			p.wait(`document.querySelector('.pane .console .empty')`, "an empty console strip")
			// The editors take the page's colour scheme: white in the light,
			// One Dark's colours on the page's code background in the dark
			// (One Dark's own #282c34 left its greys under 4.5:1).
			p.wait(`document.querySelectorAll('.cm-editor').length === 2 && [...document.querySelectorAll('.cm-editor')].every((e) =>
				getComputedStyle(e).backgroundColor === `+map[bool]string{false: "'rgb(255, 255, 255)'", true: "'rgb(22, 27, 34)'"}[dark]+` &&
				(`+map[bool]string{false: "true", true: "getComputedStyle(e.querySelector('.cm-content')).color === 'rgb(171, 178, 191)'"}[dark]+`))`, "the editors in the page's scheme")
			p.edit(`const socket = io();`, `const socket = io();
      console.log("hello", 42, { a: 1 });
      console.warn("careful");
      console.log("%cstyled%c text", "color: red", "");
      socket.on("connect", () => {
        for (let i = 0; i < 60; i++) { console.log("line", i); document.body.append(Object.assign(document.createElement("p"), { textContent: "p" + i })); }
        null.boom;
      });`)
			// The lines as the editor numbers them.
			line := func(s string) string {
				return p.string(`String(workbookStep.editor.value.split('\n').findIndex((l) => l.includes(` + s + `)) + 1)`)
			}
			logLine, warnLine, boomLine := line(`'console.log("hello"'`), line(`'console.warn'`), line(`'null.boom'`)
			strip := `[...document.querySelector('.pane .console').children].map((li) => (li.dataset.level || '') + '@' + (li.dataset.line || '') + ' ' + li.textContent)`
			p.wait(strip+`.includes('log@`+logLine+` línea `+logLine+` hello 42 {"a":1}') && `+strip+`.includes('warn@`+warnLine+` línea `+warnLine+` careful') &&
				`+strip+`.some((l) => l.endsWith(' styled text'))`, "console.log and warn with their lines")
			p.wait(strip+`.some((l) => l.startsWith('error@`+boomLine+` ') && l.includes("Cannot read properties of null"))`, "the uncaught error with its line")
			p.wait(`(() => { const c = document.querySelector('.pane .console'); return c.scrollHeight > c.clientHeight && c.scrollTop + c.clientHeight >= c.scrollHeight - 4; })()`,
				"the strip scrolled to its newest line")
			// At its end: it cannot scroll further down.
			p.wait(`(() => { const d = document.querySelector('.pane iframe').contentDocument, e = d.scrollingElement;
				return d.querySelectorAll('p').length === 60 && e.scrollTop > 0 && e.scrollTop + d.defaultView.innerHeight >= e.scrollHeight - 2; })()`,
				"the pane's page scrolled to its newest line")
			// A syntax error: in the strip, with its line.
			p.edit(`console.warn("careful");`, `console.warn("careful";`)
			syntaxLine := line(`'console.warn'`)
			p.wait(`document.querySelector('.pane').dataset.state === 'page-error' && document.querySelector('.pane .state').textContent.includes('SyntaxError')`,
				"the syntax error in the pane's header too")
			p.wait(strip+`.some((l) => l.startsWith('error@`+syntaxLine+` ') && l.includes('SyntaxError'))`, "the syntax error with its line in the strip")
		})
	}
}

// The hint ladder and the learner's code kept aside, in Chromium: a hint,
// then another, then the solution, which opens only after a hint or a Run;
// Reset and the finished version keep the learner's code aside, and the
// bar under the editor compares the two and restores theirs.
func TestHintLadderAndKeptCodeInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	p := open(t, b, base+"/lessons/errors/connect-error/?lang=en")
	p.waitPanes(`t === "You are in!"`, "the welcome in the pane")
	ladder := func(task, cond string) string {
		return `(() => { const l = document.querySelector('.ladder[data-ladder="` + task + `"]');
			const hints = [...l.querySelectorAll('.rung.hint')].map((h) => !h.hidden), solution = !l.querySelector('.rung.solution').hidden;
			const next = l.querySelector('.next-hint'), show = l.querySelector('.show-solution'), note = l.querySelector('.solution-note');
			return ` + cond + `; })()`
	}
	p.wait(ladder("refused", `hints.join() === "false,false" && !solution && show.disabled && !note.hidden && next.textContent === "A hint"`),
		"no hint shown, the solution closed")
	p.eval(`document.querySelector('.ladder[data-ladder="refused"] .show-solution').click()`)
	p.wait(ladder("refused", `!solution && show.disabled`), "the solution still closed after a click")
	p.eval(`document.querySelector('.ladder[data-ladder="refused"] .next-hint').click()`)
	p.wait(ladder("refused", `hints.join() === "true,false" && !show.disabled && note.hidden && next.textContent === "Another hint"`), "one hint, the solution open")
	p.eval(`document.querySelector('.ladder[data-ladder="refused"] .next-hint').click()`)
	p.wait(ladder("refused", `hints.join() === "true,true" && next.hidden && !solution`), "both hints")
	p.eval(`document.querySelector('.ladder[data-ladder="refused"] .show-solution').click()`)
	p.wait(ladder("refused", `solution && show.hidden && l.querySelector('.rung.solution').textContent.includes('token: "guess"')`), "the solution")
	p.wait(ladder("kicked", `show.disabled`), "another task's solution closed")

	// An attempt opens the solutions; Reset keeps the attempt aside.
	const refused = `document.querySelector('.pane iframe').contentDocument?.getElementById('text')?.textContent === "Refused: not authorized"`
	p.edit(`token: "open sesame"`, `token: "guess"`)
	p.wait(ladder("kicked", `!show.disabled && hints.join() === "false,false"`), "the solution open after a Run")
	p.wait(refused, "refused in the pane")
	p.click("reset")
	p.wait(`!document.getElementById('kept-client').hidden && workbookStep.editor.value === JSON.parse(document.getElementById('step-data').textContent).client &&
		document.querySelector('#kept-client .kept-text').textContent.startsWith('The editor shows the starting code.')`, "the learner's code kept aside")
	p.waitPanes(`t === "You are in!"`, "the starting code running")
	p.eval(`document.querySelector('#kept-client .compare-mine').click()`)
	p.wait(`(() => { const m = document.querySelector('#kept-client .merge .cm-mergeView'); return m && m.querySelectorAll('.cm-editor').length === 2 &&
		m.querySelector('.cm-merge-a').textContent.includes('token: "guess"') && m.querySelector('.cm-merge-b').textContent.includes('token: "open sesame"') &&
		m.querySelectorAll('.cm-changedLine').length > 0; })()`, "the two versions side by side, the change marked")
	p.eval(`document.querySelector('#kept-client .restore-mine').click()`)
	p.wait(`document.getElementById('kept-client').hidden && workbookStep.editor.value.includes('token: "guess"')`, "the learner's code restored")
	p.wait(refused, "the restored code running")

	// The server's editor too: its finished version keeps the edit aside.
	p.click("server-js-on")
	p.wait(`document.querySelector('.server-code').dataset.running === 'javascript'`, "the JavaScript server running")
	p.editIn("serverEditor", "run-server", `next();`, `next(); // mine`)
	p.wait(`document.getElementById('server-status').textContent.includes('server.js') && !document.getElementById('server-status').hasAttribute('data-error')`, "the edit running")
	p.click("show-done-server")
	p.wait(`!document.getElementById('kept-server').hidden && !workbookStep.serverEditor.value.includes('// mine')`, "the server's finished version, the edit kept")
	p.eval(`document.querySelector('#kept-server .restore-mine').click()`)
	p.wait(`document.getElementById('kept-server').hidden && workbookStep.serverEditor.value.includes('// mine')`, "the server's edit restored")
}
