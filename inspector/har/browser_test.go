package har_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

	dir := t.TempDir()
	harPath, devtoolsPath := filepath.Join(dir, "capture.har"), filepath.Join(dir, "devtools.har")
	out := nodetest.Run(t, "har-record.mjs", "--url", u, "--har", harPath, "--devtools-har", devtoolsPath, "--chromium", browser)
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

	// The same sessions twice: as Playwright's recordHar wrote them, and as
	// DevTools' HAR writer would, from the DevTools protocol's events.
	t.Run("playwright", func(t *testing.T) { compareHAR(t, recorded, harPath, sids) })
	t.Run("devtools", func(t *testing.T) {
		checkDevToolsShape(t, devtoolsPath)
		compareHAR(t, recorded, devtoolsPath, sids)
	})
}

// compareHAR imports the HAR at path into a database of its own and
// compares its sessions with the recording.
func compareHAR(t *testing.T, recorded *inspector.DB, path string, sids map[string]string) {
	ctx := context.Background()
	imported := openDB(t)
	f, err := os.Open(path)
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
		if !strings.Contains(name, "polling") {
			sameLines(t, name+" "+sid, gotBody, wantBody)
		} else {
			// Over polling, a HAR has each request's start and end only: a
			// GET's answer is placed at its end, which the browser may
			// mark after it has started the POST the answer caused. And
			// the client sends its CONNECT on polling while it probes the
			// WebSocket. So the two directions, and the two connections,
			// may interleave otherwise than on the wire; each keeps its
			// own order.
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
			if strings.HasPrefix(l, "in polling close ") && !slices.Contains(wantEnd, l) {
				// The client's goodbye POST, which the browser gave up on
				// as it closed: the importer counts it as sent (read.go),
				// but whether it reached the server before the server
				// closed, and so whether the proxy recorded it, is a race.
				continue
			}
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

// checkDevToolsShape checks that the HAR at path is written as DevTools
// writes one: its creator, a WebSocket entry's messages with their time in
// epoch seconds, binary frames as base64 with opcode 2, and a polling
// answer with an emoji written base64.
func checkDevToolsShape(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Creator struct{ Name string }
			Entries []struct {
				ResourceType string `json:"_resourceType"`
				Request      struct{ URL string }
				Response     struct {
					Content struct{ Text, Encoding string }
				}
				Messages []harMessage `json:"_webSocketMessages"`
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Creator.Name != "WebInspector" {
		t.Errorf("creator %q", doc.Log.Creator.Name)
	}
	now := float64(time.Now().Unix())
	var frames, binary, emoji int
	for _, e := range doc.Log.Entries {
		if e.Response.Content.Encoding == "base64" && strings.Contains(e.Request.URL, "transport=polling") {
			if text, err := base64.StdEncoding.DecodeString(e.Response.Content.Text); err == nil && strings.Contains(string(text), "😀") {
				emoji++
			}
		}
		if e.ResourceType != "websocket" {
			continue
		}
		for _, m := range e.Messages {
			frames++
			if m.Time < now-3600 || m.Time > now+60 || (m.Type != "send" && m.Type != "receive") {
				t.Errorf("a WebSocket message at %v (%s): not epoch seconds of now", m.Time, m.Type)
			}
			if m.Opcode == 2 {
				if d, err := base64.StdEncoding.DecodeString(m.Data); err != nil || len(d) != 3 {
					t.Errorf("a binary frame's data %q", m.Data)
				}
				binary++
			}
		}
	}
	if frames == 0 || binary == 0 || emoji == 0 {
		t.Errorf("%d WebSocket frames, %d binary, %d polling answers base64 for their emoji", frames, binary, emoji)
	}
}
