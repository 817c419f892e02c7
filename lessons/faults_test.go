package lessons_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// post sends an empty POST with header and returns the status and body.
func post(t testing.TB, url string, header http.Header) (int, string) {
	t.Helper()
	res, body := request(t, "POST", url, header)
	return res.StatusCode, body
}

// The fault endpoint answers what it did, or why not, and only to a POST
// from the workbook's own pages.
func TestFaultRequests(t *testing.T) {
	_, base := startSite(t, lessons.Options{})
	faults := base + "/lessons/errors/reconnect/faults/"
	with := func(h http.Header, k, v string) http.Header {
		h = h.Clone()
		h.Set(k, v)
		return h
	}
	me := cookie("fault-test")
	for _, c := range []struct {
		name   string
		url    string
		header http.Header
		status int
		error  string
	}{
		{"a step without faults", base + "/lessons/hello/connect/faults/cut", me, 404, `offers no fault "cut"`},
		{"an unknown fault", faults + "flood", me, 404, `offers no fault "flood"`},
		{"from another site", faults + "cut", with(me, "Origin", "http://evil.example"), 403, "own pages"},
		{"a cross-site fetch", faults + "cut", with(me, "Sec-Fetch-Site", "cross-site"), 403, "own pages"},
		{"no browser id", faults + "cut", nil, 400, "no browser id"},
		{"no client connected", faults + "stop-pings", me, 409, "no client of this browser"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, c.url, c.header)
			var reply struct{ Error string }
			if status != c.status || json.Unmarshal([]byte(body), &reply) != nil || !strings.Contains(reply.Error, c.error) {
				t.Errorf("POST = %d %s, want %d with %q", status, body, c.status, c.error)
			}
		})
	}
	// A GET is a page request like any other: no fault.
	if res, _ := get(t, faults+"restart", me); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET = %d, want 404", res.StatusCode)
	}
}

// A cut reaches the requesting browser's clients only, and they come back
// by themselves; a client cut while its pings were stopped did not time
// out, and its timeout task stays unticked.
func TestFaultCutIsPerBrowser(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	dial := func(browser string) (*client.Socket, chan string, chan struct{}) {
		return dialReconnect(ctx, t, base, browser)
	}
	_, mineGone, mineBack := dial("cut-me")
	other, otherGone, _ := dial("leave-me")
	// Pings stopped, then the connection cut before the client gives up:
	// the client comes back after the cut, not after a ping timeout.
	if status, body := post(t, base+"/lessons/errors/reconnect/faults/stop-pings", cookie("cut-me")); status != 200 {
		t.Fatalf("POST stop-pings = %d %s", status, body)
	}
	status, body := post(t, base+"/lessons/errors/reconnect/faults/cut", cookie("cut-me"))
	if status != 200 || !strings.Contains(body, `"clients":1`) {
		t.Fatalf("POST cut = %d %s", status, body)
	}
	select {
	case r := <-mineGone:
		if r != "transport close" && r != "transport error" {
			t.Errorf("cut client: disconnect %q", r)
		}
	case <-ctx.Done():
		t.Fatal("the cut client did not notice")
	}
	select {
	case <-mineBack:
	case <-ctx.Done():
		t.Fatal("the cut client is not back")
	}
	waitDone(t, site, "cut-me", "errors/reconnect/cut")
	done, err := site.Store().Done(ctx, "cut-me")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := done[lessons.TaskKey{Lesson: "errors", Step: "reconnect", Task: "timeout"}]; ok {
		t.Error("timeout ticked for a client that was cut, not timed out")
	}
	untouched(t, other, otherGone)
}

