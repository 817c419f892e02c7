package engine_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Session.Request rebuilds the handshake request from what the session
// keeps of it: method, URL, headers (every value, in order), host, remote
// address, protocol; with no body and a background context.
func TestSessionRequestKeepsHandshake(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	header := http.Header{"X-Multi": {"one", "two, three"}, "Cookie": {"a=1; b=2"}, "X-Empty": {""}}
	status, _, _ := e.do(http.MethodGet, e.url("EIO=4&transport=polling&q=%C3%A9+x&t=1"), "", header)
	if status != http.StatusOK {
		t.Fatalf("handshake = %d", status)
	}
	s := e.h.session(t)
	r := s.Request()
	if r2 := s.Request(); r2 == r || r2.Header.Get("Cookie") != "a=1; b=2" {
		t.Error("a second call returned the same request, or another one")
	}
	if r.Method != http.MethodGet || r.Proto != "HTTP/1.1" || r.ProtoMajor != 1 || r.ProtoMinor != 1 {
		t.Errorf("method %q, proto %q %d.%d", r.Method, r.Proto, r.ProtoMajor, r.ProtoMinor)
	}
	if q := r.URL.Query(); q.Get("q") != "é x" || q.Get("transport") != "polling" || r.URL.Path != "/engine.io/" {
		t.Errorf("URL = %v", r.URL)
	}
	if !strings.HasPrefix(r.RequestURI, "/engine.io/?EIO=4&transport=polling&q=%C3%A9+x") {
		t.Errorf("RequestURI = %q", r.RequestURI)
	}
	for k, want := range header {
		if got := r.Header.Values(k); !slices.Equal(got, want) {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if r.Host != strings.TrimPrefix(e.ts.URL, "http://") || r.RemoteAddr == "" || r.TLS != nil {
		t.Errorf("host %q, remote %q, TLS %v", r.Host, r.RemoteAddr, r.TLS)
	}
	if r.Body != http.NoBody || r.Context() != context.Background() {
		t.Errorf("body %v, context %v", r.Body, r.Context())
	}
}
