package lessons_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/lessons"
)

// loadAxe returns axe.min.js of the axe-core pinned in interop/node (which
// nodetest.Setup installs, or skips the test without Node.js).
func loadAxe(t *testing.T) string {
	t.Helper()
	dir := nodetest.Setup(t)
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return string(src)
}

// contrastViolations runs axe-core's color-contrast rule on the page's
// document (not the panes', which are the learner's client pages) and
// returns a line for each pair of colours that fails: the colours, the
// ratio, how many elements and the first one's selector.
func (p *page) contrastViolations(axe string) []string {
	p.t.Helper()
	if err := p.tab.Eval(`(() => { if (!window.axe) { (0, eval)(`+jsString(axe)+`); } return true; })()`, nil); err != nil {
		p.t.Fatalf("injecting axe-core: %.300s", err)
	}
	var out []string
	err := p.tab.Eval(`axe.run(document, { runOnly: { type: "rule", values: ["color-contrast"] }, iframes: false, resultTypes: ["violations"] })
		.then((r) => {
			// One line per pair of colours: how many elements, the first one.
			const seen = new Map();
			for (const n of r.violations.flatMap((v) => v.nodes)) {
				const d = n.any[0]?.data || {};
				const key = d.fgColor + " on " + d.bgColor + " (" + d.contrastRatio + ":1)";
				const e = seen.get(key) || { n: 0, first: n.target.join(" ") };
				e.n++;
				seen.set(key, e);
			}
			return [...seen].map(([key, e]) => key + ": " + e.n + " element(s), first " + e.first);
		})`, &out)
	if err != nil {
		p.t.Fatalf("axe.run: %v", err)
	}
	return out
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// contrastPages are the pages the contrast test checks, with what to wait
// for before it does: the panes connected, the packet panel's lines in.
// named: the learner has a display name first, so the page shows it in
// the top bar (.me-link) and in the home page's box (.me-box).
var contrastPages = []struct {
	path, ready string
	named       bool
}{
	{"/", `document.querySelector('.contents, #contents')`, false},
	{"/", `document.querySelector('.me-box .reset-form') && document.querySelector('.me-link')`, true},
	{"/lessons/hello/", `document.querySelector('.reset-form') && document.querySelector('.me-link')`, true},
	{"/lessons/hello/connect/", `document.querySelector('.pane[data-state="connected"]') && document.querySelector('.wbi-panel .wbi-trace li')`, false},
	{"/lessons/debugging/trace/", `document.querySelector('.pane[data-state="connected"]') && document.querySelector('.wbi-panel .wbi-trace li .wbi-ns')`, false},
	{"/lessons/internals/handshake/", `document.querySelector('.pane[data-state="connected"]') && document.querySelector('.wbi-panel .wbi-trace li')`, false},
	{"/lessons/errors/connect-error/", `document.querySelector('.pane')`, false},
	{"/lessons/chat/app/", `document.querySelector('.pane[data-state="connected"]')`, false},
}

// TestContrastInChromium runs axe-core's color-contrast rule on the home
// page and five step pages (with the packet panel and its trace's
// namespace colours), in the light and the dark colour scheme, in English
// and in Spanish, on a laptop's screen and a phone's: no violation (WCAG
// AA, 4.5:1).
func TestContrastInChromium(t *testing.T) {
	axe := loadAxe(t)
	b := browsertest.New(t)
	base := startInspectedSite(t)
	for _, cp := range contrastPages {
		for _, dark := range []bool{false, true} {
			for _, l := range lessons.Langs {
				scheme := map[bool]string{false: "light", true: "dark"}[dark]
				name := strings.Trim(cp.path, "/")
				if name == "" {
					name = "home"
				}
				name = fmt.Sprintf("%s/%s/%s", name, scheme, l)
				if cp.named {
					name = "named/" + name
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					width, height := 1400, 900
					if l == lessons.ES { // the phone in one language, the laptop in the other
						width, height = 390, 844
					}
					var p *page
					if cp.named { // the name is set on the home page
						p = openAt(t, b, base+"/?lang="+string(l), width, height, dark)
						p.setName("Ada Lovelace-Byron")
						if err := p.tab.Navigate(base + cp.path); err != nil {
							t.Fatal(err)
						}
					} else {
						p = openAt(t, b, base+cp.path+"?lang="+string(l), width, height, dark)
					}
					p.wait(cp.ready, "the page ready")
					if v := p.contrastViolations(axe); len(v) > 0 {
						t.Errorf("contrast violations:\n%s", strings.Join(v, "\n"))
					}
					// The top bar's classroom link wears its rule
					// (.classroom-link: small, soft, not underlined) and
					// shows; axe has checked its contrast above.
					if got := p.string(`(() => {
						const a = document.querySelector('.classroom-link');
						if (!a) return 'no link';
						const s = getComputedStyle(a), r = a.getBoundingClientRect();
						const probe = document.body.appendChild(document.createElement('span'));
						probe.style.color = 'var(--fg-soft)';
						const soft = getComputedStyle(probe).color;
						probe.remove();
						const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
						return [r.width > 0 && r.height > 0 && r.right <= innerWidth + 0.5 && s.visibility === 'visible',
							s.color === soft, s.textDecorationLine, Math.abs(parseFloat(s.fontSize) - 0.85 * rem) < 0.01].join();
					})()`); got != "true,true,none,true" {
						t.Errorf("the classroom link (shown, --fg-soft, decoration, 0.85rem): %s", got)
					}
					// The learner's boxes stay inside a phone's width.
					if out := p.string(`[...document.querySelectorAll('.me-box, .reset-form, .log-scope, .me-link')]
						.filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => e.className).join()`); out != "" {
						t.Errorf("wider than the %d px window: %s", width, out)
					}
				})
			}
		}
	}
}

