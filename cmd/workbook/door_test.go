package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestServeRefusesRebinding: a workbook on loopback has no token, so it
// answers only requests whose Host names this machine. A page of another
// site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name
// as Host, with a matching Origin: every door is closed to it.
func TestServeRefusesRebinding(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db"))
	u, err := url.Parse(wb.URL)
	if err != nil {
		t.Fatal(err)
	}
	evil := "attacker.example:" + u.Port()
	for _, c := range []struct{ method, path string }{
		{"GET", "/inspector/"},
		{"GET", "/classroom/data.json"},
		{"GET", "/inspector/socket.io/?EIO=4&transport=polling"},
		{"GET", "/socket.io/?EIO=4&transport=polling"},
		{"POST", "/lessons/errors/reconnect/faults/restart"},
		{"GET", "/"},
	} {
		for _, host := range []string{evil, "127.0.0.1:" + u.Port(), "localhost:" + u.Port()} {
			req, err := http.NewRequest(c.method, "http://127.0.0.1:"+u.Port()+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			req.Header.Set("Origin", "http://"+host)
			req.AddCookie(&http.Cookie{Name: "wb_client", Value: "rebinding-test"})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if refused := res.StatusCode == http.StatusForbidden; refused != (host == evil) {
				t.Errorf("%s %s with Host %s: %d", c.method, c.path, host, res.StatusCode)
			}
		}
	}
}

// doorToken is the token of the workbook TestDoor runs.
const doorToken = "door-test-token-0123456789"

// startGuardedWorkbook serves a workbook with recording and the token, as
// serve does off loopback, and returns it with its URL.
func startGuardedWorkbook(t *testing.T) (*workbook, string) {
	t.Helper()
	db, err := inspector.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
	wb, err := newWorkbook(workbookConfig{Logger: slog.New(slog.DiscardHandler), DB: db, Recorder: rec, Token: doorToken})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wb)
	t.Cleanup(func() {
		wb.closeSockets()
		srv.Close()
		wb.close()
		rec.Close()
		db.Close()
	})
	return wb, srv.URL
}

// pathOf turns a ServeMux pattern into a path that matches it: "GET
// /inspector/sessions/{sid}" -> "/inspector/sessions/x".
func pathOf(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	for strings.Contains(path, "{") {
		i, j := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:i] + "x" + path[j+1:]
	}
	return method, path
}

// refused sends a request with no credentials but what header and the
// cookies hold, follows redirects (with the same headers), and reports
// whether the end is a refusal (400, 401, 403, 404 or 405), never a page.
func refused(t *testing.T, method, url string, header http.Header, cookies ...*http.Cookie) (bool, int) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	c := &http.Client{CheckRedirect: func(r *http.Request, via []*http.Request) error {
		r.Header = via[0].Header.Clone() // the cookies stay, as a browser's would on the same site
		return nil
	}}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	switch res.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
		return true, res.StatusCode
	}
	return false, res.StatusCode
}

