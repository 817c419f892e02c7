package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/client"
)

// axeViolation is what axe-core reports of a rule an element breaks.
type axeViolation struct {
	ID    string `json:"id"`
	Nodes []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestPagesContrast runs axe-core's color-contrast rule (the pinned
// interop/node package) in Chromium on every inspector page, in the light
// and the dark scheme, and on the pages' states that show more colours: a
// filter's error, missing acks, charts, closed and open sessions. The debug
// palette of the trace's namespaces is debugfmt's, checked with the lesson
// pages; here it is left out.
func TestPagesContrast(t *testing.T) {
	dir := nodetest.Setup(t)
	axe, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed in interop/node: %v", err)
	}
	b := browsertest.New(t)
	e := newActEnv(t, "")
	e.recordSearchable(0)
	e.recordAcks("S", false)
	e.recordAcks("O", true)
	// A live session, whose page has the action forms.
	live, sid := e.connect("/socket.io/", "", client.Options{})
	e.echo(live, "")
	e.flush()
	pages := []string{"/inspector/", "/inspector/?error=1&state=closed", "/inspector/?since=nope",
		"/inspector/sessions/S", "/inspector/sessions/S?hb=1&dir=sideways", "/inspector/sessions/O",
		"/inspector/sessions/S/replay", "/inspector/sessions/O/replay",
		"/inspector/sessions/" + sid,
		"/inspector/tail", "/inspector/tail?client=c2", "/inspector/nowhere"}
	for _, dark := range []bool{false, true} {
		scheme := map[bool]string{false: "light", true: "dark"}[dark]
		t.Run(scheme, func(t *testing.T) {
			tab := b.NewTab(t)
			if err := tab.Emulate(1280, 900, dark); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				if err := tab.Navigate(e.URL + p); err != nil {
					t.Fatal(err)
				}
				var bg string
				if err := tab.Eval(`getComputedStyle(document.body).backgroundColor`, &bg); err != nil {
					t.Fatal(err)
				}
				if (bg == "rgb(255, 255, 255)") == dark {
					t.Errorf("%s: background %s in the %s scheme", p, bg, scheme)
				}
				// Long payloads open, so that their text is checked too.
				if err := tab.Eval(`document.querySelectorAll("details").forEach(d => d.open = true); true`, nil); err != nil {
					t.Fatal(err)
				}
				if err := tab.Eval(string(axe)+"\n;true", nil); err != nil {
					t.Fatalf("%s: loading axe-core: %v", p, err)
				}
				var raw string
				err := tab.Eval(`axe.run({exclude: [[".wbi-ns"], [".wbi-diff"]]}, {runOnly: ["color-contrast"], resultTypes: ["violations"]})
					.then(r => JSON.stringify(r.violations))`, &raw)
				if err != nil {
					t.Fatalf("%s: axe: %v", p, err)
				}
				var vs []axeViolation
				if err := json.Unmarshal([]byte(raw), &vs); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				for _, v := range vs {
					for _, n := range v.Nodes {
						t.Errorf("%s (%s): %s %v: %s", p, scheme, v.ID, n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
					}
				}
			}
		})
	}
}
