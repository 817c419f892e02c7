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