// TestDoor: off loopback, the token guards every route of the inspector
// and of the classroom (walked from their muxes, so a new route cannot
// escape), and the live feed; path tricks, header tricks and forged
// cookies get nothing. The figures of docs/RELIABILITY.md ("The
// inspector's door") come from this test's log.
func TestDoor(t *testing.T) {
	wb, base := startGuardedWorkbook(t)
	// The routes anyone may reach: the inspector's assets and client
	// script (lesson pages embed the panel), its live feed (which checks
	// each socket itself, below), and the lessons' own pages.
	public := func(path string) bool {
		return strings.HasPrefix(path, "/inspector/static/") || strings.HasPrefix(path, "/inspector/socket.io/") ||
			!strings.HasPrefix(path, "/inspector/") && !strings.HasPrefix(path, "/classroom")
	}
	var guarded []string // "METHOD path"
	for _, pattern := range append(wb.pages.Routes(), wb.lessons.Routes()...) {
		method, path := pathOf(pattern)
		if !public(path) {
			guarded = append(guarded, method+" "+path)
		}
	}
	// A restart of a step's server for everyone is the one lesson route
	// that takes the token (a learner's restart reaches their own clients).
	for _, pattern := range wb.lessons.Routes() {
		if strings.HasSuffix(pattern, "/faults/{fault}") {
			method, _ := pathOf(pattern)
			guarded = append(guarded, method+" /lessons/errors/reconnect/faults/restart?scope=step")
		}
	}
	if len(guarded) < 8 {
		t.Fatalf("only %d guarded routes found: %v", len(guarded), guarded)
	}
	tried := 0
	check := func(what, method, path string, header http.Header, cookies ...*http.Cookie) {
		t.Helper()
		tried++
		if ok, code := refused(t, method, base+path, header, cookies...); !ok {
			t.Errorf("%s: %s %s answered %d", what, method, path, code)
		}
	}
	// Every guarded route, plainly and with every trick.
	proof := sha256.Sum256([]byte(doorToken))
	forged := []*http.Cookie{
		{Name: "wb_inspector", Value: doorToken},
		{Name: "wb_inspector", Value: hex.EncodeToString(proof[:])},
		{Name: "wb_inspector", Value: ""},
		{Name: "wb_inspector", Value: strings.Repeat("0", 64)},
		{Name: "wb_client", Value: "any-browser"},
		{Name: "WB_INSPECTOR", Value: doorToken},
	}
	headers := []http.Header{
		nil,
		{"X-Forwarded-For": {"127.0.0.1"}},
		{"X-Real-Ip": {"127.0.0.1"}},
		{"Forwarded": {"for=127.0.0.1;host=localhost"}},
		{"X-Forwarded-Host": {"localhost"}},
		{"X-Original-Url": {"/"}, "X-Rewrite-Url": {"/"}},
		{"Authorization": {"Bearer "}},
		{"Authorization": {"Bearer " + doorToken[:len(doorToken)-1]}},
		{"Authorization": {"Bearer " + doorToken + "x"}},
		{"Authorization": {"bearer " + doorToken}},
		{"Authorization": {"Basic " + doorToken}},
		{"Authorization": {"Token " + doorToken}},
		{"Cookie": {"wb_inspector=" + doorToken}},
	}
	for _, route := range guarded {
		method, path, _ := strings.Cut(route, " ")
		for _, h := range headers {
			check(fmt.Sprintf("header %v", h), method, path, h)
		}
		for _, c := range forged {
			check("cookie "+c.Name+"="+c.Value, method, path, nil, c)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		for _, q := range []string{"token=", "token=" + doorToken[:8], "token=" + strings.ToUpper(doorToken), "token=x&token=" + doorToken} {
			check("query "+q, method, path+sep+q, nil)
		}
		// Path tricks: doubled and trailing slashes, dot segments, case,
		// escapes.
		path, query, _ := strings.Cut(path, "?")
		if query != "" {
			query = "?" + query
		}
		trimmed := strings.TrimPrefix(path, "/")
		for _, p := range []string{
			"/" + path, path + "/", path + "//", strings.ToUpper(path), "/lessons/../" + trimmed,
			"/lessons/%2e%2e/" + trimmed, "/assets/..%2f" + trimmed, "/./" + trimmed,
			strings.Replace(path, "/", "/%2F", 1), path + ";x", path + "%00", path + "?",
		} {
			check("path trick", method, p+query, nil)
		}
		// Host names the machine: no pass without the token off loopback.
		check("Host: localhost", method, path+query, http.Header{"Host": {"localhost"}})
	}
	// The live feed: no socket without the token or a browser id, and no
	// room but the browser's own without the token.
	for _, c := range []struct {
		cookie string
		auth   map[string]any
	}{
		{"", nil},
		{"", map[string]any{"token": "wrong"}},
		{"", map[string]any{"token": ""}},
		{"wb_inspector=" + doorToken, nil},
		{"wb_inspector=" + hex.EncodeToString(proof[:]), nil},
	} {
		tried++
		if err := liveConnect(t, base, c.cookie, c.auth, "tail"); err == nil {
			t.Errorf("the live feed let in cookie %q auth %v", c.cookie, c.auth)
		}
	}
	for _, room := range []string{"tail", "sessions", "session"} {
		tried++
		if err := liveConnect(t, base, "wb_client=any-browser", nil, room); err == nil {
			t.Errorf("a browser id alone watches %s", room)
		}
	}
	if err := liveConnect(t, base, "", map[string]any{"token": doorToken}, "tail"); err != nil {
		t.Errorf("the live feed with the token: %v", err)
	}
	// And with the token, the routes answer.
	for _, route := range guarded {
		method, path, _ := strings.Cut(route, " ")
		if method != "GET" {
			continue
		}
		if ok, code := refused(t, method, base+path, http.Header{"Authorization": {"Bearer " + doorToken}}); ok && code != http.StatusNotFound {
			t.Errorf("%s with the token: %d", route, code)
		}
	}
	t.Logf("%d guarded routes; %d unauthorised requests, all refused", len(guarded), tried)
}

// liveConnect connects to the live feed with cookie and auth and watches
// room: nil when both worked.
func liveConnect(t *testing.T, base, cookie string, auth map[string]any, room string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	opts := client.Options{Path: "/inspector/socket.io/", ForceNew: true, NoReconnection: true, Transports: []string{"websocket"}}
	if auth != nil {
		opts.Auth = auth
	}
	if cookie != "" {
		opts.Header = http.Header{"Cookie": {cookie}}
	}
	s, err := client.Connect(ctx, base, opts)
	if err != nil {
		return err
	}
	defer s.Disconnect()
	args, err := s.EmitWithAck(ctx, "watch", map[string]any{"room": room, "sid": "x"})
	if err != nil {
		return err
	}
	if m, ok := args[0].(map[string]any); !ok || m["error"] != nil && m["error"] != "" {
		return fmt.Errorf("watch %s: %v", room, args[0])
	}
	return nil
}
