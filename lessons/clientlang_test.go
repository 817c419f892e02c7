package lessons

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/lessons/step"
)

// TestClientsInEveryLanguage checks that every step has its client, and
// its finished client where it has one, in every language, and that a
// translation changes words only: the same lines, the same element ids,
// the same events listened to and emitted, the same code once its strings
// and comments are set aside. So a new step cannot forget its Spanish
// client, and a Spanish client cannot drift from what the tests run.
func TestClientsInEveryLanguage(t *testing.T) {
	site, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	for _, st := range site.steps {
		dir := path.Join(st.Lesson.Slug, st.Slug)
		for _, l := range Langs[1:] {
			pairs := []struct{ name, en, tr string }{
				{"client." + string(l) + ".html", st.Client, st.ClientLang[l]},
			}
			if st.ClientDone != "" {
				pairs = append(pairs, struct{ name, en, tr string }{"client.done." + string(l) + ".html", st.ClientDone, st.ClientDoneLang[l]})
			} else if st.ClientDoneLang[l] != "" {
				t.Errorf("%s/client.done.%s.html translates a client.done.html that does not exist", dir, l)
			}
			for _, p := range pairs {
				if p.tr == "" {
					t.Errorf("%s/%s is missing", dir, p.name)
					continue
				}
				if p.tr == p.en {
					t.Errorf("%s/%s is the English client unchanged", dir, p.name)
				}
				if !strings.Contains(p.tr, `<html lang="`+string(l)+`">`) {
					t.Errorf("%s/%s does not say <html lang=%q>", dir, p.name, l)
				}
				for _, d := range clientDiffs(p.en, p.tr) {
					t.Errorf("%s/%s: %s", dir, p.name, d)
				}
			}
		}
	}
}

var (
	// calls whose first argument is a name the code relies on: an event,
	// a namespace, an element id.
	namedCall = regexp.MustCompile(`\b(on|once|off|emit|emitWithAck|send|io|getElementById|querySelector|querySelectorAll)\(\s*("[^"]*"|'[^']*')`)
	elementID = regexp.MustCompile(`\bid="([^"]*)"`)
	// a string literal (no escaped quote ends it), or a comment to the
	// end of the line outside one.
	literal  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`(?:[^`\\\\]|\\\\.)*`" + `|//.*$`)
	tagText  = regexp.MustCompile(`>[^<]*<`)
	option   = regexp.MustCompile(`<option>([^<]*)</option>`)
	wordAttr = regexp.MustCompile(`\b(placeholder|title|aria-label|alt)="[^"]*"`)
	htmlLang = regexp.MustCompile(`<html lang="[a-z]+">`)
)

// clientDiffs lists how tr, a translation of the client page en, differs
// from it in more than words.
func clientDiffs(en, tr string) []string {
	var diffs []string
	if !slices.Equal(elementID.FindAllString(en, -1), elementID.FindAllString(tr, -1)) {
		diffs = append(diffs, "its element ids differ from the English client's")
	}
	if a, b := namedCall.FindAllString(en, -1), namedCall.FindAllString(tr, -1); !slices.Equal(a, b) {
		diffs = append(diffs, "its events, namespaces or ids differ: "+strings.Join(b, " ")+", in English "+strings.Join(a, " "))
	}
	el, tl := strings.Split(en, "\n"), strings.Split(tr, "\n")
	if len(el) != len(tl) {
		return append(diffs, "its lines are not the English client's, line for line")
	}
	for i := range el {
		if shape(el[i]) != shape(tl[i]) {
			diffs = append(diffs, "line "+strconv.Itoa(i+1)+" differs in more than words: "+strings.TrimSpace(tl[i]))
		}
	}
	return diffs
}

// shape is a line without what a translation may change: its strings,
// comments, the text between tags (an <option>'s excepted: it is a value
// the page sends), the attributes that hold words, and <html lang>.
func shape(line string) string {
	line = htmlLang.ReplaceAllString(line, "<html>")
	line = wordAttr.ReplaceAllString(line, `$1=""`)
	line = option.ReplaceAllString(line, `<option value="$1"></option>`)
	line = tagText.ReplaceAllString(line, "><")
	if strings.Contains(line, "<") && !strings.Contains(line, "(") {
		return line // markup: its attribute values stay as they are
	}
	return literal.ReplaceAllString(line, `""`)
}

// TestStepLangsAreTheWorkbooks checks that a step's server can speak every
// language of the workbook's pages, and only those (step.Lang).
func TestStepLangsAreTheWorkbooks(t *testing.T) {
	var langs []string
	for _, l := range Langs {
		langs = append(langs, string(l))
	}
	if !slices.Equal(step.Langs, langs) {
		t.Errorf("step.Langs = %q, the pages' languages are %q", step.Langs, langs)
	}
}
