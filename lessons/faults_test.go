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
		s, err := client.New(base, client.Options{
			Path: "/lessons/errors/reconnect/socket.io/", ForceNew: true, NoAutoConnect: true,
			Header: cookie(browser), ReconnectionDelay: 50 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		reasons := make(chan string, 8)
		s.OnDisconnect(func(r client.Reason) { reasons <- string(r) })
		connected := make(chan struct{}, 8)
		s.OnConnect(func() { connected <- struct{}{} })
		if err := s.ConnectContext(ctx); err != nil {
			t.Fatal(err)
		}
		<-connected
		t.Cleanup(s.Disconnect)
		return s, reasons, connected
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
	select {
	case r := <-otherGone:
		t.Errorf("the other browser's client was disconnected too: %q", r)
	default:
	}
	if !other.Connected() {
		t.Error("the other browser's client is not connected")
	}
}
