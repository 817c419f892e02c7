package lessons_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The committed editor bundle is what its lock file builds: npm ci of
// lessons/assets/editor's package-lock.json in a fresh folder, then its
// build.mjs, gives the same bytes as assets/editor/editor.bundle.js. (So
// `go build` needs no npm, and the bundle is no blob of unknown origin.)
// Without node and npm it is skipped, except under CI.
func TestEditorBundleMatchesLock(t *testing.T) {
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node and npm are needed to check the editor bundle: %v %v", errNode, errNpm)
		}
		t.Skip("node or npm missing: the editor bundle is not checked")
	}
	src := filepath.Join("assets", "editor")
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "build.mjs", filepath.Join("src", "editor.js")} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), name, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
		}
	}
	// No install scripts: esbuild's only checks its binary, which comes
	// as the optional package of the platform.
	run(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	out := filepath.Join(dir, "out.js")
	run(node, "build.mjs", out)
	built, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(src, "editor.bundle.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, committed) {
		t.Errorf("assets/editor/editor.bundle.js (%d bytes) is not what the lock builds (%d bytes): run `npm ci && node build.mjs` in lessons/assets/editor and commit it",
			len(committed), len(built))
	}
}
