package debugfmt

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestAgainstDebug asks the debug and ms packages themselves (node, with
// interop/node's node_modules: debug 4.4.3, ms 2.1.3) about many random
// selectors, namespaces, durations, DEBUG_COLORS values and line sequences,
// and checks that this package answers the same, byte for byte. It is
// skipped when node is missing (see nodetest.Setup).
func TestAgainstDebug(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	nodetest.Setup(t)
	rng := rand.New(rand.NewPCG(1, 2))

	type selQ struct {
		Debug string   `json:"debug"`
		Names []string `json:"names"`
	}
	type call struct {
		T   int64  `json:"t"`
		NS  string `json:"ns"`
		Msg string `json:"msg"`
	}
	type linesQ struct {
		Mode     string `json:"mode"`
		HideDate bool   `json:"hideDate"`
		Calls    []call `json:"calls"`
	}
	var q struct {
		Selectors []selQ   `json:"selectors"`
		Colors    []string `json:"colors"`
		Humanize  []int64  `json:"humanize"`
		Lines     []linesQ `json:"lines"`
		Truthy    []string `json:"truthy"`
	}

	pick := func(alphabet []string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	nameAlpha := []string{"e", "n", "g", ":", "s", "o", ".", "-", "é", "😀"}
	patAlpha := append([]string{"*", "*", ",", " ", "\t", "-", "-"}, nameAlpha...)
	names := append([]string{}, officialNamespaces...)
	for range 40 {
		names = append(names, pick(nameAlpha, rng.IntN(8)))
	}
	for range 400 {
		q.Selectors = append(q.Selectors, selQ{Debug: pick(patAlpha, rng.IntN(12)), Names: names})
	}
	for _, s := range []string{"*", "engine*,-engine:polling", "*,-engine*", "engine socket.io:*", "", "-engine", " a\u00a0b\u2003c\ufeffd\u0085e "} {
		q.Selectors = append(q.Selectors, selQ{Debug: s, Names: append(names, "a", "b", "c", "d", "e", "d\u0085e")})
	}

	q.Colors = append(q.Colors, "", "*", "é:ü😀", "\uffff", "a\x80b")
	for _, v := range colorVectors {
		q.Colors = append(q.Colors, v.ns)
	}
	for range 300 {
		q.Colors = append(q.Colors, pick(nameAlpha, rng.IntN(30)))
	}

	const sec, min, hour, day = 1000, 60_000, 3_600_000, 86_400_000
	for _, u := range []int64{1, sec, min, hour, day} {
		for _, k := range []int64{0, 1, 2, 3, 59, 60, 61, 89, 90, 91, 999, 1000} {
			for _, d := range []int64{-1, 0, 1, u / 2, u/2 - 1, u/2 + 1} {
				q.Humanize = append(q.Humanize, k*u+d, -(k*u + d))
			}
		}
	}
	for range 300 {
		q.Humanize = append(q.Humanize, rng.Int64N(400*day)-200*day, rng.Int64N(2*hour)-hour)
	}

	msgAlpha := []string{"a", "b", " ", "\n", "{", "\"", "é", "😀", "x"} // no "%": a message is not a format string
	for _, mode := range []string{"plain", "basic", "256"} {
		for _, hide := range []bool{false, true} {
			lq := linesQ{Mode: mode, HideDate: hide}
			now := time.Date(2026, 11, 27, 11, 4, 31, 447e6, time.UTC).UnixMilli()
			for range 200 {
				now += []int64{0, 1, 999, 1500, 59_999, 90_000, hour + 1, 2 * day}[rng.IntN(8)]
				lq.Calls = append(lq.Calls, call{T: now, NS: names[rng.IntN(16)], Msg: pick(msgAlpha, rng.IntN(12))})
			}
			q.Lines = append(q.Lines, lq)
		}
	}

	q.Truthy = []string{"1", "0", "", " ", "yes", "YES", "On", "true", "enabled", "no", "off", "FALSE", "disabled", "null", "NULL",
		"2", "-1", "0.0", "-0", "0x0", "0x10", "0b1", "0o0", "1e3", "1e-999", "1e999", ".5", "5.", "+1", "Infinity", "-Infinity",
		"infinity", "NaN", "abc", " 1 ", "\t0\n", "1_000", "0x", "00", "+0x1", "1e", "--1", "\u00a01"}

	dir := t.TempDir()
	in, out := filepath.Join(dir, "q.json"), filepath.Join(dir, "a.json")
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/debug-oracle.cjs")
	if err != nil {
		t.Fatal(err)
	}
	nodetest.Run(t, script, in, out)
	b, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Enabled []struct {
			String  string `json:"string"`
			Enabled []bool `json:"enabled"`
		} `json:"enabled"`
		Colors []struct {
			Basic int    `json:"basic"`
			C256  int    `json:"c256"`
			CSS   string `json:"css"`
		} `json:"colors"`
		Humanize []string   `json:"humanize"`
		Lines    [][]string `json:"lines"`
		Truthy   []bool     `json:"truthy"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}

	fails := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if fails++; fails <= 30 {
			t.Errorf(format, args...)
		}
	}
	for i, sq := range q.Selectors {
		sel := ParseSelector(sq.Debug)
		if got := sel.String(); got != a.Enabled[i].String {
			fail("DEBUG=%q: String() = %q, debug.disable() = %q", sq.Debug, got, a.Enabled[i].String)
		}
		for j, n := range sq.Names {
			if got := sel.Enabled(n); got != a.Enabled[i].Enabled[j] {
				fail("DEBUG=%q: Enabled(%q) = %v, debug says %v", sq.Debug, n, got, a.Enabled[i].Enabled[j])
			}
		}
	}
	for i, ns := range q.Colors {
		w := a.Colors[i]
		if ColorBasic(ns) != w.Basic || Color256(ns) != w.C256 || ColorCSS(ns) != w.CSS {
			fail("colours of %q = %d %d %s, debug says %d %d %s", ns, ColorBasic(ns), Color256(ns), ColorCSS(ns), w.Basic, w.C256, w.CSS)
		}
	}
	for i, n := range q.Humanize {
		if got := Humanize(time.Duration(n) * time.Millisecond); got != a.Humanize[i] {
			fail("Humanize(%dms) = %q, ms says %q", n, got, a.Humanize[i])
		}
	}
	for i, lq := range q.Lines {
		r := NewRenderer(map[string]Mode{"plain": Plain, "basic": Basic, "256": ANSI256}[lq.Mode])
		r.HideDate = lq.HideDate
		for j, c := range lq.Calls {
			if got, want := r.Line(time.UnixMilli(c.T), c.NS, c.Msg), a.Lines[i][j]; got != want {
				fail("%s hideDate=%v line %d (%q, %q):\n got %q\nwant %q", lq.Mode, lq.HideDate, j, c.NS, c.Msg, got, want)
			}
		}
	}
	for i, v := range q.Truthy {
		if got := truthy(v); got != a.Truthy[i] {
			fail("DEBUG_COLORS=%q: truthy = %v, debug says %v", v, got, a.Truthy[i])
		}
	}
	if fails > 30 {
		t.Errorf("... and %d more", fails-30)
	}
	t.Logf("%d selectors × %d names, %d namespaces, %d durations, %d lines, %d DEBUG_COLORS values checked against debug",
		len(q.Selectors), len(names), len(q.Colors), len(q.Humanize), 6*200, len(q.Truthy))
}
