package debugfmt

import (
	"fmt"
	"math"
	"strconv"
)

// basicColors is debug's default Node palette (src/node.js exports.colors):
// cyan, green, yellow, blue, magenta, red, as ANSI codes 30+c.
var basicColors = [...]int{6, 2, 3, 4, 5, 1}

// colors256 is debug's Node palette when supports-color reports level 2 or
// more: xterm 256-colour codes.
var colors256 = [...]int{
	20, 21, 26, 27, 32, 33, 38, 39, 40, 41, 42, 43, 44, 45, 56, 57, 62, 63, 68, 69, 74, 75, 76, 77, 78, 79, 80, 81, 92, 93, 98, 99,
	112, 113, 128, 129, 134, 135, 148, 149, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 178, 179, 184, 185,
	196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 214, 215, 220, 221,
}

// colorsCSS is debug's browser palette (src/browser.js); entry k is the same
// colour as colors256[k].
var colorsCSS = [...]string{
	"#0000CC", "#0000FF", "#0033CC", "#0033FF", "#0066CC", "#0066FF", "#0099CC", "#0099FF", "#00CC00", "#00CC33", "#00CC66",
	"#00CC99", "#00CCCC", "#00CCFF", "#3300CC", "#3300FF", "#3333CC", "#3333FF", "#3366CC", "#3366FF", "#3399CC", "#3399FF",
	"#33CC00", "#33CC33", "#33CC66", "#33CC99", "#33CCCC", "#33CCFF", "#6600CC", "#6600FF", "#6633CC", "#6633FF", "#66CC00",
	"#66CC33", "#9900CC", "#9900FF", "#9933CC", "#9933FF", "#99CC00", "#99CC33", "#CC0000", "#CC0033", "#CC0066", "#CC0099",
	"#CC00CC", "#CC00FF", "#CC3300", "#CC3333", "#CC3366", "#CC3399", "#CC33CC", "#CC33FF", "#CC6600", "#CC6633", "#CC9900",
	"#CC9933", "#CCCC00", "#CCCC33", "#FF0000", "#FF0033", "#FF0066", "#FF0099", "#FF00CC", "#FF00FF", "#FF3300", "#FF3333",
	"#FF3366", "#FF3399", "#FF33CC", "#FF33FF", "#FF6600", "#FF6633", "#FF9900", "#FF9933", "#FFCC00", "#FFCC33",
}

