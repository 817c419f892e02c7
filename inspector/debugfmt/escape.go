package debugfmt

import (
	"strings"
	"unicode/utf8"
)

// escapeControls returns s with the C0 control characters other than
// newline and tab, DEL, and the C1 controls (U+0080 to U+009F) written as
// Go escapes ("\x1b", "\u009b"), so that text a client sent cannot move the
// cursor or recolour the terminal. It returns s itself when there is
// nothing to escape.
func escapeControls(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isControl(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !isControl(r) {
			b.WriteRune(r)
			continue
		}
		const hex = "0123456789abcdef"
		if r < 0x80 {
			b.WriteString(`\x`)
		} else {
			b.WriteString(`\u00`)
		}
		b.WriteByte(hex[r>>4&0xF])
		b.WriteByte(hex[r&0xF])
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7F || (r >= 0x80 && r <= 0x9F)
}
