package debugfmt

import (
	"regexp"
	"testing"
)

// TestReadableCSS: every colour of debug's browser palette, as ReadableCSS
// gives it, reads at 4.5:1 or better on light pages down to
// LightBackground (and on white) and on dark pages up to DarkBackground
// (and on black), and keeps its palette entry's hue.
func TestReadableCSS(t *testing.T) {
	pair := regexp.MustCompile(`^light-dark\((#[0-9A-F]{6}), (#[0-9A-F]{6})\)$`)
	for i, c := range colorsCSS {
		m := pair.FindStringSubmatch(readableCSS[i])
		if m == nil {
			t.Fatalf("%s: %q is not light-dark(#RRGGBB, #RRGGBB)", c, readableCSS[i])
		}
		for _, check := range []struct {
			color string
			bgs   []string
		}{{m[1], []string{LightBackground, "#FFFFFF", "#F6F8FA"}}, {m[2], []string{DarkBackground, "#000000", "#0D1117", "#161B22"}}} {
			for _, bg := range check.bgs {
				if r := contrast(luminance(parseHex(check.color)), luminance(parseHex(bg))); r < 4.5 {
					t.Errorf("%s as %s on %s: %.2f:1", c, check.color, bg, r)
				}
			}
			h0, _, _ := toHSL(parseHex(c))
			h1, _, _ := toHSL(parseHex(check.color))
			if d := min(abs(h0-h1), 1-abs(h0-h1)); d > 0.02 {
				t.Errorf("%s as %s: hue moved by %.3f", c, check.color, d)
			}
		}
	}
	// The colours the issue measured on a white page.
	for ns, want := range map[string]string{"socket.io:namespace": "#33CCCC", "socket.io:socket": "#FF9900", "engine:socket": "#3399FF"} {
		if ColorCSS(ns) != want {
			t.Errorf("ColorCSS(%q) = %s", ns, ColorCSS(ns))
		}
		if m := pair.FindStringSubmatch(ReadableCSS(ns)); m == nil || m[1] == want {
			t.Errorf("ReadableCSS(%q) = %s: not darker on a light page", ns, ReadableCSS(ns))
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
