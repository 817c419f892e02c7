package sio_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

const (
	testScript = "window.io = function io() {};\n"
	testModule = "export default 1;\n"
)

func clientServer(t *testing.T, cfg sio.Config) *sio.Server {
	t.Helper()
	io := sio.NewServer(cfg)
	t.Cleanup(func() { io.Close() })
	return io
}

func get(h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestClientScriptServed(t *testing.T) {
	io := clientServer(t, sio.Config{ClientScript: []byte(testScript), ClientModule: []byte(testModule)})
	for _, tc := range []struct{ path, body string }{
		{"/socket.io/socket.io.js", testScript},
		{"/socket.io/socket.io.min.js", testScript},
		{"/socket.io/socket.io.esm.min.js", testModule},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := get(io, "GET", tc.path, nil)
			if w.Code != http.StatusOK || w.Body.String() != tc.body {
				t.Fatalf("GET %s = %d %q, want 200 %q", tc.path, w.Code, w.Body, tc.body)
			}
			h := w.Result().Header
			for name, want := range map[string]string{
				"Content-Type":                "application/javascript; charset=utf-8",
				"Cache-Control":               "public, max-age=0",
				"Content-Length":              strconv.Itoa(len(tc.body)),
				"Access-Control-Allow-Origin": "*",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			etag := h.Get("ETag")
			if len(etag) != 34 || etag[0] != '"' || etag[33] != '"' || strings.HasPrefix(etag, "W/") {
				t.Errorf("ETag %q, want a strong quoted 32-hex-digit tag", etag)
			}
		})
	}
}

func TestClientScriptETag(t *testing.T) {
	io := clientServer(t, sio.Config{ClientScript: []byte(testScript)})
	etag := get(io, "GET", "/socket.io/socket.io.js", nil).Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	for _, tc := range []struct {
		ifNoneMatch string
		want        int
	}{
		{etag, http.StatusNotModified},
		{"W/" + etag, http.StatusNotModified},
		{`"other", ` + etag, http.StatusNotModified},
		{"*", http.StatusNotModified},
		{`"other"`, http.StatusOK},
		{strings.Trim(etag, `"`), http.StatusOK}, // unquoted: not the same tag
	} {
		w := get(io, "GET", "/socket.io/socket.io.js", http.Header{"If-None-Match": {tc.ifNoneMatch}})
		if w.Code != tc.want {
			t.Errorf("If-None-Match %s: %d, want %d", tc.ifNoneMatch, w.Code, tc.want)
		}
		if w.Code == http.StatusNotModified {
			if w.Body.Len() != 0 || w.Header().Get("ETag") != etag {
				t.Errorf("304 with body %q and ETag %q", w.Body, w.Header().Get("ETag"))
			}
		}
	}

	// Another script, another tag: browsers fetch the new one at once.
	other := clientServer(t, sio.Config{ClientScript: []byte(testScript + "// v2\n")})
	w := get(other, "GET", "/socket.io/socket.io.js", http.Header{"If-None-Match": {etag}})
	if w.Code != http.StatusOK || w.Header().Get("ETag") == etag {
		t.Errorf("changed script: %d with ETag %s, want 200 with a new ETag", w.Code, w.Header().Get("ETag"))
	}
}

func TestClientScriptMethods(t *testing.T) {
	io := clientServer(t, sio.Config{ClientScript: []byte(testScript)})
	w := get(io, "HEAD", "/socket.io/socket.io.js", nil)
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") != strconv.Itoa(len(testScript)) {
		t.Errorf("HEAD: %d, body %q, Content-Length %q", w.Code, w.Body, w.Header().Get("Content-Length"))
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		w := get(io, method, "/socket.io/socket.io.js", nil)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q; want 405, GET, HEAD", method, w.Code, w.Header().Get("Allow"))
		}
	}
}

// TestClientScriptRange: the script is served by http.ServeContent, so a
// range request gets its part, as any static file server answers it.
func TestClientScriptRange(t *testing.T) {
	io := clientServer(t, sio.Config{ClientScript: []byte(testScript)})
	w := get(io, "GET", "/socket.io/socket.io.js", http.Header{"Range": {"bytes=0-5"}})
	if w.Code != http.StatusPartialContent || w.Body.String() != testScript[:6] {
		t.Errorf("Range bytes=0-5: %d %q, want 206 %q", w.Code, w.Body, testScript[:6])
	}
}

func TestClientScriptPathAndAbsence(t *testing.T) {
	// Under a lesson's own path.
	io := clientServer(t, sio.Config{Path: "/lessons/hello/socket.io/", ClientScript: []byte(testScript)})
	if w := get(io, "GET", "/lessons/hello/socket.io/socket.io.js", nil); w.Body.String() != testScript {
		t.Errorf("script under a custom path: %d %q", w.Code, w.Body)
	}
	if w := get(io, "GET", "/socket.io/socket.io.js", nil); w.Code != http.StatusNotFound {
		t.Errorf("outside the path: %d, want 404", w.Code)
	}
	// Without a module, the .esm name is left to Engine.IO, as is everything
	// without a ClientScript: those requests are not Engine.IO requests, so
	// they are refused (400), and the handshake still works beside them.
	plain := clientServer(t, sio.Config{})
	for _, h := range []*sio.Server{io, plain} {
		path := h.Path()
		target := path + "socket.io.esm.min.js"
		if h == plain {
			target = path + "socket.io.js"
		}
		if w := get(h, "GET", target, nil); w.Code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400 from Engine.IO", target, w.Code)
		}
	}
	if w := get(io, "GET", "/lessons/hello/socket.io/?EIO=4&transport=polling", nil); w.Code != http.StatusOK ||
		!strings.HasPrefix(w.Body.String(), `0{"sid":`) {
		t.Errorf("handshake next to the script: %d %q", w.Code, w.Body)
	}
}
