package sio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestEIO3OfficialClientV2 runs the scenarios of interop/node/v2-scenarios.mjs
// (the official socket.io-client 2.5.0) against our server with AllowEIO3
// and, with the same scenarios, against the official server with
// allowEIO3, so that each one shows we answer a v2 client as it does. They
// run one at a time: the heartbeat scenario must not starve on a busy
// machine.
func TestEIO3OfficialClientV2(t *testing.T) {
	nodetest.Setup(t)
	names := strings.Fields(nodetest.Run(t, "v2-scenarios.mjs", "--list"))
	if len(names) == 0 {
		t.Fatal("v2-scenarios.mjs lists no scenario")
	}

	cfg := fixture.Config()
	cfg.AllowEIO3 = true
	io := fixture.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ours := httptest.NewServer(mux)
	t.Cleanup(func() {
		io.Close()
		ours.Close()
	})

	for _, server := range []struct{ name, url string }{{"ours", ours.URL}, {"official", startOfficialEIO3(t)}} {
		t.Run(server.name, func(t *testing.T) {
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					out := nodetest.Run(t, "v2-scenarios.mjs", "--url", server.url, "--scenario", name)
					if !strings.Contains(out, "PASS "+name) {
						t.Errorf("no PASS line:\n%s", out)
					}
				})
			}
		})
	}
}

// startOfficialEIO3 starts the official fixture (fixture-server.mjs) with
// allowEIO3 for the rest of the test and returns its URL.
func startOfficialEIO3(t *testing.T) string {
	t.Helper()
	node := nodetest.Start(t, nodetest.FixtureScript, "--port", "0", "--allow-eio3")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	line, err := node.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("the official fixture did not start: %v\n%s", err, node.Report())
	}
	return "http://127.0.0.1:" + strings.TrimSpace(strings.TrimPrefix(line, "LISTENING "))
}
