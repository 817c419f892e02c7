package debugfmt

import (
	"strings"
	"testing"
	"time"
)

func TestHTML(t *testing.T) {
	got := string(HTML("socket.io:server", "a & b\n<c>", -1500*time.Millisecond))
	want := `<span class="debug-line"><span class="debug-ns" style="color:light-dark(#C70095, #FF33CC)">socket.io:server</span> ` +
		`<span class="debug-msg">a &amp; b` + "\n" + `&lt;c&gt;</span> <span class="debug-diff" style="color:light-dark(#C70095, #FF33CC)">+-1s</span></span>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, v := range colorVectors {
		if h := string(HTML(v.ns, "", 0)); strings.Count(h, "color:"+ReadableCSS(v.ns)) != 2 {
			t.Errorf("%s: %s", v.ns, h)
		}
	}
	if h := string(HTML(`"><script>`, "", 0)); strings.Contains(h, "<script>") {
		t.Errorf("namespace not escaped: %s", h)
	}
}

func TestEscapeControls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text é 😀", "plain text é 😀"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"bell\a del\x7f nul\x00 cr\r", `bell\x07 del\x7f nul\x00 cr\x0d`},
		{"c1 \u009b2J \u0085", `c1 \u009b2J \u0085`},
		{"é\x1b", `é\x1b`},
		{"not utf-8 \xff\xfe é", `not utf-8 \xff\xfe é`},
	}
	for _, tt := range tests {
		if got := EscapeControls(tt.in); got != tt.want {
			t.Errorf("EscapeControls(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	s := "nothing to do"
	if allocs := testing.AllocsPerRun(100, func() { EscapeControls(s) }); allocs != 0 {
		t.Errorf("%v allocations for a clean string", allocs)
	}
}
