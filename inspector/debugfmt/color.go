package debugfmt

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
