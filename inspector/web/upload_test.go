package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/client"
)

// post sends body to the import endpoint with the given headers and
// returns the status and the decoded answer.
func (e *env) post(header http.Header, body io.Reader) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL+"/inspector/import", body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header = header
	res, err := noRedirects(nil).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	json.Unmarshal(b, &out)
	return res.StatusCode, out
}

// TestDownloadAndImport: a session downloads from its page as JSON Lines
// with its debug lines, and the file, posted to the import endpoint of
// another inspector, stores the session again, once; a HAR goes the same
// way. Without the token, the header or from another origin, nothing is
// taken; a file that does not read gets its reason and stores nothing.
func TestDownloadAndImport(t *testing.T) {
	const token = "s3cret-token"
	a := newEnv(t, web.Options{Token: token})
	s, sid := a.connect("/socket.io/", "", client.Options{})
	a.echo(s, "", "hello")
	s.Disconnect()
	a.flush()

	auth := http.Header{"Authorization": {"Bearer " + token}}
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/inspector/sessions/"+sid+"/download", nil)
	req.Header = auth
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), `filename="session-`+sid+`.jsonl"`) {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	if !strings.Contains(string(file), `"debug":{"namespace":"socket.io`) || !strings.Contains(string(file), `"raw":"420[\"echo\",\"hello\"]"`) {
		t.Errorf("the file lacks the debug lines or the event:\n%s", file)
	}
	if res, _ := a.get(nil, "/inspector/sessions/"+sid+"/download"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("download without the token: %d", res.StatusCode)
	}

	b := newEnv(t, web.Options{Token: token})
	ok := http.Header{"Authorization": {"Bearer " + token}, web.ImportHeader: {"1"}}
	for _, c := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"no token", http.Header{web.ImportHeader: {"1"}}, http.StatusUnauthorized},
		{"no header", auth, http.StatusForbidden},
		{"other origin", http.Header{"Authorization": {"Bearer " + token}, web.ImportHeader: {"1"}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
	} {
		if code, _ := b.post(c.header, strings.NewReader(string(file))); code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	code, out := b.post(ok, strings.NewReader(`{"time":"2026-01-01T00:00:00Z","session":"x","dir":"sideways"}`))
	if code != http.StatusBadRequest || !strings.Contains(out["error"].(string), `"dir"`) {
		t.Errorf("a bad line: %d %v", code, out)
	}
	code, out = b.post(ok, strings.NewReader(string(file)))
	want := strings.Count(string(file), `"dir":`)
	if code != 200 || out["format"] != "jsonl" || int(out["packets"].(float64)) != want {
		t.Fatalf("import of the download: %d %v, want %d packets", code, out, want)
	}
	if code, out = b.post(ok, strings.NewReader(string(file))); code != 200 || out["packets"].(float64) != 0 {
		t.Errorf("second import: %d %v, want 0 packets", code, out)
	}
	got, err := b.db.Packets(t.Context(), inspector.PacketFilter{SID: sid, Limit: -1})
	if err != nil || len(got) != want {
		t.Errorf("the second inspector holds %d packets of %s (%v), want %d", len(got), sid, err, want)
	}
	lines, err := b.db.DebugLines(t.Context(), inspector.PacketFilter{SID: sid, Limit: -1})
	if err != nil || len(lines) == 0 {
		t.Errorf("the second inspector holds no debug lines of %s (%v)", sid, err)
	}

	f, err := os.Open("../har/testdata/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if code, out = b.post(ok, f); code != 200 || out["format"] != "har" || out["packets"].(float64) != 15 || out["skipped"].(float64) != 2 {
		t.Errorf("import of a HAR: %d %v", code, out)
	}
}

// TestUploadWordsSpanish: every word upload.js writes is one the page
// hands its scripts, and /inspector/?lang=es hands them in Spanish, the
// {name}s where the values go kept.
func TestUploadWordsSpanish(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("static/upload.js")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\bt[rf]?\("((?:[^"\\]|\\.)*)"`)
	var used []string
	for _, m := range call.FindAllStringSubmatch(string(src), -1) {
		used = append(used, m[1])
	}
	if len(used) < 5 {
		t.Fatalf("upload.js: only %d words found (%q): is the pattern right?", len(used), used)
	}
	// A string literal the user reads outside tr/tf is an English word
	// that no language reaches.
	if bare := regexp.MustCompile(`textContent = "`).FindString(string(src)); bare != "" {
		t.Errorf("upload.js writes a word of its own: %q", bare)
	}

	e := newEnv(t, web.Options{})
	_, body := e.get(nil, "/inspector/?lang=es")
	scripts := find(parse(t, body), byAttr("id", "wbi-words"))
	if len(scripts) != 1 {
		t.Fatalf("%d wbi-words blocks on /inspector/", len(scripts))
	}
	var words map[string]string
	if err := json.Unmarshal([]byte(text(scripts[0])), &words); err != nil {
		t.Fatal(err)
	}
	holes := regexp.MustCompile(`\{\w+\}`)
	for _, en := range used {
		es, ok := words[en]
		switch {
		case !ok:
			t.Errorf("the page does not hand upload.js %q", en)
		case es == en:
			t.Errorf("%q is not in Spanish", en)
		case strings.Join(holes.FindAllString(es, -1), " ") != strings.Join(holes.FindAllString(en, -1), " "):
			t.Errorf("%q: the Spanish %q has other {names}", en, es)
		}
	}
	if got := words["Show them"]; got != "Verlas" {
		t.Errorf("Show them: %q", got)
	}
}
