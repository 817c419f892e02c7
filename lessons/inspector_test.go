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
		Observer:     rec,
		DB:           progress,
		BrowserID:    web.ClientCookie,
		InspectorURL: web.Prefix,
		Panel: func(client, pathPrefix, title string) templ.Component {
			return web.Panel(web.PanelProps{Client: client, PathPrefix: pathPrefix, Title: title})
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

	p := open(t, b, srv.URL+"/lessons/events/custom-event/")
	p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
	p.wait(`document.querySelector('.wbi-panel')`, "the inspector's panel")
	p.waitTask("receive")
	p.wait(`document.querySelector('.wbi-panel .wbi-trace').textContent.includes('testerEvent')`, "testerEvent in the panel")
	p.eval(`document.querySelector('a.inspector-link').click()`)
	p.wait(`location.pathname === '/inspector/'`, "the inspector, from the top bar")
	p.noConsoleErrors(false)
}
