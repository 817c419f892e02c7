package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/sioworkbook/workbook/internal/browserid"
	"github.com/sioworkbook/workbook/sio"
)

// Cookies the inspector reads and sets.
const (
	// ClientCookieName holds a browser's id: the recorder reads it from
	// every handshake request, so that a browser's sessions can be told
	// apart from the others'.
	ClientCookieName = "wb_client"
	// tokenCookie holds proof that the browser gave the inspector token.
	tokenCookie = "wb_inspector"
)

// ClientCookie returns the browser id from r, setting a new "wb_client"
// cookie on w when r has none (or a malformed one). The cookie is HttpOnly,
// for the whole site (every lesson server and the inspector see it), and
// lasts a year. Call it before writing the response body.
func ClientCookie(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(ClientCookieName); err == nil && browserid.Valid(c.Value) {
		return c.Value
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name:     ClientCookieName,
		Value:    id,
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	// Let the rest of this request see it too.
	r.AddCookie(&http.Cookie{Name: ClientCookieName, Value: id})
	return id
}

// tokenProof is what the token cookie holds: a hash of the token, so that
// the token itself is not stored in the browser.
func tokenProof(token string) string {
	sum := sha256.Sum256([]byte("socket.io workbook inspector\x00" + token))
	return hex.EncodeToString(sum[:])
}

// equal compares a token given with the real one in constant time: both
// are hashed first, so that not even the length of the real one shows in
// how long a wrong guess takes (subtle.ConstantTimeCompare returns at once
// on a length mismatch).
func equal(given, want string) bool {
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// hasToken reports whether a request carries the token's cookie.
func (h *Handler) hasToken(cookies []*http.Cookie) bool { return hasToken(h.opts.Token, cookies) }

func hasToken(token string, cookies []*http.Cookie) bool {
	for _, c := range cookies {
		if c.Name == tokenCookie && equal(c.Value, tokenProof(token)) {
			return true
		}
	}
	return false
}

// authorized is the token check of the inspector's own pages: the same as
// Guard's.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	return guard(h.opts.Token, Prefix, w, r)
}

// Guard returns the inspector's token check for pages that show what the
// inspector shows, mounted elsewhere (the lessons' classroom at
// "/classroom/"): the same token, the same 401 page. The check lets a
// request through when token is empty (the workbook listens on loopback
// only), when it carries the token's cookie (set for cookiePath), or an
// "Authorization: Bearer <token>" header (scripts). A request with ?token=
// that matches gets the cookie and is redirected to the same URL without
// the token (so that it stays out of the history and of Referer headers);
// anything else gets the 401 page. The check writes the response when it
// returns false.
func Guard(token, cookiePath string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		return guard(token, cookiePath, w, r)
	}
}

func guard(token, cookiePath string, w http.ResponseWriter, r *http.Request) bool {
	if token == "" {
		return true
	}
	if bearer(r, token) {
		return true
	}
	q := r.URL.Query()
	if given, ok := q["token"]; ok {
		if len(given) == 1 && equal(given[0], token) {
			http.SetCookie(w, &http.Cookie{
				Name:     tokenCookie,
				Value:    tokenProof(token),
				Path:     cookiePath,
				HttpOnly: true,
				Secure:   r.TLS != nil,
				SameSite: http.SameSiteLaxMode,
			})
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return false
		}
		unauthorized(w, r, true)
		return false
	}
	if hasToken(token, r.Cookies()) {
		return true
	}
	unauthorized(w, r, false)
	return false
}

// bearer reports whether r carries "Authorization: Bearer <token>".
func bearer(r *http.Request, token string) bool {
	given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && equal(given, token)
}

func unauthorized(w http.ResponseWriter, r *http.Request, tried bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	unauthorizedPage(r.URL.Path, tried).Render(r.Context(), w)
}

// access is what a live-feed socket may watch.
type access struct {
	all    bool   // the token was given (or none is needed): every room
	client string // the browser's id (its wb_client cookie), "" if none
}

// liveAuth is the live feed's middleware. A socket whose handshake carries
// the token's cookie (or the token in its auth payload, {"token": ...}, or
// an "Authorization: Bearer" header) may
// watch everything; one with only a wb_client cookie may watch its own
// browser's sessions; any other is refused.
func (h *Handler) liveAuth(s *sio.Socket) error {
	hs := s.Handshake()
	req := http.Request{Header: hs.Headers}
	a := &access{all: h.opts.Token == ""}
	if c, err := req.Cookie(ClientCookieName); err == nil && browserid.Valid(c.Value) {
		a.client = c.Value
	}
	if !a.all {
		if t, ok := hs.Auth["token"].(string); ok && equal(t, h.opts.Token) {
			a.all = true
		} else if h.hasToken(req.Cookies()) || bearer(&req, h.opts.Token) {
			a.all = true
		}
	}
	if !a.all && a.client == "" {
		return &sio.ConnectError{Message: "unauthorized", Data: map[string]any{"reason": "the inspector token is required"}}
	}
	s.SetData(a)
	return nil
}

func accessOf(s *sio.Socket) *access {
	a, _ := s.Data().(*access)
	if a == nil {
		return &access{}
	}
	return a
}

// roomFor names the room of a watch request.
func roomFor(kind, arg string) string {
	return strings.TrimSuffix(kind+":"+arg, ":")
}

// sameOrigin refuses live-feed requests that a page of another origin
// makes: a WebSocket carries the browser's cookies whatever page opens it,
// and CORS does not stop it from reading the feed. Requests with no Origin
// header (tools, Go clients) pass; so do pages of the inspector's own
// origin, lesson pages included.
func sameOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || !strings.EqualFold(u.Host, r.Host) {
		return errCrossOrigin
	}
	return nil
}

var errCrossOrigin = errors.New("cross-origin requests are not allowed")

// LoopbackHosts lets through only the requests whose Host names this
// machine: "localhost", an address of 127.0.0.0/8 or [::1], with any port.
// Anything else gets 403. A workbook listening on loopback alone has no
// token, so without it a page of another site whose name the attacker
// points at 127.0.0.1 (DNS rebinding) would be same-origin with the
// workbook: it could read the inspector and the classroom, open the live
// feed and cause faults. Browsers always send the name they resolved, so
// such a request carries the attacker's name and stops here.
func LoopbackHosts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "Host %q is not allowed: the workbook listens on loopback and answers only to localhost, 127.0.0.1 and [::1].\n", r.Host)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether host (a Host header: a name or an address,
// with or without a port) names this machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}
