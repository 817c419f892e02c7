package debugfmt

import "strings"

// Selector is a parsed DEBUG value: the namespaces to print and the ones to
// skip. The zero Selector enables nothing.
//
// A Selector is immutable and safe for concurrent use.
type Selector struct {
	names []string // entries without "-"
	skips []string // entries that started with "-", without it
}

// ParseSelector parses a DEBUG value as debug's enable() does: the value is
// trimmed, every run of white space counts as a comma, empty entries are
// dropped, an entry starting with "-" is a skip and any other a name. In each
// entry "*" matches any run of characters, ":" included; everything else
// matches itself (it is not a regular expression).
//
//	DEBUG=*                      everything
//	DEBUG=engine*,-engine:polling  "engine", "engine:socket", ... but not "engine:polling"
//	DEBUG="socket.io:* engine"    spaces separate too
func ParseSelector(s string) Selector {
	var sel Selector
	for _, e := range splitDebug(s) {
		if strings.HasPrefix(e, "-") {
			sel.skips = append(sel.skips, e[1:])
		} else {
			sel.names = append(sel.names, e)
		}
	}
	return sel
}

// splitDebug is debug's
// namespaces.trim().replace(/\s+/g, ',').split(',').filter(Boolean):
// JavaScript's white space and commas both separate entries.
func splitDebug(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || isJSSpace(r) })
}

// isJSSpace reports whether r matches \s in a JavaScript regular expression
// (WhiteSpace and LineTerminator of ECMA-262), which differs from
// unicode.IsSpace on U+0085 and U+FEFF.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// Enabled reports whether namespace prints under s, with debug 4.4's rule:
// a namespace matching any skip is off whatever the order of the entries;
// otherwise it is on when it matches any name.
func (s Selector) Enabled(namespace string) bool {
	for _, t := range s.skips {
		if match(namespace, t) {
			return false
		}
	}
	for _, t := range s.names {
		if match(namespace, t) {
			return true
		}
	}
	return false
}

// Empty reports whether s has no names (no entries, or only skips), so
// that it cannot enable any namespace. A Selector that is not Empty may
// still enable nothing ("*,-*").
func (s Selector) Empty() bool { return len(s.names) == 0 }

// String returns s in the canonical form debug.disable() returns: the names,
// then the skips with their "-", joined by commas ("engine*,-engine:polling").
// ParseSelector(s.String()) is equivalent to s.
func (s Selector) String() string {
	parts := make([]string, 0, len(s.names)+len(s.skips))
	parts = append(parts, s.names...)
	for _, t := range s.skips {
		parts = append(parts, "-"+t)
	}
	return strings.Join(parts, ",")
}

// match is debug's matchesTemplate: a glob whose "*" matches any run of
// characters, with backtracking to the last star. Working on bytes gives the
// same answers as debug's UTF-16 code units for valid UTF-8, since a
// literal can only match at a character boundary.
func match(search, template string) bool {
	si, ti, star, mark := 0, 0, -1, 0
	for si < len(search) {
		switch {
		case ti < len(template) && template[ti] == '*':
			star, mark = ti, si
			ti++
		case ti < len(template) && template[ti] == search[si]:
			si++
			ti++
		case star != -1:
			ti = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for ti < len(template) && template[ti] == '*' {
		ti++
	}
	return ti == len(template)
}
