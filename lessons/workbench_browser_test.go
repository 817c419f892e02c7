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
	other.waitPanes(`t.startsWith("Connected: connection ")`, "the welcome in the other browser's pane")
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
	p.editIn("serverEditor", "run-server", `console.log("A user disconnected:", reason);`, `console.log("A user disconnected:", reason;`)
	p.wait(`document.getElementById('server-status').hasAttribute('data-error') &&
		/^server\.js, line 1[0-9]: /.test(document.getElementById('server-status').textContent)`, "the syntax error and its line under the editor")
	p.wait(`document.querySelectorAll('.server-code .cm-workbook-error').length === 1`, "the line of the syntax error marked in the editor")
	p.waitPanes(`t === "Connected: connection 101 since the server started"`, "the edited server still running")

	// The other browser never saw it.
	other.wait(`document.querySelector('.server-code').dataset.running === 'go'`, "the other browser on the Go server")
	if texts := other.string(`JSON.stringify(` + paneTexts + `)`); strings.Contains(texts, "connection 10") {
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
