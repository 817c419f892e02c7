package har_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/har"
	"github.com/sioworkbook/workbook/inspector/proxy"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// chromium returns the Chromium Playwright drives, skipping the test
// without one (failing it under CI).
func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = browsertest.DefaultPath
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("no Chromium (%v); install Debian's chromium package or set $CHROMIUM", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// TestImportRecordedHAR records three real sessions (polling upgraded to
// WebSocket, WebSocket only, polling only) in headless Chromium with
// Playwright's recordHar, against our server and against the official Node
// server (through workbook proxy), while the workbook records them. The
// HAR, imported, holds the same packets in the same order with the same
// decode as the recording, in every session. The heartbeat is slowed so
// that no ping crosses a message.
func TestImportRecordedHAR(t *testing.T) {
	browser := chromium(t)
	nodetest.Setup(t)
	t.Run("go", func(t *testing.T) {
		compareRecording(t, browser, func(rec *inspector.Recorder) string {
			cfg := fixture.Config()
			cfg.PingInterval, cfg.PingTimeout = time.Minute, time.Minute
			cfg.Observer = rec.Observer()
			io := fixture.New(cfg)
			mux := http.NewServeMux()
			mux.Handle("/socket.io/", io)
			srv := httptest.NewServer(mux)
			t.Cleanup(func() { io.Close(); srv.Close() })
			return srv.URL
		})
	})
	t.Run("node", func(t *testing.T) {
		compareRecording(t, browser, func(rec *inspector.Recorder) string {
			fx := nodetest.Start(t, nodetest.FixtureScript, "--port", "0", "--ping-interval", "60000", "--ping-timeout", "60000")
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			line, err := fx.WaitLine(ctx, "LISTENING ")
			if err != nil {
				t.Fatalf("fixture: %v\n%s", err, fx.Report())
			}
			port, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "LISTENING ")))
			target, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(port))
			p, err := proxy.New(proxy.Config{Target: target, Recorder: rec})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(p)
			t.Cleanup(func() { p.Close(); srv.Close() })
			return srv.URL
		})
	})
}

// compareRecording serves what start returns, recording into a database,
// drives har-record.mjs against it, imports the HAR into another database
// and compares the two, session by session.
func compareRecording(t *testing.T, browser string, start func(rec *inspector.Recorder) string) {
	ctx := context.Background()
	recorded := openDB(t)
	rec := inspector.NewRecorder(recorded, inspector.RecorderOptions{})
	t.Cleanup(func() { rec.Close() })
	u := start(rec)

	harPath := filepath.Join(t.TempDir(), "capture.har")
	out := nodetest.Run(t, "har-record.mjs", "--url", u, "--har", harPath, "--chromium", browser)
	if !strings.Contains(out, "DONE") {
		t.Fatalf("har-record.mjs did not finish:\n%s", out)
	}
	sids := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "SID" {
			sids[f[1]] = f[2]
		}
	}
	if len(sids) != 3 {
		t.Fatalf("want 3 sessions from har-record.mjs:\n%s", out)
	}
	// The recorder has every packet once each session has ended there.
	deadline := time.Now().Add(30 * time.Second)
	for _, sid := range sids {
		for {
			if err := rec.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			s, err := recorded.Session(ctx, sid)
			if err == nil && !s.EndedAt.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("session %s not ended in the recording (%v)", sid, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	imported := openDB(t)
	f, err := os.Open(harPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := har.Import(ctx, imported, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("HAR: %+v", st)
	if st.Sessions != 3 {
		t.Errorf("the HAR holds %d sessions, want 3", st.Sessions)
	}
	for name, sid := range sids {
		got, want := decodeLines(t, imported, sid), decodeLines(t, recorded, sid)
		gotBody, gotEnd := splitEnd(got)
		wantBody, wantEnd := splitEnd(want)
		if name != "polling,websocket" {
			sameLines(t, name+" "+sid, gotBody, wantBody)
		} else {
			// The client sends its CONNECT on polling while it probes the
			// WebSocket: two connections, whose packets each end may see
			// in another order. Each connection's packets keep theirs.
			for _, conn := range []string{"in polling ", "out polling ", "in websocket ", "out websocket "} {
				sameLines(t, name+" "+sid+" "+conn, only(gotBody, conn), only(wantBody, conn))
			}
			if len(gotBody) != len(wantBody) {
				t.Errorf("%s: %d packets imported, %d recorded", name, len(gotBody), len(wantBody))
			}
		}
		// The end: the browser aborts its pending GET as it closes, and
		// what the server wrote on it is in no HAR; the rest is there.
		if len(gotEnd) == 0 {
			t.Errorf("%s: the imported session has no end (DISCONNECT or close):\n%s", name, strings.Join(got, "\n"))
		}
		for _, l := range gotEnd {
			if !slices.Contains(wantEnd, l) {
				t.Errorf("%s: imported %s, which is not at the end of the recording:\n%s", name, l, strings.Join(wantEnd, "\n"))
			}
		}
		a, err := recorded.Session(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		b, err := imported.Session(ctx, sid)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Path != b.Path || a.Transport != b.Transport || a.Upgraded != b.Upgraded || a.UserAgent != b.UserAgent {
			t.Errorf("%s: imported session %+v, recorded %+v", name, *b, *a)
		}
	}
}

// decodeLines describes the packets of session sid with all their decode,
// one line each.
func decodeLines(t *testing.T, db *inspector.DB, sid string) []string {
	t.Helper()
	var out []string
	for _, p := range packets(t, db, sid) {
		ack := "-"
		if p.AckID != nil {
			ack = strconv.FormatInt(*p.AckID, 10)
		}
		out = append(out, fmt.Sprintf("%s %s %s %q binary=%v sio=%s nsp=%s event=%q ack=%s args=%s attached=%v",
			p.Dir, p.Transport, p.EIOType, p.Raw, p.Binary, p.SIOType, p.Nsp, p.Event, ack, p.Args, p.AttachmentOf != 0))
	}
	return out
}

// only returns the lines that start with prefix.
func only(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// splitEnd cuts a session's lines where its end begins: the client's
// "server-close", or else its first DISCONNECT or close packet.
func splitEnd(lines []string) (body, end []string) {
	for i, l := range lines {
		if strings.Contains(l, ` event="server-close" `) || strings.Contains(l, " sio=DISCONNECT ") || strings.Contains(l, " close ") {
			return lines[:i], lines[i:]
		}
	}
	return lines, nil
}
