package uilang_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sioworkbook/workbook/internal/uilang"
)

var langs = []string{"en", "es"}

func TestAccept(t *testing.T) {
	for header, want := range map[string]string{
		"": "en", "es": "es", "es-ES,es;q=0.9,en;q=0.8": "es", "en-GB,en;q=0.9,es;q=0.5": "en",
		"fr-FR,fr;q=0.9,es;q=0.4": "es", "fr": "en", "es;q=0.2,en;q=0.3": "en", "ES-mx": "es",
	} {
		if got := uilang.Accept(header, langs); got != want {
			t.Errorf("Accept(%q) = %s, want %s", header, got, want)
		}
	}
}

// TestChoose: ?lang= wins and sets the cookie; then the cookie; then the
// header; a value that is no language is ignored.
func TestChoose(t *testing.T) {
	for _, c := range []struct {
		url, cookie, accept, want string
		sets                      bool
	}{
		{"/?lang=es", "", "en", "es", true},
		{"/?lang=en", "es", "es", "en", true},
		{"/", "es", "en", "es", false},
		{"/", "", "es-AR", "es", false},
		{"/?lang=xx", "zz", "es", "es", false},
		{"/", "", "", "en", false},
	} {
		r := httptest.NewRequest("GET", c.url, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: uilang.Cookie, Value: c.cookie})
		}
		r.Header.Set("Accept-Language", c.accept)
		w := httptest.NewRecorder()
		if got := uilang.Choose(w, r, langs); got != c.want {
			t.Errorf("%s cookie %q accept %q: %s, want %s", c.url, c.cookie, c.accept, got, c.want)
		}
		if set := w.Header().Get("Set-Cookie") != ""; set != c.sets {
			t.Errorf("%s: cookie set %v", c.url, set)
		}
	}
}