// TestFirstImpressionInChromium: the home page fits a 390 px phone (its
// code scrolls inside its box), in both schemes and languages; the
// progress bar's label says what its value says as tasks tick; the
// debugging step's localStorage.debug does not follow the learner to the
// next step.
func TestFirstImpressionInChromium(t *testing.T) {
	b := browsertest.New(t)
	_, base := startSite(t, lessons.Options{})
	for _, dark := range []bool{false, true} {
		for _, l := range lessons.Langs {
			t.Run(fmt.Sprintf("phone/%v/%s", dark, l), func(t *testing.T) {
				t.Parallel()
				p := openAt(t, b, base+"/?lang="+string(l), 390, 844, dark)
				p.wait(`document.querySelector('pre')`, "the home page's code")
				if w := p.string(`String(document.documentElement.scrollWidth)`); w != "390" {
					t.Errorf("the home page is %s px wide on a 390 px phone", w)
				}
				if s := p.string(`String(getComputedStyle(document.querySelector('.prose pre')).overflowX)`); s != "auto" {
					t.Errorf("a code block's overflow-x is %s", s)
				}
			})
		}
	}

	t.Run("progress", func(t *testing.T) {
		t.Parallel()
		p := openAt(t, b, base+"/lessons/hello/connect/?lang=es", 390, 844, true)
		p.waitTask("connect")
		p.wait(`document.getElementById('progress').value >= 1`, "the bar's value")
		want := p.string(`document.getElementById('progress-text').textContent`)
		if !strings.HasPrefix(want, "1 de ") {
			t.Errorf("progress text %q", want)
		}
		if got := p.string(`document.getElementById('progress').getAttribute('aria-label')`); got != want {
			t.Errorf("the bar's aria-label %q, its text %q", got, want)
		}
	})

	t.Run("debug", func(t *testing.T) {
		t.Parallel()
		p := openAt(t, b, base+"/lessons/debugging/trace/?lang=en", 1400, 900, false)
		p.wait(`document.querySelector('.pane iframe').contentDocument?.querySelectorAll('#lines li').length > 0`, "debug lines in the pane")
		if err := p.tab.Navigate(base + "/lessons/hello/connect/?lang=en"); err != nil {
			t.Fatal(err)
		}
		p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane on the next step")
		if got := p.string(`String(localStorage.getItem('debug'))`); got != "null" {
			t.Errorf("localStorage.debug is %q on the next step", got)
		}
		if n := p.string(`String(document.querySelectorAll('.pane .console li:not(.empty)').length)`); n != "0" {
			t.Errorf("the next step's pane logged %s console lines", n)
		}
	})
}

// setName gives the page's browser a display name with the home page's
// form, and waits for the page it comes back to to show it.
func (p *page) setName(name string) {
	p.t.Helper()
	p.wait(`document.getElementById('me-name')`, "the name form")
	p.eval(`document.getElementById('me-name').value = ` + jsString(name) + `; document.querySelector('.name-form').requestSubmit()`)
	p.wait(`document.querySelector('.me-link')?.textContent.includes(`+jsString(name)+`)`, "the name in the top bar")
}
