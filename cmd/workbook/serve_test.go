package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
)

// TestDebugPrintsLive: with DEBUG set, serve prints the server's trace to
// stderr while it runs, in debug's format (ISO time first: stderr is not a
// terminal here), our packet lines included.
func TestDebugPrintsLive(t *testing.T) {
	t.Setenv("DEBUG", "engine:socket,workbook:*")
	t.Setenv("DEBUG_COLORS", "0")
	t.Setenv("DEBUG_HIDE_DATE", "")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--no-record", "--db", filepath.Join(t.TempDir(), "x.db"))
	sid := goClientSession(t, wb.URL, []string{"polling"})
	var lines []string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		lines = strings.Split(wb.Stderr.String(), "\n")
		if strings.Contains(wb.Stderr.String(), sid+" closed (") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := []string{
		" workbook:engine " + sid + " opened over polling from 127.0.0.1:",
		" engine:socket sending packet \"open\"",
		" workbook:socket.io " + sid + " received EVENT nsp=/ data=[\"hello\",\"world\",1]",
		" workbook:engine " + sid + " received packet \"message\" (<binary 3 bytes>) over polling",
		" workbook:engine " + sid + " closed (",
	}
	for _, w := range want {
		found := false
		for _, l := range lines {
			if strings.Contains(l, w) {
				found = true
				if _, err := time.Parse("2006-01-02T15:04:05.000Z", strings.Fields(l)[0]); err != nil {
					t.Errorf("line %q does not start with debug's ISO time", l)
				}
			}
		}
		if !found {
			t.Errorf("no line with %q in stderr:\n%s", w, wb.Stderr)
		}
	}
	for _, l := range lines {
		if strings.Contains(l, " socket.io:") || strings.Contains(l, " engine:polling ") {
			t.Errorf("DEBUG=engine:socket,workbook:* printed %q", l)
		}
	}
}

// TestNoRecord: --no-record creates no database and records nothing; the
// inspector says it is off.
func TestNoRecord(t *testing.T) {
	db := filepath.Join(t.TempDir(), "workbook.db")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--no-record", "--db", db)
	if !strings.Contains(wb.Stdout.String(), "recording is off") {
		t.Errorf("stdout:\n%s", wb.Stdout)
	}
	goClientSession(t, wb.URL, []string{"polling"})
	if code, _ := get(t, wb.URL+"/inspector/"); code != http.StatusNotFound {
		t.Errorf("inspector without a database: %d", code)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("--no-record created %s: %v", db, err)
	}

	// The variable does the same.
	t.Setenv("WORKBOOK_NO_RECORD", "true")
	wb = startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	goClientSession(t, wb.URL, []string{"polling"})
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("WORKBOOK_NO_RECORD=true created %s: %v", db, err)
	}

	// With a database already there, the inspector shows it and nothing
	// is added to it.
	run(t, "import", "--db", db, fixture)
	wb = startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	goClientSession(t, wb.URL, []string{"polling"})
	if code, body := get(t, wb.URL+"/inspector/"); code != http.StatusOK || !strings.Contains(body, pollingSID) {
		t.Errorf("inspector of an existing database with recording off: %d\n%s", code, body)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	var list []sessionJSON
	if err := json.Unmarshal([]byte(run(t, "sessions", "--db", db, "--json")), &list); err != nil || len(list) != 2 {
		t.Errorf("sessions after a run with recording off: %d, %v", len(list), err)
	}
}