// hash is the hash of debug's selectColor: hash = hash*31 + u over the
// UTF-16 code units u of namespace, wrapping at 32 bits like JavaScript's
// `hash |= 0`. A byte that is not valid UTF-8 counts as U+FFFD.
func hash(namespace string) int32 {
	var h int32
	for _, r := range namespace {
		if r >= 0x10000 { // a surrogate pair in UTF-16
			r -= 0x10000
			h = h<<5 - h + int32(0xD800+(r>>10))
			h = h<<5 - h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = h<<5 - h + int32(r)
	}
	return h
}

// pick is Math.abs(hash) % n, with the absolute value taken in 64 bits so
// that -2^31 stays positive as in JavaScript.
func pick(namespace string, n int) int {
	h := int64(hash(namespace))
	if h < 0 {
		h = -h
	}
	return int(h % int64(n))
}

// ColorBasic returns the colour debug gives namespace in a terminal with the
// default 6-colour palette: 1 to 6, printed as ESC "[3" c "m" (6 cyan,
// 2 green, 3 yellow, 4 blue, 5 magenta, 1 red).
func ColorBasic(namespace string) int { return basicColors[pick(namespace, len(basicColors))] }

// Color256 returns the xterm 256-colour code debug gives namespace when it
// uses its 76-colour palette (printed as ESC "[38;5;" c "m").
func Color256(namespace string) int { return colors256[pick(namespace, len(colors256))] }

// ColorCSS returns the colour debug's browser build gives namespace, as
// "#RRGGBB" (upper-case hex, as debug writes it). It is the same palette
// entry as Color256.
func ColorCSS(namespace string) string { return colorsCSS[pick(namespace, len(colorsCSS))] }

// ReadableCSS returns the colour of namespace for a page's text, as a CSS
// light-dark() pair: debug's browser colour (ColorCSS) with its hue and
// saturation kept and its lightness moved until it reads at WCAG AA
// (4.5:1 or better) on the light backgrounds of our pages (down to
// LightBackground) and on the dark ones (up to DarkBackground). Half of
// debug's palette is too pale for a white page (#33CCCC is 1.9:1) and the
// other half too dark for a black one, so no single colour serves both. A
// page whose color-scheme is not dark gets the first colour.
//
//	ReadableCSS("engine:socket") // "light-dark(#0069D1, #3399FF)"
func ReadableCSS(namespace string) string { return readableCSS[pick(namespace, len(colorsCSS))] }

// The backgrounds ReadableCSS's colours are checked against: the darkest
// light background and the lightest dark background a trace line sits on.
const (
	LightBackground = "#EEF0F3"
	DarkBackground  = "#21262D"
)

// readableCSS holds ReadableCSS's pair for each entry of colorsCSS.
var readableCSS = func() (out [len(colorsCSS)]string) {
	light, dark := luminance(parseHex(LightBackground)), luminance(parseHex(DarkBackground))
	for i, c := range colorsCSS {
		rgb := parseHex(c)
		out[i] = "light-dark(" + hexOf(towards(rgb, light, false)) + ", " + hexOf(towards(rgb, dark, true)) + ")"
	}
	return out
}()

// minContrast is the contrast ReadableCSS's colours reach, a little above
// WCAG AA's 4.5 so that rounding in a browser does not cross it.
const minContrast = 4.6

// towards returns c with its HSL lightness moved (up when lighter is set,
// else down) by the least step that gives it minContrast against a
// background of luminance bg; c itself when it already has it.
func towards(c [3]float64, bg float64, lighter bool) [3]float64 {
	h, s, l := toHSL(c)
	for step := 0; step <= 100; step++ {
		if contrast(luminance(c), bg) >= minContrast {
			return c
		}
		if lighter {
			l = min(1, l+0.01)
		} else {
			l = max(0, l-0.01)
		}
		c = fromHSL(h, s, l)
	}
	return c
}

// contrast is WCAG's contrast ratio of two relative luminances.
func contrast(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}

// luminance is WCAG's relative luminance of an sRGB colour (0..1 each).
func luminance(c [3]float64) float64 {
	var lin [3]float64
	for i, v := range c {
		if v <= 0.04045 {
			lin[i] = v / 12.92
		} else {
			lin[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*lin[0] + 0.7152*lin[1] + 0.0722*lin[2]
}

func parseHex(s string) (c [3]float64) {
	for i := range c {
		v, _ := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		c[i] = float64(v) / 255
	}
	return c
}

func hexOf(c [3]float64) string {
	return fmt.Sprintf("#%02X%02X%02X", int(math.Round(c[0]*255)), int(math.Round(c[1]*255)), int(math.Round(c[2]*255)))
}

// toHSL and fromHSL convert between sRGB and HSL, all in 0..1.
func toHSL(c [3]float64) (h, s, l float64) {
	hi, lo := max(c[0], c[1], c[2]), min(c[0], c[1], c[2])
	l = (hi + lo) / 2
	if hi == lo {
		return 0, 0, l
	}
	d := hi - lo
	if l > 0.5 {
		s = d / (2 - hi - lo)
	} else {
		s = d / (hi + lo)
	}
	switch hi {
	case c[0]:
		h = (c[1] - c[2]) / d
		if c[1] < c[2] {
			h += 6
		}
	case c[1]:
		h = (c[2]-c[0])/d + 2
	default:
		h = (c[0]-c[1])/d + 4
	}
	return h / 6, s, l
}

func fromHSL(h, s, l float64) [3]float64 {
	if s == 0 {
		return [3]float64{l, l, l}
	}
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	return [3]float64{hue(p, q, h+1.0/3), hue(p, q, h), hue(p, q, h-1.0/3)}
}

func hue(p, q, t float64) float64 {
	if t < 0 {
		t++
	}
	if t > 1 {
		t--
	}
	switch {
	case t < 1.0/6:
		return p + (q-p)*6*t
	case t < 1.0/2:
		return q
	case t < 2.0/3:
		return p + (q-p)*(2.0/3-t)*6
	}
	return p
}
