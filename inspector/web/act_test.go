package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// newActEnv is an env whose inspector acts on its two servers.
func newActEnv(t *testing.T, token string) *env {
	var e *env
	e = newEnv(t, web.Options{Token: token, Actor: web.ServersActor(func() []*sio.Server {
		return []*sio.Server{e.app, e.lesson}
	})})
	return e
}

// actRequest is an action as act.js sends it, from remote.
func actRequest(sid, remote string, form url.Values) *http.Request {
	r := httptest.NewRequest("POST", web.Prefix+"sessions/"+sid+"/act", strings.NewReader(form.Encode()))
	r.RemoteAddr = remote
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	r.Header.Set(web.ActHeader, "1")
	return r
}

// TestActGuards: an action needs the token, or, without one, a request
// from loopback; and the inspector's own origin. Refused, it reaches no
// client.
func TestActGuards(t *testing.T) {
	got := make(chan string, 10)
	listen := func(s *client.Socket) {
		s.On("poke", func(ev *client.Event) { got <- ev.String(0) })
	}
	next := func(t *testing.T) string {
		select {
		case n := <-got:
			return n
		case <-time.After(30 * time.Second):
			t.Fatal("the client got no event in 30 s")
			return ""
		}
	}
	emit := func(n string) url.Values {
		return url.Values{"action": {"emit"}, "event": {"poke"}, "args": {`["` + n + `"]`}}
	}

	t.Run("NoToken", func(t *testing.T) {
		e := newActEnv(t, "")
		s, sid := e.connect("/socket.io/", "", client.Options{})
		listen(s)
		for _, tc := range []struct {
			name   string
			req    *http.Request
			status int
		}{
			{"from another machine", actRequest(sid, "192.0.2.7:5555", emit("far")), http.StatusForbidden},
			{"cross-site", func() *http.Request {
				r := actRequest(sid, "127.0.0.1:5555", emit("evil"))
				r.Header.Set("Origin", "http://evil.example")
				return r
			}(), http.StatusForbidden},
			{"no header, no origin", func() *http.Request {
				r := actRequest(sid, "127.0.0.1:5555", emit("bare"))
				r.Header.Del(web.ActHeader)
				return r
			}(), http.StatusForbidden},
			{"no such session", actRequest("nope", "127.0.0.1:5555", emit("none")), http.StatusConflict},
			{"from loopback", actRequest(sid, "[::1]:5555", emit("near")), http.StatusOK},
		} {
			w := httptest.NewRecorder()
			e.web.ServeHTTP(w, tc.req)
			if w.Code != tc.status {
				t.Errorf("%s: %d, want %d\n%s", tc.name, w.Code, tc.status, w.Body)
			}
		}
		// Only the allowed one arrives: it is the first poke the client gets.
		if n := next(t); n != "near" {
			t.Errorf("the client got %q first", n)
		}
	})

	t.Run("Token", func(t *testing.T) {
		e := newActEnv(t, "sesame")
		s, sid := e.connect("/socket.io/", "", client.Options{})
		listen(s)
		w := httptest.NewRecorder()
		e.web.ServeHTTP(w, actRequest(sid, "192.0.2.7:5555", emit("anon")))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("without the token: %d", w.Code)
		}
		r := actRequest(sid, "192.0.2.7:5555", emit("bearer"))
		r.Header.Set("Authorization", "Bearer sesame")
		w = httptest.NewRecorder()
		e.web.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("with the token, from afar: %d\n%s", w.Code, w.Body)
		}
		if n := next(t); n != "bearer" {
			t.Errorf("the client got %q first", n)
		}
	})
}

// TestActForms: a live session's page has the action forms, in the page's
// language; without an Actor it says it can only watch; a closed
// session's page has none.
func TestActForms(t *testing.T) {
	e := newActEnv(t, "")
	s, sid := e.connect("/socket.io/", "", client.Options{})
	e.echo(s, "")
	e.flush()
	c := noRedirects(newJar(t))
	_, body := e.get(c, web.Prefix+"sessions/"+sid)
	doc := parse(t, body)
	for _, id := range []string{"wbi-act-emit", "wbi-act-rooms", "wbi-act-disconnect", "wbi-act-result"} {
		if len(find(doc, byAttr("id", id))) != 1 {
			t.Errorf("no #%s on a live session's page", id)
		}
	}
	if forms := find(doc, byAttr("id", "wbi-act-emit")); len(forms) == 1 && attr(forms[0], "action") != web.Prefix+"sessions/"+sid+"/act" {
		t.Errorf("the emit form posts to %q", attr(forms[0], "action"))
	}
	if _, body := e.get(c, web.Prefix+"sessions/"+sid+"?lang=es"); !strings.Contains(body, "Actuar sobre esta sesión") || !strings.Contains(body, ">Emitir<") {
		t.Error("the Spanish page's forms are not in Spanish")
	}

	watch := newEnv(t, web.Options{})
	s2, sid2 := watch.connect("/socket.io/", "", client.Options{})
	watch.echo(s2, "")
	watch.flush()
	if _, body := watch.get(noRedirects(newJar(t)), web.Prefix+"sessions/"+sid2); !strings.Contains(body, `id="wbi-act-off"`) || strings.Contains(body, `id="wbi-act-emit"`) {
		t.Error("an inspector with no Actor offers to act")
	}

	s.Disconnect()
	waitFor(t, "the session's end recorded", func() bool {
		e.flush()
		_, body := e.get(c, web.Prefix+"sessions/"+sid)
		return strings.Contains(body, `data-state="closed"`)
	})
	if _, body := e.get(c, web.Prefix+"sessions/"+sid); strings.Contains(body, `id="wbi-act`) {
		t.Error("a closed session's page offers to act")
	}
}
