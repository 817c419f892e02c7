package main

import (
	"strings"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
)

// maxColumn is the widest a table column other than the data gets: a
// tabwriter pads every row to the widest cell, so one 900 KB event name
// would otherwise make every row 900 KB wide.
const maxColumn = 48

// cell is a recorded value as a table shows it: control characters
// escaped (a client chose it, and must not drive the terminal), tabs and
// line breaks as spaces, at most maxColumn characters.
func cell(s string) string { return cut(s, maxColumn) }

// cut escapes the control characters of s (as the DEBUG printer does),
// turns tabs and line breaks into spaces so that the table holds, and
// shortens the result to width characters, ending with "…" when cut
// (width <= 0: never cut).
func cut(s string, width int) string {
	s = debugfmt.EscapeControls(s)
	s = strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	n := 0
	for i := range s {
		if n == max(width-1, 0) {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
