package web_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector/web"
)

// TestSpanishWords: every word the pages and scripts give tr, trf or jsWords
// has its Spanish.
func TestSpanishWords(t *testing.T) {
	files, _ := filepath.Glob("*.templ")
	gos, _ := filepath.Glob("*.go")
	files = append(files, gos...)
	call := regexp.MustCompile(`\btrf?\(ctx, "((?:[^"\\]|\\.)*)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_templ.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			n++
			word := strings.ReplaceAll(m[1], `\"`, `"`)
			if !web.HasSpanish(word) {
				t.Errorf("%s: no Spanish for %q", f, word)
			}
		}
	}
	for _, w := range web.JSWords() {
		if !web.HasSpanish(w) {
			t.Errorf("script word %q: no Spanish", w)
		}
	}
	if n < 100 {
		t.Errorf("only %d words found: is the pattern right?", n)
	}
}

// TestSpanishPages: ?lang=es gives every page in Spanish and remembers it
// in the wb_lang cookie; the cookie alone then does, and so does
// Accept-Language; English stays the default.
func TestSpanishPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordSearchable(0)
	e.recordAcks("S", false)
	for path, want := range map[string]string{
		"/inspector/":           "Sesiones",
		"/inspector/sessions/S": "Ida y vuelta de los acks",
		"/inspector/tail":       "En directo",
		"/inspector/nowhere":    "No encontrado",
	} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		res, body := e.get(nil, path+sep+"lang=es")
		doc := parse(t, body)
		if html := find(doc, byTag("html")); len(html) != 1 || attr(html[0], "lang") != "es" {
			t.Errorf("%s?lang=es: not lang=es", path)
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s?lang=es: no %q", path, want)
		}
		var cookie *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == "wb_lang" {
				cookie = c
			}
		}
		if cookie == nil || cookie.Value != "es" {
			t.Errorf("%s?lang=es: cookie %v", path, cookie)
		}
		// The cookie alone.
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "wb_lang", Value: "es"})
		if b := do(t, req); !strings.Contains(b, want) {
			t.Errorf("%s with the cookie: no %q", path, want)
		}
		// Accept-Language alone.
		req, _ = http.NewRequest("GET", e.URL+path, nil)
		req.Header.Set("Accept-Language", "es-ES,es;q=0.9,en;q=0.5")
		if b := do(t, req); !strings.Contains(b, want) {
			t.Errorf("%s with Accept-Language es: no %q", path, want)
		}
		// English by default.
		if _, b := e.get(nil, path); strings.Contains(b, want) || !strings.Contains(b, `<html lang="en">`) {
			t.Errorf("%s: not English by default", path)
		}
	}
	// The Spanish list keeps its filters and its numbers, and the switch
	// back to English keeps the filter.
	_, body := e.get(nil, "/inspector/?lang=es&error=1")
	if !strings.Contains(body, "cerrada: ping timeout") {
		t.Error("the Spanish list lost its rows")
	}
	if len(find(parse(t, body), byAttr("href", "?error=1&lang=en"))) != 1 {
		t.Error("the language switch loses the filter")
	}
}

func do(t *testing.T, req *http.Request) string {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	if _, err := io.Copy(&sb, res.Body); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestPanelSpanish: the lesson panel speaks the language its page gives
// it, English by default.
func TestPanelSpanish(t *testing.T) {
	for lang, want := range map[string]string{"es": "tus sesiones en el inspector", "": "your sessions in the inspector"} {
		var sb strings.Builder
		if err := web.Panel(web.PanelProps{Client: "browser-1", Lang: lang}).Render(t.Context(), &sb); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sb.String(), want) {
			t.Errorf("Lang %q: no %q in\n%s", lang, want, sb.String())
		}
	}
}
