package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector/web"
)

// TestToken: with a token, pages answer 401 until ?token= has set the
// HttpOnly cookie; the assets and the client script stay public (lesson
// pages embed the panel).
func TestToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{Token: "s3cret"})
	for _, path := range []string{"/inspector/", "/inspector/tail", "/inspector/sessions/x", "/inspector/nothing"} {
		res, body := e.get(nil, path)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `name="token"`) {
			t.Errorf("%s without the token: %d", path, res.StatusCode)
		}
	}
	res, body := e.get(nil, "/inspector/tail?token=wrong")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not the right one") {
		t.Errorf("a wrong token: %d", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("a wrong token set cookies %v", res.Cookies())
	}

	jar := newJar(t)
	c := noRedirects(jar)
	res, _ = e.get(c, "/inspector/tail?debug=engine*&token=s3cret")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/inspector/tail?debug=engine%2A" {
		t.Errorf("the right token: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "wb_inspector" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.Path != "/inspector/" || strings.Contains(cookie.Value, "s3cret") {
		t.Fatalf("token cookie %+v", cookie)
	}
	for _, path := range []string{"/inspector/", "/inspector/tail"} {
		if res, _ := e.get(c, path); res.StatusCode != http.StatusOK {
			t.Errorf("%s with the cookie: %d", path, res.StatusCode)
		}
	}
	// A cookie made up without the token does not pass.
	forged := noRedirects(newJar(t))
	forged.Jar.SetCookies(mustURL(t, e.URL+"/inspector/"), []*http.Cookie{{Name: "wb_inspector", Value: "s3cret"}})
	if res, _ := e.get(forged, "/inspector/"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a forged cookie: %d", res.StatusCode)
	}

	for _, path := range []string{"/inspector/static/inspector.css", "/inspector/static/panel.js", "/inspector/socket.io/socket.io.js"} {
		if res, _ := e.get(nil, path); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
}

// TestClientCookie: a browser gets an id once and keeps it.
func TestClientCookie(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/lessons/x", nil)
	id := web.ClientCookie(w, r)
	cs := w.Result().Cookies()
	if len(id) != 32 || len(cs) != 1 || cs[0].Name != "wb_client" || cs[0].Value != id || !cs[0].HttpOnly || cs[0].Path != "/" {
		t.Fatalf("new id %q, cookies %+v", id, cs)
	}
	if again := web.ClientCookie(httptest.NewRecorder(), r); again != id {
		t.Errorf("the same request got %q then %q", id, again)
	}

	w = httptest.NewRecorder()
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "wb_client", Value: id})
	if got := web.ClientCookie(w, r); got != id || len(w.Result().Cookies()) != 0 {
		t.Errorf("a known browser got %q and cookies %v", got, w.Result().Cookies())
	}

	w = httptest.NewRecorder()
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "wb_client", Value: "<bad id>"})
	if got := web.ClientCookie(w, r); got == "<bad id>" || len(w.Result().Cookies()) != 1 {
		t.Errorf("a malformed id was kept: %q", got)
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestBearerToken: scripts may send the token as "Authorization: Bearer",
// on the inspector's pages as on the classroom; a wrong one is refused.
func TestBearerToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{Token: "s3cret"})
	for _, c := range []struct {
		header string
		want   int
	}{
		{"Bearer s3cret", http.StatusOK},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Bearer  s3cret", http.StatusUnauthorized},
		{"bearer s3cret", http.StatusUnauthorized},
		{"Basic s3cret", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
	} {
		req, err := http.NewRequest("GET", e.URL+"/inspector/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", c.header)
		res, err := noRedirects(nil).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.header, res.StatusCode, c.want)
		}
	}
}

// TestLoopbackHosts: behind LoopbackHosts only the names of this machine
// reach the handler, so that a page of another site whose name resolves to
// 127.0.0.1 (DNS rebinding) gets nothing from a workbook with no token.
func TestLoopbackHosts(t *testing.T) {
	t.Parallel()
	h := web.LoopbackHosts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"localhost:3000", true},
		{"LOCALHOST:3000", true},
		{"127.0.0.1:3000", true},
		{"127.0.0.1", true},
		{"127.1.2.3:80", true},
		{"[::1]:3000", true},
		{"[::1]", true},
		{"attacker.example:3000", false},
		{"attacker.example", false},
		{"localhost.attacker.example:3000", false},
		{"127.0.0.1.attacker.example:3000", false},
		{"attacker.localhost:3000", false},
		{"localhost.:3000", false},
		{"0.0.0.0:3000", false},
		{"10.0.0.1:3000", false},
		{"[::ffff:8.8.8.8]:3000", false},
		{"[fe80::1]:3000", false},
		{"", false},
		{":3000", false},
	} {
		r := httptest.NewRequest("GET", "/inspector/", nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Code == http.StatusTeapot; got != c.ok {
			t.Errorf("Host %q: %d, want passed=%v", c.host, w.Code, c.ok)
		}
		if !c.ok && (w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Host")) {
			t.Errorf("Host %q refused with %d %q, want 403 naming the Host", c.host, w.Code, w.Body.String())
		}
	}
}
