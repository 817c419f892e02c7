package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProxyHelp: proxy is listed, and its help names every flag with its
// variable; the README has its row.
func TestProxyHelp(t *testing.T) {
	if out := run(t, "help"); !strings.Contains(out, "  proxy ") || !strings.Contains(out, "WORKBOOK_PROXY_TARGET") {
		t.Errorf("help does not list proxy:\n%s", out)
	}
	out := run(t, "help", "proxy")
	for _, want := range []string{
		"Usage: workbook proxy --target URL",
		"--target URL", "WORKBOOK_PROXY_TARGET",
		"--addr HOST:PORT", "default 127.0.0.1:3000",
		"--path PATH", "default /socket.io/", "WORKBOOK_PROXY_PATH",
		"--db PATH", "--inspector ", "WORKBOOK_PROXY_INSPECTOR", "--inspector-token TOKEN", "--record-cpu",
		"--max-message SIZE", "default 1100kB", "WORKBOOK_PROXY_MAX_MESSAGE",
		"--max-body SIZE", "default 16MB", "WORKBOOK_PROXY_MAX_BODY",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help proxy lacks %q:\n%s", want, out)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "| `workbook proxy`") {
		t.Error("README.md has no row for workbook proxy")
	}
}

// TestProxyFlagErrors: a missing or bad --target, or a --path under the
// inspector's, stop proxy before it listens.
func TestProxyFlagErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"proxy", "--addr", "127.0.0.1:0", "--db", db}, "--target: required"},
		{[]string{"proxy", "--target", "ftp://x", "--addr", "127.0.0.1:0", "--db", db}, "want an http:// or https:// URL"},
		{[]string{"proxy", "--target", "http://127.0.0.1:1", "--path", "/inspector/io/", "--addr", "127.0.0.1:0", "--db", db}, "--inspector=false"},
		{[]string{"proxy", "--target", "http://127.0.0.1:1", "extra"}, "unexpected argument"},
		{[]string{"proxy", "--target", "http://127.0.0.1:1", "--max-message", "0", "--addr", "127.0.0.1:0", "--db", db}, "must be above 0"},
	} {
		_, _, err := runErr(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("workbook %s: %v, want an error with %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a proxy that did not start created %s", db)
	}
}

// TestProxyRecords: workbook proxy in front of a Socket.IO server (ours:
// the workbook with recording off) records what a client does through it, serves the
// inspector and forwards the rest; the sessions command reads the file.
func TestProxyRecords(t *testing.T) {
	app, err := newWorkbook(workbookConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	target := httptest.NewServer(app)
	t.Cleanup(func() { app.closeSockets(); target.Close(); app.close() })
	db := filepath.Join(t.TempDir(), "proxy.db")
	wb := startWorkbook(t, "proxy", "--target", target.URL, "--addr", "127.0.0.1:0", "--db", db)
	if !strings.Contains(wb.Stdout.String(), "forwarding to "+target.URL) {
		t.Errorf("stdout:\n%s", wb.Stdout)
	}
	sids := []string{
		goClientSession(t, wb.URL, []string{"polling"}),
		goClientSession(t, wb.URL, []string{"websocket"}),
	}
	for _, sid := range sids {
		waitSessionEnded(t, db, sid)
	}
	if code, body := get(t, wb.URL+"/inspector/"); code != http.StatusOK || !strings.Contains(body, sids[0]) {
		t.Errorf("inspector: %d\n%s", code, body)
	}
	if code, _ := get(t, wb.URL+"/nothing-here"); code != http.StatusNotFound {
		t.Errorf("the target's 404 came back as %d", code)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	var list []sessionJSON
	if err := json.Unmarshal([]byte(run(t, "sessions", "--db", db, "--json")), &list); err != nil {
		t.Fatal(err)
	}
	transports := map[string]string{}
	for _, s := range list {
		transports[s.SID] = s.Transport
		if s.Path != "/socket.io/" || s.EndedAt == nil || s.CloseReason == "" {
			t.Errorf("session %+v", s)
		}
	}
	if transports[sids[0]] != "polling" || transports[sids[1]] != "websocket" {
		t.Errorf("sessions: %+v", list)
	}
	out := run(t, "packets", "--db", db, "--event", "hello")
	if strings.Count(out, `["world",1]`) != 2 {
		t.Errorf("packets --event hello:\n%s", out)
	}
}

// TestProxyInspectorOff: with --inspector=false, /inspector/ is the
// target's.
func TestProxyInspectorOff(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("the app's own " + r.URL.Path))
	}))
	t.Cleanup(target.Close)
	wb := startWorkbook(t, "proxy", "--target", target.URL, "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "p.db"), "--inspector=false")
	if code, body := get(t, wb.URL+"/inspector/"); code != http.StatusOK || body != "the app's own /inspector/" {
		t.Errorf("/inspector/ with --inspector=false: %d %q", code, body)
	}
	if !strings.Contains(wb.Stdout.String(), "inspector: off") {
		t.Errorf("stdout:\n%s", wb.Stdout)
	}
}
