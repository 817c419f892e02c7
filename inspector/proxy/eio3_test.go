package proxy_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestEIO3ThroughProxy runs the official socket.io-client 2.5.0
// (Engine.IO v3) through the proxy, against our server with AllowEIO3,
// which records what it does itself, and against the official server with
// allowEIO3. The proxy records every v3 session: its open packet, the
// client's pings and the server's pongs, events with binary attachments
// (v3 polling payloads, text and binary framing, and v3 WebSocket
// frames); against our server, the same packets as our server recorded, in
// the same order on each connection.
func TestEIO3ThroughProxy(t *testing.T) {
	nodetest.Setup(t)
	scenarios := []string{"v2-polling", "v2-websocket", "v2-upgrade", "v2-heartbeat"}

	t.Run("ours", func(t *testing.T) {
		db, err := inspector.Open(filepath.Join(t.TempDir(), "server.db"))
		if err != nil {
			t.Fatal(err)
		}
		rec := inspector.NewRecorder(db, inspector.RecorderOptions{FlushInterval: 10 * time.Millisecond})
		cfg := fixture.Config()
		cfg.AllowEIO3 = true
		cfg.Observer = rec.Observer()
		io := fixture.New(cfg)
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", io)
		srv := httptest.NewServer(mux)
		t.Cleanup(func() {
			io.Close()
			srv.Close()
			rec.Close()
			db.Close()
		})
		e := startProxy(t, srv.URL)
		since := time.Now().Add(-time.Second)
		for _, name := range scenarios {
			if out := nodetest.Run(t, "v2-scenarios.mjs", "--url", e.URL, "--scenario", name); !strings.Contains(out, "PASS "+name) {
				t.Fatalf("%s through the proxy:\n%s", name, out)
			}
		}
		proxied := sessionsSince(t, e, since)
		checkV3(t, proxied)
		// What the server recorded of the same sessions.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for s, ps := range proxied {
			want, err := db.Packets(t.Context(), inspector.PacketFilter{SID: s.SID, Limit: -1})
			if err != nil || len(want) == 0 {
				t.Errorf("session %s: the server recorded %d packets (%v)", s.SID, len(want), err)
				continue
			}
			// The ends may differ (a pending GET the client drops); the
			// packets before the client's goodbye may not.
			for _, conn := range []string{"in polling", "out polling", "in websocket", "out websocket"} {
				got, exp := lines(ps, conn), lines(want, conn)
				n := min(len(got), len(exp))
				if strings.Join(got[:n], "\n") != strings.Join(exp[:n], "\n") || n+2 < max(len(got), len(exp)) {
					t.Errorf("session %s, %s:\nproxy recorded\n  %s\nserver recorded\n  %s", s.SID, conn,
						strings.Join(got, "\n  "), strings.Join(exp, "\n  "))
				}
			}
		}
	})
	t.Run("official", func(t *testing.T) {
		node := nodetest.Start(t, nodetest.FixtureScript, "--port", "0", "--allow-eio3")
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		line, err := node.WaitLine(ctx, "LISTENING ")
		if err != nil {
			t.Fatalf("the official fixture did not start: %v\n%s", err, node.Report())
		}
		e := startProxy(t, "http://127.0.0.1:"+strings.TrimSpace(strings.TrimPrefix(line, "LISTENING ")))
		since := time.Now().Add(-time.Second)
		for _, name := range scenarios {
			if out := nodetest.Run(t, "v2-scenarios.mjs", "--url", e.URL, "--scenario", name); !strings.Contains(out, "PASS "+name) {
				t.Fatalf("%s through the proxy:\n%s", name, out)
			}
		}
		checkV3(t, sessionsSince(t, e, since))
	})
}

// lines describes the packets of one direction and transport (conn is
// "in polling", ...), one line each.
func lines(ps []inspector.Packet, conn string) []string {
	var out []string
	for _, p := range ps {
		if p.Dir+" "+p.Transport == conn {
			out = append(out, p.EIOType+" "+p.SIOType+" "+p.Event+" "+string(p.Raw))
		}
	}
	return out
}

// checkV3 checks that the proxy recorded the v3 sessions of the scenarios:
// each opened, with the client pinging and the server ponging, over both
// transports, with a binary attachment somewhere.
func checkV3(t *testing.T, sessions map[*inspector.Session][]inspector.Packet) {
	t.Helper()
	if len(sessions) < 4 {
		t.Fatalf("the proxy recorded %d sessions, want at least 4", len(sessions))
	}
	var polling, websocket, upgraded, pings, pongs, binary, events int
	for s, ps := range sessions {
		switch {
		case s.Upgraded != "":
			upgraded++
		case s.Transport == "polling":
			polling++
		default:
			websocket++
		}
		if len(ps) == 0 || ps[0].EIOType != "open" || ps[0].Dir != "out" {
			t.Errorf("session %s does not start with its open packet: %d packets", s.SID, len(ps))
		}
		for _, p := range ps {
			switch {
			case p.EIOType == "ping" && p.Dir == "in" && string(p.Raw) == "2":
				pings++
			case p.EIOType == "pong" && p.Dir == "out" && string(p.Raw) == "3":
				pongs++
			case p.Binary && p.AttachmentOf != 0:
				binary++
			case p.SIOType == "EVENT" || p.SIOType == "BINARY_EVENT":
				events++
			}
		}
	}
	if polling == 0 || websocket == 0 || upgraded == 0 || pings == 0 || pongs == 0 || events == 0 || binary == 0 {
		t.Errorf("sessions: %d polling, %d websocket, %d upgraded; %d client pings, %d server pongs, %d events, %d attachments",
			polling, websocket, upgraded, pings, pongs, events, binary)
	}
}
