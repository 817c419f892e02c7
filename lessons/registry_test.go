package lessons

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// TestRegistryMatchesFolders walks the registry and the folders: every
// lesson and step of the registry has all its files, and every folder
// that looks like a lesson or a step is in the registry.
func TestRegistryMatchesFolders(t *testing.T) {
	registered := map[string]bool{}
	for _, ld := range registry {
		registered[ld.Slug] = true
		for _, l := range Langs {
			mustExist(t, filepath.Join(ld.Slug, "lesson."+string(l)+".md"))
		}
		for _, sd := range ld.Steps {
			dir := filepath.Join(ld.Slug, sd.Slug)
			registered[filepath.ToSlash(dir)] = true
			for _, name := range []string{"step.en.md", "step.es.md", "server.go", "checks.go", "client.html"} {
				mustExist(t, filepath.Join(dir, name))
			}
			if len(sd.Tasks) == 0 {
				t.Errorf("%s: no tasks", dir)
			}
			seen := map[string]bool{}
			for _, id := range sd.Tasks {
				if seen[id] {
					t.Errorf("%s: task %q twice", dir, id)
				}
				seen[id] = true
			}
		}
	}
	// Folders holding lesson.en.md are lessons; folders holding server.go
	// are steps. Both must be registered.
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		switch d.Name() {
		case "lesson.en.md", "server.go":
			if !registered[dir] {
				t.Errorf("%s is not in the registry (lessons.go)", dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("missing %s", path)
	}
}

// TestStepContent checks what each step's files say, in every language:
// the text names only files that exist, the client loads the library where
// tutorial code does, and the finished client differs from the start.
func TestStepContent(t *testing.T) {
	site, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	fileName := regexp.MustCompile(`<code>([a-z.]+\.(?:go|html))</code>`)
	for _, st := range site.steps {
		dir := filepath.Join(st.Lesson.Slug, st.Slug)
		for l, text := range st.Text {
			for _, m := range fileName.FindAllStringSubmatch(text.HTML, -1) {
				if m[1] == "index.html" {
					continue // the Node project's file, named on the home page
				}
				if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
					t.Errorf("%s step.%s.md names %s, which is not in the folder", dir, l, m[1])
				}
			}
			if strings.TrimSpace(text.HTML) == "" {
				t.Errorf("%s step.%s.md: no text", dir, l)
			}
		}
		if !strings.Contains(st.Client, `<script src="/socket.io/socket.io.js"></script>`) {
			t.Errorf("%s/client.html does not load /socket.io/socket.io.js as tutorial code does", dir)
		}
		if st.ClientDone != "" && st.ClientDone == st.Client {
			t.Errorf("%s/client.done.html is the same as client.html", dir)
		}
		if !strings.Contains(st.ServerSource, "func Setup(io *sio.Server, log *step.Log)") {
			t.Errorf("%s/server.go has no Setup(io *sio.Server, log *step.Log)", dir)
		}
		if strings.Contains(st.ServerSource, "go:embed") {
			t.Errorf("%s/server.go: keep it to the step's code", dir)
		}
	}
}

// TestUITextComplete checks that every word of the pages exists in every
// language, with the same format verbs.
func TestUITextComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	en := uiFields(uiText[EN])
	for _, l := range Langs {
		fields := uiFields(uiText[l])
		for name, text := range fields {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: ui.%s is empty", l, name)
			}
			if !slices.Equal(verbs.FindAllString(text, -1), verbs.FindAllString(en[name], -1)) {
				t.Errorf("%s: ui.%s = %q has other format verbs than English %q", l, name, text, en[name])
			}
		}
	}
}

func TestAcceptLang(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                        EN,
		"es":                      ES,
		"es-ES,es;q=0.9,en;q=0.8": ES,
		"en-GB,en;q=0.9,es;q=0.8": EN,
		"fr-FR,fr;q=0.9,es;q=0.5": ES,
		"de":                      EN,
		"en;q=0.2, es-MX;q=0.7":   ES,
		"ES-es":                   ES,
		"es;q=0,en;q=0.1":         EN,
	} {
		if got := acceptLang(header); got != want {
			t.Errorf("acceptLang(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestFrontMatter(t *testing.T) {
	meta, body, err := splitFrontMatter([]byte("---\ntitle: Hi: there\n\ntask.a: Do `x`.\n---\nText\n"))
	if err != nil {
		t.Fatal(err)
	}
	if meta["title"] != "Hi: there" || meta["task.a"] != "Do `x`." || string(body) != "Text\n" {
		t.Errorf("got %q, %q", meta, body)
	}
	for _, bad := range []string{"title: x\n", "---\ntitle: x\n", "---\nno colon\n---\n", "---\na: 1\na: 2\n---\n"} {
		if _, _, err := splitFrontMatter([]byte(bad)); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

// TestPerLangAlone checks that a step whose server runs once per language
// can have neither faults nor two nodes: those reach one server of the
// step, and would miss the others.
func TestPerLangAlone(t *testing.T) {
	les := &lesson{Slug: "broadcast"}
	base := registry[2].Steps[0]
	if !base.PerLang {
		t.Fatalf("%s/%s is expected to run a server per language", les.Slug, base.Slug)
	}
	withFaults := base
	withFaults.Faults = []step.Fault{step.FaultCut}
	withNodes := base
	withNodes.Check, withNodes.CheckNodes = nil, func(a, b *sio.Server, c *step.Checker) {}
	for name, sd := range map[string]stepDef{"faults": withFaults, "two nodes": withNodes} {
		if _, err := loadStep(les, 1, sd); err == nil || !strings.Contains(err.Error(), "per language") {
			t.Errorf("a PerLang step with %s: err = %v", name, err)
		}
	}
	if _, err := loadStep(les, 1, base); err != nil {
		t.Errorf("the step itself: %v", err)
	}
}
