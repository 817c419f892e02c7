package static_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/static"
)

// TestBrowserRecovery runs the recovery scenarios of testdata/scenarios.js
// in headless Chromium with our client, against our server and the official
// one with connection state recovery on, on both transports: the client
// keeps the pid and the last offset, sends them when it reconnects, and
// reports recovered.
func TestBrowserRecovery(t *testing.T) {
	b := browsertest.New(t)
	scripts := sio.NewServer(sio.Config{ClientScript: static.SocketIOJS})
	t.Cleanup(func() { scripts.Close() })
	mux := http.NewServeMux()
	mountPages(mux, scripts)
	pages := httptest.NewServer(mux)
	t.Cleanup(pages.Close)

	// Ours, cross-origin as the official one is.
	goGone := &nodetest.Departures{}
	io := fixture.Recovery(time.Minute, goGone.Mark)
	ours := httptest.NewServer(io)
	t.Cleanup(func() {
		ours.Close()
		io.Close()
	})

	for _, kind := range []string{"go", "node"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			server, gone := ours.URL, goGone
			if kind == "node" {
				official := nodetest.StartRecoveryServer(t, time.Minute)
				server, gone = official.URL, official.Gone
			}
			for _, transport := range []string{"polling", "websocket"} {
				t.Run(transport, func(t *testing.T) {
					t.Parallel()
					runScenario(t, b, target{pages: pages.URL}, scenario{
						name: "recovery-" + transport,
						setup: func(*testing.T, target) (string, func(*testing.T, *browsertest.Tab)) {
							return server, func(t *testing.T, tab *browsertest.Tab) { answerGone(t, tab, gone) }
						},
					})
				})
			}
		})
	}
}

// answerGone plays the Go side of a recovery scenario: at each phase "gone
// <round>" it waits until the server has let go of window.__goneID, then
// signals the page.
func answerGone(t *testing.T, tab *browsertest.Tab, gone *nodetest.Departures) {
	t.Helper()
	for round := 1; round <= 2; round++ {
		reach(t, tab, fmt.Sprintf("gone %d", round))
		var id string
		if err := tab.Eval("window.__goneID", &id); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		err := gone.Wait(ctx, id)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := tab.Eval(fmt.Sprintf(`window.__signal("gone %d")`, round), nil); err != nil {
			t.Fatal(err)
		}
	}
}
