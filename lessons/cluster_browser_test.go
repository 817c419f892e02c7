package lessons_test

import (
	"testing"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/lessons"
)

// TestTwoNodesJavaScriptInChromium: in Spanish, the scaling step's panes
// take turns between the nodes; Run the server with an edit puts both
// panes on the learner's own two nodes, the edited node B delivers what
// the client of node A sent, and the task ticks from the learner's nodes.
func TestTwoNodesJavaScriptInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	p := open(t, b, base+"/lessons/scaling/two-nodes/?clients=2&lang=es")
	p.waitPane(0, `text.textContent.startsWith("Conectado al nodo A como ")`, "pane 1 on node A")
	p.waitPane(1, `text.textContent.startsWith("Conectado al nodo B como ")`, "pane 2 on node B")

	// As a learner's would be by the time they press it: a pane still
	// upgrading when the server changes sends its old session's requests
	// to the new one, which answers 400.
	p.waitWebSocket()
	p.click("server-js-on")
	p.wait(`document.querySelector('.server-code').dataset.running === 'javascript'`, "the JavaScript server running")
	p.editIn("serverEditor", "run-server", `io.emit("chat message", msg);`, `io.emit("chat message", msg + " (js)");`)
	p.waitLog("[B] Un usuario se ha conectado")
	p.waitPane(1, `text.textContent.startsWith("Conectado al nodo B como ")`, "pane 2 on the learner's node B")
	p.waitPane(0, `text.textContent.startsWith("Conectado al nodo A como ")`, "pane 1 on the learner's node A")
	p.eval(`(() => { const d = document.querySelectorAll('.pane iframe')[0].contentDocument;
		d.getElementById("input").value = "hola"; d.getElementById("form").requestSubmit(); })()`)
	p.waitPane(1, `messages.textContent.includes("mensaje: hola (js)")`, "the edited server's message in node B's pane")
	p.waitTask("crossed")
	p.waitLog("[A] message: hola")
	p.noConsoleErrors(false)
}