// A learner's restart is a restart of the server as that browser sees it:
// its clients are disconnected, its handshakes answer 503 for the outage,
// and its clients come back and tick the task. Another browser's clients
// see nothing. Restarting the step's server for everyone (?scope=step)
// takes Options.Authorize, as the classroom does.
func TestFaultRestartIsPerBrowser(t *testing.T) {
	site, base := startSite(t, lessons.Options{
		Authorize: func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") == "Bearer s3cret" {
				return true
			}
			http.Error(w, "the token is required", http.StatusUnauthorized)
			return false
		},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const path = "/lessons/errors/reconnect/socket.io/"
	_, mineGone, mineBack := dialReconnect(ctx, t, base, "restart-me")
	other, otherGone, _ := dialReconnect(ctx, t, base, "leave-me-be")
	handshake := func(browser string) int {
		res, _ := get(t, base+path+"?EIO=4&transport=polling", cookie(browser))
		return res.StatusCode
	}

	status, body := post(t, base+"/lessons/errors/reconnect/faults/restart", cookie("restart-me"))
	if status != http.StatusAccepted || !strings.Contains(body, `"outage":3000`) || !strings.Contains(body, `"clients":1`) {
		t.Fatalf("POST restart = %d %s", status, body)
	}
	if status, body := post(t, base+"/lessons/errors/reconnect/faults/restart", cookie("restart-me")); status != http.StatusConflict {
		t.Errorf("a second restart during the outage = %d %s, want 409", status, body)
	}
	select {
	case r := <-mineGone:
		if r != "transport close" {
			t.Errorf("restarted client: disconnect %q", r)
		}
	case <-ctx.Done():
		t.Fatal("the restarted client did not notice")
	}
	// The outage is 3 s: these run well inside it on any machine that
	// answers a request in less than that.
	if code := handshake("restart-me"); code != http.StatusServiceUnavailable {
		t.Errorf("a handshake of the restarted browser during the outage: %d, want 503", code)
	}
	if code := handshake("leave-me-be"); code != http.StatusOK {
		t.Errorf("a handshake of another browser during the outage: %d, want 200", code)
	}
	select {
	case <-mineBack:
	case <-ctx.Done():
		t.Fatal("the restarted client is not back")
	}
	waitDone(t, site, "restart-me", "errors/reconnect/restart")
	untouched(t, other, otherGone)
	if done, err := site.Store().Done(ctx, "leave-me-be"); err != nil || len(done) != 0 {
		t.Errorf("the other browser ticked %v (%v)", done, err)
	}

	// The whole step: the token, or nothing.
	if status, body := post(t, base+"/lessons/errors/reconnect/faults/restart?scope=step", cookie("restart-me")); status != http.StatusUnauthorized {
		t.Errorf("a restart of the step without the token = %d %s, want 401", status, body)
	}
	select {
	case r := <-otherGone:
		t.Fatalf("a refused restart disconnected the other browser: %q", r)
	default:
	}
	h := cookie("restart-me")
	h.Set("Authorization", "Bearer s3cret")
	if status, body := post(t, base+"/lessons/errors/reconnect/faults/restart?scope=step", h); status != http.StatusAccepted {
		t.Fatalf("a restart of the step with the token = %d %s, want 202", status, body)
	}
	select {
	case <-otherGone:
	case <-ctx.Done():
		t.Fatal("the step's restart did not reach the other browser")
	}
}

// dialReconnect connects a client of errors/reconnect as browser, which
// reconnects by itself within a fraction of a second, and returns it with
// its disconnect reasons and its connections (the first one taken).
func dialReconnect(ctx context.Context, t *testing.T, base, browser string) (*client.Socket, chan string, chan struct{}) {
	t.Helper()
	s := reconnectClient(t, base, browser)
	gone := make(chan string, 8)
	s.OnDisconnect(func(r client.Reason) { gone <- string(r) })
	back := make(chan struct{}, 8)
	s.OnConnect(func() { back <- struct{}{} })
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	<-back
	t.Cleanup(s.Disconnect)
	return s, gone, back
}

// reconnectClient returns a client of errors/reconnect as browser, not
// connected yet, which reconnects within a fraction of a second.
func reconnectClient(t *testing.T, base, browser string) *client.Socket {
	t.Helper()
	s, err := client.New(base, client.Options{
		Path: "/lessons/errors/reconnect/socket.io/", ForceNew: true, NoAutoConnect: true, Header: cookie(browser),
		ReconnectionDelay: 50 * time.Millisecond, ReconnectionDelayMax: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// untouched checks that a client of another browser was not disconnected.
func untouched(t *testing.T, other *client.Socket, gone chan string) {
	t.Helper()
	select {
	case r := <-gone:
		t.Errorf("the other browser's client was disconnected too: %q", r)
	default:
	}
	if !other.Connected() {
		t.Error("the other browser's client is not connected")
	}
}
