package jsserver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestReconnectInJavaScript checks errors/reconnect's server.js with the
// step's settings and checks: each connection is numbered, a cut
// connection is logged with its reason, and the client that comes back
// ticks "cut". (Its contract with the official client POSTs the Site's
// fault buttons, which come with the wiring; here the test cuts the
// sessions itself, as the Site's cut does.)
func TestReconnectInJavaScript(t *testing.T) {
	mux := http.NewServeMux()
	ss := startStep(t, mux, "errors/reconnect")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	welcome := make(chan float64, 8)
	s, err := client.New(srv.URL, client.Options{
		Path:              "/lessons/errors/reconnect/socket.io/",
		Header:            http.Header{"Cookie": {step.BrowserCookie + "=ann"}},
		NoAutoConnect:     true,
		ReconnectionDelay: 100 * time.Millisecond,
		Auth:              map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Manager().Close() })
	s.On("welcome", func(e *client.Event) {
		n, _ := e.Arg(0).(float64)
		welcome <- n
	})
	s.Connect()
	next := func() float64 {
		t.Helper()
		select {
		case n := <-welcome:
			return n
		case <-time.After(10 * time.Second):
			t.Fatal("no welcome within 10 s")
		}
		return 0
	}
	if n := next(); n != 1 {
		t.Fatalf("first welcome: %v", n)
	}
	ss.checker.Caused("ann", step.FaultCut)
	for _, sess := range ss.in.Server().Engine().Sessions() {
		sess.Faults().Drop()
	}
	if n := next(); n != 2 {
		t.Fatalf("welcome after the cut: %v", n)
	}
	waitLog(t, ss.log, "A user connected: connection 1 since the server started",
		"A user disconnected: transport close", "A user connected: connection 2 since the server started")
	ss.waitDone(t, "ann", "cut")
}
