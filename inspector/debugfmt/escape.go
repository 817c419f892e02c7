package debugfmt

import (
	"strings"
	"unicode/utf8"
)

// EscapeControls returns s with the C0 control characters other than
// newline and tab, DEL, and the C1 controls (U+0080 to U+009F) written as
// Go escapes ("\x1b", "\u009b"), and each byte that is not UTF-8 as "\xff",
// so that text a client sent cannot move the cursor, recolour the
// terminal, set its title or write its clipboard. It returns s itself when
// there is nothing to escape.
//
// Every command that prints recorded text to a terminal passes it through
// EscapeControls: the DEBUG printer, and each column of workbook's tables.
func EscapeControls(s string) string {
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
		if isControl(r) || (r == utf8.RuneError && n == 1) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xF])
		case !isControl(r):
			b.WriteString(s[i : i+n])
		default:
			if r < 0x80 {
				b.WriteString(`\x`)
			} else {
				b.WriteString(`\u00`)
			}
			b.WriteByte(hex[r>>4&0xF])
			b.WriteByte(hex[r&0xF])
		}
		i += n
	}
	return b.String()
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7F || (r >= 0x80 && r <= 0x9F)
}
