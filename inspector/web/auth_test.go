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
