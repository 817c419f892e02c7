package lessons_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/lessons"
)

// TestWithTheInspector wires the Site to the inspector as cmd/workbook
// does (lessons/README.md, "Wiring"): the recorder observes the step
// servers, progress goes to the workbook's database, the step page embeds
// the inspector's packet panel. In Chromium, the panel shows the packets
// of the page's own pane.
func TestWithTheInspector(t *testing.T) {
	b := browsertest.New(t)
	base := startInspectedSite(t)

	p := open(t, b, base+"/lessons/events/custom-event/")
	p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
	p.wait(`document.querySelector('.wbi-panel')`, "the inspector's panel")
	p.waitTask("receive")
	p.wait(`document.querySelector('.wbi-panel .wbi-trace').textContent.includes('testerEvent')`, "testerEvent in the panel")
	p.eval(`document.querySelector('a.inspector-link').click()`)
	p.wait(`location.pathname === '/inspector/'`, "the inspector, from the top bar")
	p.noConsoleErrors(false)
}

// startInspectedSite serves a Site wired to the inspector, as
// cmd/workbook wires them, until the test ends, and returns its URL.
func startInspectedSite(t *testing.T) string {
	t.Helper()
	db, err := inspector.Open(filepath.Join(t.TempDir(), "workbook.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
	pages := web.New(db, rec, web.Options{})
	progress, err := sql.Open("sqlite3", "file:"+db.Path()+"?_journal_mode=WAL&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	site, err := lessons.New(lessons.Options{
		Observer:     rec.Observer(),
		DB:           progress,
		BrowserID:    web.ClientCookie,
		InspectorURL: web.Prefix,
		Panel: func(client, pathPrefix, title, lang string) templ.Component {
			return web.Panel(web.PanelProps{Client: client, PathPrefix: pathPrefix, Title: title, Lang: lang})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/inspector/", pages)
	mux.Handle("/", site)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		site.Close()
		pages.Close()
		srv.Close()
		rec.Close()
		progress.Close()
		db.Close()
	})
	return srv.URL
}

// TestInternalsInTheInspector follows the internals lesson in the packet
// panel: the upgrade's probe, noop and upgrade packets, the WebSocket-only
// handshake, and a binary event with its attachment.
func TestInternalsInTheInspector(t *testing.T) {
	b := browsertest.New(t)
	base := startInspectedSite(t)
	// packets is a JavaScript expression: the panel's packet lines as
	// {raw, desc}, desc starting with the transport ("polling" or "ws").
	const packets = `[...document.querySelectorAll('.wbi-panel .wbi-line-pkt')].map((li) => ({ raw: li.children[3].textContent, desc: li.children[4].textContent }))`
	has := func(p *page, cond, what string) {
		t.Helper()
		p.wait(packets+`.some((p) => `+cond+`)`, what+" in the panel")
	}

	t.Run("transports", func(t *testing.T) {
		p := open(t, b, base+"/lessons/internals/transports/")
		p.wait(`document.querySelector('.wbi-panel')`, "the inspector's panel")
		// The task ticks on the learner's Connect again, not on page load.
		p.waitTransports(`upgrading === "polling → websocket"`, "the upgrading client upgraded")
		p.eval(`document.querySelector('.pane iframe').contentDocument.querySelector('#upgrading').parentElement.querySelector('button').click()`)
		p.waitTask("upgrade")
		has(p, `p.raw === "2probe" && p.desc.startsWith("ws")`, "the probe")
		has(p, `p.raw === "3probe" && p.desc.startsWith("ws")`, "the probe's answer")
		has(p, `p.raw === "6" && p.desc.startsWith("polling")`, "the noop on polling")
		has(p, `p.raw === "5" && p.desc.startsWith("ws")`, "the upgrade packet")
		has(p, `p.raw.startsWith('0{') && p.raw.includes('"upgrades":[]') && p.desc.startsWith("ws")`, "the WebSocket-only open packet")
		has(p, `p.raw.startsWith('0{') && p.raw.includes('"upgrades":["websocket"]') && p.desc.startsWith("polling")`, "the polling open packet")
		p.noConsoleErrors(false)
	})
	t.Run("binary", func(t *testing.T) {
		p := open(t, b, base+"/lessons/internals/binary/?lang=es")
		p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
		p.wait(`document.querySelector('.wbi-panel')`, "the inspector's panel")
		p.paneClick(0, "send")
		p.waitTask("received")
		has(p, `p.raw === '451-["file",{"_placeholder":true,"num":0}]'`, "the binary event")
		has(p, `p.raw.startsWith("<binary 5 bytes>")`, "its attachment")
		has(p, `p.raw === '451-["digest",{"_placeholder":true,"num":0}]'`, "the server's binary event")
		has(p, `p.raw.startsWith("<binary 32 bytes>")`, "the digest")
		p.noConsoleErrors(false)
	})
}
