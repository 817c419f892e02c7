// Package uilang chooses the language of a page, the same way for the
// lessons and the inspector: ?lang= (remembered in the wb_lang cookie),
// then the cookie, then the browser's Accept-Language, then English.
package uilang

import (
	"net/http"
	"strconv"
	"strings"
)

// Cookie remembers the language a browser chose.
const Cookie = "wb_lang"

// Valid reports whether s is one of langs.
func Valid(s string, langs []string) bool {
	for _, l := range langs {
		if l == s {
			return true
		}
	}
	return false
}

// Choose picks the language of a page among langs, the first of which is
// the default: ?lang= (and then it sets the cookie), the cookie, the
// Accept-Language header.
func Choose(w http.ResponseWriter, r *http.Request, langs []string) string {
	if l := r.URL.Query().Get("lang"); Valid(l, langs) {
		http.SetCookie(w, &http.Cookie{Name: Cookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(Cookie); err == nil && Valid(c.Value, langs) {
		return c.Value
	}
	return Accept(r.Header.Get("Accept-Language"), langs)
}

// Accept returns the language of langs that an Accept-Language header
// ("es-ES,es;q=0.9,en;q=0.8") prefers, or langs[0].
func Accept(header string, langs []string) string {
	best, bestQ := langs[0], 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if Valid(base, langs) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}
