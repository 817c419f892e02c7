package debugfmt

import (
	"html/template"
	"strings"
	"time"
)

// HTML renders one trace line for a web page as debug's browser build shows
// it in the console: the namespace in its browser colour made readable on
// the page (ReadableCSS), the message in the page's colour, then "+" and
// the diff (Humanize) in the namespace's colour. Browsers print no
// per-line prefix and no bold:
//
//	<span class="debug-line"><span class="debug-ns" style="color:light-dark(#0069D1, #3399FF)">engine:socket</span> <span class="debug-msg">hello</span> <span class="debug-diff" style="color:light-dark(#0069D1, #3399FF)">+0ms</span></span>
//
// The namespace and message are HTML-escaped. A multi-line message keeps
// its newlines; give .debug-msg (or .debug-line) `white-space: pre-wrap`
// to show them. With a templ page, wrap the result in templ.Raw.
func HTML(namespace, msg string, diff time.Duration) template.HTML {
	color := ReadableCSS(namespace)
	var b strings.Builder
	b.Grow(len(namespace) + len(msg) + 160)
	b.WriteString(`<span class="debug-line"><span class="debug-ns" style="color:`)
	b.WriteString(color)
	b.WriteString(`">`)
	template.HTMLEscape(&b, []byte(namespace))
	b.WriteString(`</span> <span class="debug-msg">`)
	template.HTMLEscape(&b, []byte(msg))
	b.WriteString(`</span> <span class="debug-diff" style="color:`)
	b.WriteString(color)
	b.WriteString(`">+`)
	b.WriteString(Humanize(diff))
	b.WriteString(`</span></span>`)
	return template.HTML(b.String())
}
