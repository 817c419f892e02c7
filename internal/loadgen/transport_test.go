package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestPollingFraming checks the long-polling client against a stub engine
// that records what it gets: the open packet gives the sid, a GET's
// payload comes back one packet at a time without its noop, the packets
// sent while a POST is in flight go in one body joined by the record
// separator, never two POSTs at once, and close posts a close packet.
func TestPollingFraming(t *testing.T) {
	var (
		mu       sync.Mutex
		bodies   []string
		inflight atomic.Int32
		overlap  atomic.Bool
		gets     atomic.Int32
	)
	firstPost := make(chan struct{}) // the first POST has arrived
	release := make(chan struct{})   // lets the first POST answer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("EIO") != "4" || q.Get("transport") != "polling" {
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		sid := q.Get("sid")
		switch {
		case r.Method == http.MethodGet && sid == "":
			io.WriteString(w, `0{"sid":"s1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
		case sid != "s1":
			http.Error(w, `{"code":1,"message":"Session ID unknown"}`, http.StatusBadRequest)
		case r.Method == http.MethodGet:
			if gets.Add(1) == 1 {
				io.WriteString(w, "2\x1e6\x1e42[\"bcast\",1]")
				return
			}
			<-r.Context().Done() // a long poll that ends when the client goes
		case r.Method == http.MethodPost:
			if inflight.Add(1) > 1 {
				overlap.Store(true)
			}
			defer inflight.Add(-1)
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies = append(bodies, string(b))
			n := len(bodies)
			mu.Unlock()
			if n == 1 {
				close(firstPost)
				<-release
			}
			io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/socket.io/")
	p, err := dialPolling(context.Background(), newPollingClient(1), base)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 3 {
		pkt, err := p.next()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pkt)
	}
	if want := []string{`0{"sid":"s1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`, "2", `42["bcast",1]`}; !slices.Equal(got, want) {
		t.Errorf("packets %q, want %q", got, want)
	}

	first := make(chan error, 1)
	go func() { first <- p.send("40") }()
	<-firstPost
	// The first POST is in flight: these wait for it and go in one body.
	for _, pkt := range []string{"3", `42["echo","x"]`, `420["echo","y"]`} {
		if err := p.send(pkt); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	p.close()
	if _, err := p.next(); err == nil {
		t.Error("next after close: no error")
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"40", "3\x1e42[\"echo\",\"x\"]\x1e420[\"echo\",\"y\"]", "1"}; !slices.Equal(bodies, want) {
		t.Errorf("POST bodies %q, want %q", bodies, want)
	}
	if overlap.Load() {
		t.Error("two POSTs were in flight at once")
	}
}

// TestPollingErrors: a session the server does not know fails the next
// send with the server's answer, and an open packet without a sid fails
// the dial.
func TestPollingErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			io.WriteString(w, `0{"upgrades":[]}`)
			return
		}
		http.Error(w, "Session ID unknown", http.StatusBadRequest)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/socket.io/")
	hc := newPollingClient(1)
	if _, err := dialPolling(context.Background(), hc, base); err == nil {
		t.Fatal("an open packet without a sid was accepted")
	}
	p := &pollConn{http: hc, url: srv.URL + "/socket.io/?EIO=4&transport=polling&sid=gone", ctx: context.Background()}
	if err := p.send("40"); err == nil {
		t.Fatal("a POST answered 400 gave no error")
	}
	if err := p.send("3"); err == nil {
		t.Fatal("a send after a failed POST gave no error")
	}
}
