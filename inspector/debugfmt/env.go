package debugfmt

import (
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
)

// ModeFor returns the Mode debug would use for lines written to f, reading
// the environment:
//
//  1. Colours are on when f is a terminal (isatty, Cygwin/MSYS terminals
//     included). DEBUG_COLORS, when set, decides instead, parsed as debug
//     parses its DEBUG_* variables: yes, on, true, enabled (any case) are
//     true; no, off, false, disabled and null are false; anything else is a
//     JavaScript Number, true unless 0 or NaN (so "1" is true, "" false).
//     Like debug, the key is matched without regard to case (debug_colors).
//  2. NO_COLOR set and not empty (no-color.org) turns colours off when
//     DEBUG_COLORS is not set; DEBUG_COLORS is the more specific switch.
//     debug itself does not read NO_COLOR.
//  3. Without colours the mode is Plain. With colours it is ANSI256 when
//     supports-color 8 would report level 2 or more for f, else Basic.
//
// The supports-color rule is mirrored roughly: FORCE_COLOR=0 or false means
// level 0; a non-terminal f without FORCE_COLOR means level 0 (so
// DEBUG_COLORS=1 into a pipe gives Basic, as in node); TERM=dumb gives the
// FORCE_COLOR level; CI set gives level 1 for the CI services
// supports-color knows and the FORCE_COLOR level for others; COLORTERM=truecolor,
// TERM_PROGRAM=iTerm.app or Apple_Terminal, or a TERM ending in -256 or
// -256color gives level 2 or more; otherwise the FORCE_COLOR level (2 or 3
// picks ANSI256). Not mirrored: the --color command-line flags, the
// Windows release check (supports-color says level 2 or 3 on Windows 10;
// ModeFor reads TERM there too) and TEAMCITY_VERSION.
//
// The official server uses the 256-colour palette only when the optional
// supports-color package is installed, which most projects do not have:
// their traces are in Basic colours even where ModeFor picks ANSI256. Run
// with a TERM without "256" (TERM=xterm) to see the colours of such a node
// process.
func ModeFor(f *os.File) Mode {
	return modeFor(isTerminal(f), environ(os.Environ()))
}

// isTerminal reports whether f is a terminal, Cygwin and MSYS ones
// included; a nil f is not.
func isTerminal(f *os.File) bool {
	return f != nil && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// environ is an environment in os.Environ form, so tests can pass their own.
type environ []string

// lookup returns the value of key. As with os.Getenv on Unix, the first of
// duplicate keys wins.
func (e environ) lookup(key string) (string, bool) {
	for _, kv := range e {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func modeFor(tty bool, env environ) Mode {
	colors := tty
	if v, ok := env.debugOpt("colors"); ok {
		colors = truthy(v)
	} else if v, _ := env.lookup("NO_COLOR"); v != "" {
		colors = false
	}
	if !colors {
		return Plain
	}
	if colorLevel(tty, env) >= 2 {
		return ANSI256
	}
	return Basic
}

// debugOpt returns the value of the DEBUG_* variable debug turns into the
// inspectOpts property prop: any key matching /^debug_/i whose rest, lower
// case with "_x" turned into "X", is prop ("hideDate" for DEBUG_HIDE_DATE).
// When several keys map to prop the last wins, as in debug.
func (e environ) debugOpt(prop string) (value string, found bool) {
	for _, kv := range e {
		k, v, ok := strings.Cut(kv, "=")
		if ok && len(k) > 6 && strings.EqualFold(k[:6], "debug_") && camel(k[6:]) == prop {
			value, found = v, true
		}
	}
	return value, found
}

// camel is debug's key.substring(6).toLowerCase().replace(/_([a-z])/g, ...).
func camel(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z' {
			b.WriteByte(s[i+1] - 'a' + 'A')
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var (
	reTrue  = regexp.MustCompile(`(?i)^(yes|on|true|enabled)$`)
	reFalse = regexp.MustCompile(`(?i)^(no|off|false|disabled)$`)
	reDec   = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	reRadix = regexp.MustCompile(`^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$`)
)

// truthy is Boolean(v) of the value debug parses from a DEBUG_* variable.
func truthy(v string) bool {
	switch {
	case reTrue.MatchString(v):
		return true
	case reFalse.MatchString(v), v == "null":
		return false
	}
	return jsNumberTruthy(v)
}

// jsNumberTruthy is Boolean(Number(v)): false for 0, -0 and NaN.
func jsNumberTruthy(v string) bool {
	v = strings.TrimFunc(v, isJSSpace)
	switch {
	case v == "":
		return false // Number("") is 0
	case v == "Infinity", v == "+Infinity", v == "-Infinity":
		return true
	case reRadix.MatchString(v):
		return strings.Trim(v[2:], "0") != ""
	case reDec.MatchString(v):
		f, err := strconv.ParseFloat(v, 64)
		return f != 0 || err != nil // a range error is ±Inf, never 0 here
	}
	return false // NaN
}

// colorLevel mirrors supports-color 8's level for a stream (see ModeFor).
func colorLevel(tty bool, env environ) int {
	// forced is whether FORCE_COLOR is set; force its level, where NaN and
	// negative numbers (set, but no level) count as -1.
	force, forced := -1, false
	if v, ok := env.lookup("FORCE_COLOR"); ok {
		forced = true
		switch {
		case v == "true", v == "":
			force = 1
		case v == "false":
			force = 0
		default:
			force = min(parseIntPrefix(v), 3)
		}
	}
	if force == 0 {
		return 0
	}
	if !tty && !forced {
		return 0
	}
	floor := max(force, 0) // supports-color's min: forceColor || 0
	term, _ := env.lookup("TERM")
	if term == "dumb" {
		return floor
	}
	if _, ok := env.lookup("CI"); ok {
		for _, k := range [...]string{"TRAVIS", "CIRCLECI", "APPVEYOR", "GITLAB_CI", "GITHUB_ACTIONS", "BUILDKITE", "DRONE"} {
			if _, ok := env.lookup(k); ok {
				return 1
			}
		}
		if v, _ := env.lookup("CI_NAME"); v == "codeship" {
			return 1
		}
		return floor
	}
	if v, _ := env.lookup("COLORTERM"); v == "truecolor" {
		return 3
	}
	if v, ok := env.lookup("TERM_PROGRAM"); ok {
		switch v {
		case "iTerm.app":
			return 3 // 2 before iTerm 3; both pick ANSI256
		case "Apple_Terminal":
			return 2
		}
	}
	if reTerm256.MatchString(term) {
		return 2
	}
	if reTermBasic.MatchString(term) {
		return 1
	}
	if _, ok := env.lookup("COLORTERM"); ok {
		return 1
	}
	return floor
}

var (
	reTerm256   = regexp.MustCompile(`(?i)-256(color)?$`)
	reTermBasic = regexp.MustCompile(`(?i)^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux`)
)

// parseIntPrefix is Number.parseInt(v, 10) for the levels that matter:
// -1 stands for NaN and for negative numbers, which supports-color keeps as
// a level below every threshold.
func parseIntPrefix(v string) int {
	v = strings.TrimFunc(v, isJSSpace)
	if v != "" && v[0] == '+' {
		v = v[1:]
	} else if v != "" && v[0] == '-' {
		return -1 // negative, or NaN ("-x")
	}
	n, digits := 0, 0
	for ; digits < len(v) && v[digits] >= '0' && v[digits] <= '9'; digits++ {
		n = min(n*10+int(v[digits]-'0'), 1000)
	}
	if digits == 0 {
		return -1 // NaN
	}
	return n
}
