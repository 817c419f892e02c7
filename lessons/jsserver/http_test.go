package jsserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/lessons/hello/connect"
	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// The pieces the Site's wiring mounts, mounted the same way: PUT, GET and
// DELETE of server.js for a browser, and its clients reaching its own
// instance while others reach the default (Go) server.
func TestSourceHandlerAndRoute(t *testing.T) {
	const path = "/lessons/hello/connect/socket.io/"
	finished, err := lessons.StepServerJS("hello/connect")
	if err != nil {
		t.Fatal(err)
	}
	goLog, jsLog := step.NewLog(nil), step.NewLog(nil)
	def := sio.NewServer(sio.Config{Path: path})
	connect.Setup(def, goLog)
	t.Cleanup(func() { def.Close() })

	m := &jsserver.Manager{}
	t.Cleanup(func() { m.Close() })
	browser := func(r *http.Request) string {
		if c, err := r.Cookie(step.BrowserCookie); err == nil {
			return c.Value
		}
		return ""
	}
	var stopped atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("/lessons/hello/connect/server.js", &jsserver.SourceHandler{
		Manager: m, Step: "hello/connect", Finished: finished, Browser: browser,
		Config: func(string) jsserver.Config {
			return jsserver.Config{Log: jsLog, Server: sio.Config{Path: path}, Stopped: func() { stopped.Add(1) }}
		},
	})
	mux.Handle(path, m.Route("hello/connect", browser, def))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	do := func(method, who, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/lessons/hello/connect/server.js", strings.NewReader(body))
		if who != "" {
			req.Header.Set("Cookie", step.BrowserCookie+"="+who)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	connectAs := func(who string) {
		t.Helper()
		s, err := connectTo(t, srv.URL, client.Options{Path: path, Header: http.Header{"Cookie": {step.BrowserCookie + "=" + who}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Disconnect()
	}
	edited := strings.Replace(finished, `console.log(say.connected);`, `console.log(say.connected + ", says JavaScript");`, 1)

	if res, body := do("GET", "ann", ""); res.StatusCode != 200 || body != finished || res.Header.Get("X-Workbook-Server") != "default" {
		t.Fatalf("GET before any PUT: %s %s", res.Status, res.Header.Get("X-Workbook-Server"))
	}
	res, body := do("PUT", "ann", "io.on(\"connection\", (socket) => {\n  socket.on(\n});\n")
	var e struct {
		Error string `json:"error"`
		Line  int    `json:"line"`
	}
	if res.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || e.Line != 3 || e.Error == "" {
		t.Fatalf("PUT of a syntax error: %s %s", res.Status, body)
	}
	if res, body := do("PUT", "ann", edited); res.StatusCode != 200 {
		t.Fatalf("PUT: %s %s", res.Status, body)
	}
	if res, body := do("GET", "ann", ""); body != edited || res.Header.Get("X-Workbook-Server") != "javascript" {
		t.Errorf("GET after PUT: %s", res.Header.Get("X-Workbook-Server"))
	}
	if _, body := do("GET", "bob", ""); body != finished {
		t.Error("bob sees ann's edit")
	}
	connectAs("ann")
	waitLog(t, jsLog, "A user connected, says JavaScript")
	connectAs("bob")
	waitLog(t, goLog, "A user connected")

	if res, _ := do("PUT", "", edited); res.StatusCode != 400 {
		t.Errorf("PUT without a browser: %s", res.Status)
	}
	if res, _ := do("PUT", "ann", strings.Repeat("//\n", jsserver.MaxSource)); res.StatusCode != 413 {
		t.Errorf("PUT of a huge source: %s", res.Status)
	}
	if res, body := do("DELETE", "ann", ""); res.StatusCode != 200 || !strings.Contains(body, `"running":false`) {
		t.Fatalf("DELETE: %s %s", res.Status, body)
	}
	if stopped.Load() != 1 {
		t.Errorf("Stopped called %d times, want once", stopped.Load())
	}
	connectAs("ann")
	waitLog(t, goLog, "A user connected", "A user connected") // bob's, then ann's on the default server
}
