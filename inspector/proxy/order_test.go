package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPollingPostRecordedFirst: a POST's packets are recorded when the POST
// comes, before the target answers anything it causes on the pending GET.
// They were recorded when the POST's own answer came back, after that
// reply, so the reply came first in the session.
func TestPollingPostRecordedFirst(t *testing.T) {
	answer := make(chan string, 1)
	delivered := make(chan struct{})
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("sid") == "":
			io.WriteString(w, `0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`)
		case r.Method == http.MethodGet:
			select {
			case body := <-answer:
				io.WriteString(w, body)
			case <-r.Context().Done():
			}
		default:
			io.ReadAll(r.Body)
			answer <- `42["reply"]`
			// Answer the POST only once the reply has reached the client.
			select {
			case <-delivered:
			case <-r.Context().Done():
			}
			io.WriteString(w, "ok")
		}
	}))
	defer target.Close()
	e := startProxy(t, target.URL)
	base := e.URL + "/socket.io/?EIO=4&transport=polling"
	since := time.Now().Add(-time.Second)
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()

	posted := make(chan error, 1)
	go func() {
		resp, err := http.Post(base+"&sid=S1", "text/plain", strings.NewReader(`42["ask"]`))
		if err == nil {
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		posted <- err
	}()
	resp, err = http.Get(base + "&sid=S1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `42["reply"]` {
		t.Fatalf("GET answered %q", body)
	}
	close(delivered)
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ps := range sessionsSince(t, e, since) {
		for _, p := range ps {
			got = append(got, p.Dir+" "+string(p.Raw))
		}
	}
	want := []string{`out 0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`, `in 42["ask"]`, `out 42["reply"]`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("recorded\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