// TestServeFlushesOnShutdown: a client still connected when serve stops is
// recorded to its close, and the home page points to the inspector.
func TestServeFlushesOnShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "workbook.db")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--keep", "7d", "--max-db-size", "1GB")
	if code, body := get(t, wb.URL+"/"); code != 200 || !strings.Contains(body, `href="/inspector/"`) {
		t.Errorf("home page: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, wb.URL, client.Options{Transports: []string{"websocket"}, NoReconnection: true, ForceNew: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Disconnect()
	// The ack says the server has the event, so its observer has been
	// told: what is queued must now reach the file before serve exits.
	if _, err := s.EmitWithAck(ctx, "echo", "before the end"); err != nil {
		t.Fatal(err)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	out := run(t, "sessions", "--db", db, "--json")
	if !strings.Contains(out, `"close_reason": "forced close"`) && !strings.Contains(out, `"close_reason": "server shutting down"`) {
		t.Errorf("the session's end is not recorded:\n%s", out)
	}
	if out := run(t, "packets", "--db", db, "--event", "echo", "--dir", "in"); !strings.Contains(out, `["before the end"]`) {
		t.Errorf("the event is not recorded:\n%s", out)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:3000": true,
		"127.0.0.2:0":    true,
		"localhost:3000": true,
		"LocalHost:1":    true,
		"[::1]:3000":     true,
		":3000":          false,
		"0.0.0.0:3000":   false,
		"[::]:3000":      false,
		"10.1.2.3:3000":  false,
		"example.org:80": false,
		"nonsense":       false,
	} {
		if got := loopbackOnly(addr); got != want {
			t.Errorf("loopbackOnly(%q) = %v", addr, got)
		}
	}
	if tok, gen := inspectorToken("127.0.0.1:3000", ""); tok != "" || gen {
		t.Errorf("loopback: token %q generated %v", tok, gen)
	}
	if tok, gen := inspectorToken(":3000", "given"); tok != "given" || gen {
		t.Errorf("given: token %q generated %v", tok, gen)
	}
	tok, gen := inspectorToken(":3000", "")
	tok2, _ := inspectorToken("0.0.0.0:3000", "")
	if !gen || len(tok) < 20 || tok == tok2 {
		t.Errorf("all interfaces: token %q, %q generated %v", tok, tok2, gen)
	}
}

// TestInspectorToken: a token given on a loopback address is required by
// the inspector pages, and the Socket.IO server does not need it.
func TestInspectorToken(t *testing.T) {
	t.Setenv("WORKBOOK_INSPECTOR_TOKEN", "s3cret")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db"))
	if out := wb.Stdout.String(); !strings.Contains(out, "inspector: "+wb.URL+"/inspector/ (the token of --inspector-token is required)") || strings.Contains(out, "s3cret") {
		t.Errorf("stdout:\n%s", out)
	}
	if code, _ := get(t, wb.URL+"/inspector/"); code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("inspector without the token: %d", code)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(wb.URL + "/inspector/?token=s3cret")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("inspector with the token: %d", res.StatusCode)
	}
	if code, _ := get(t, wb.URL+"/classroom/data.json"); code != http.StatusUnauthorized {
		t.Errorf("classroom without the token: %d", code)
	}
	if code, body := get(t, wb.URL+"/socket.io/?EIO=4&transport=polling"); code != 200 || !strings.HasPrefix(body, `0{"sid":"`) {
		t.Errorf("socket.io handshake: %d %q", code, body)
	}
}

// TestTestServerRecords: testserver records when given --db.
func TestTestServerRecords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ts.db")
	wb := startWorkbook(t, "testserver", "--addr", "127.0.0.1:0", "--db", db)
	if code, _ := get(t, wb.URL+"/socket.io/?EIO=4&transport=polling"); code != 200 {
		t.Fatalf("handshake: %d", code)
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "packets", "--db", db); !strings.Contains(out, " out  polling    open ") {
		t.Errorf("packets of testserver:\n%s", out)
	}
}

// TestInspectorTokenGenerated: on every interface (0.0.0.0; the test only
// talks to 127.0.0.1), serve makes a token, prints the inspector's URL with
// it, and the pages require it.
func TestInspectorTokenGenerated(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "0.0.0.0:0", "--db", filepath.Join(t.TempDir(), "w.db"))
	base := strings.Replace(wb.URL, "//localhost:", "//127.0.0.1:", 1)
	out := wb.Stdout.String()
	i := strings.Index(out, "inspector: "+wb.URL+"/inspector/?token=")
	if i < 0 || !strings.Contains(out, "(the token is required: 0.0.0.0:0 is not loopback only)") {
		t.Fatalf("stdout:\n%s", out)
	}
	token := strings.Fields(out[i+len("inspector: "+wb.URL+"/inspector/?token="):])[0]
	if len(token) < 20 {
		t.Errorf("token %q", token)
	}
	if code, _ := get(t, base+"/inspector/"); code != http.StatusUnauthorized {
		t.Errorf("inspector without the token: %d", code)
	}
	if code, _ := get(t, base+"/inspector/?token=wrong"); code != http.StatusUnauthorized {
		t.Errorf("inspector with a wrong token: %d", code)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(base + "/inspector/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("inspector with the token: %d", res.StatusCode)
	}

	// The classroom shows everyone's progress: the same token guards it.
	if !strings.Contains(out, "classroom: "+wb.URL+"/classroom/?token="+token) {
		t.Errorf("no classroom URL in stdout:\n%s", out)
	}
	for _, path := range []string{"/classroom/", "/classroom/data.json", "/classroom/table", "/classroom/?token=wrong"} {
		if code, _ := get(t, base+path); code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, code)
		}
	}
	res, err = c.Get(base + "/classroom/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.RawQuery != "" {
		t.Errorf("classroom with the token: %d at %s", res.StatusCode, res.Request.URL)
	}
	if res, err = c.Get(base + "/classroom/data.json"); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("classroom data with the cookie: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/classroom/data.json", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("classroom data with a bearer token: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestClassroomOpenOnLoopback: with no token (loopback only), the
// classroom is open, as the inspector is.
func TestClassroomOpenOnLoopback(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db"))
	if out := wb.Stdout.String(); !strings.Contains(out, "classroom: "+wb.URL+"/classroom/\n") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, path := range []string{"/classroom/", "/classroom/data.json"} {
		if code, _ := get(t, wb.URL+path); code != http.StatusOK {
			t.Errorf("%s on loopback: %d", path, code)
		}
	}
}
