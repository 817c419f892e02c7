package debugfmt

import (
	"strings"
	"testing"
)

var officialNamespaces = []string{
	"engine", "engine:socket", "engine:transport", "engine:polling", "engine:ws",
	"socket.io:server", "socket.io:namespace", "socket.io:socket", "socket.io:client", "socket.io-parser",
	NamespaceEngine, NamespaceSocketIO,
}

func TestSelector(t *testing.T) {
	tests := []struct {
		debug string
		on    string // namespaces enabled, among officialNamespaces, space separated
		str   string // String()
	}{
		{"", "", ""},
		{"   ", "", ""},
		{",,", "", ""},
		{"*", strings.Join(officialNamespaces, " "), "*"},
		{"engine*,-engine:polling", "engine engine:socket engine:transport engine:ws", "engine*,-engine:polling"},
		{"-engine:polling,engine*", "engine engine:socket engine:transport engine:ws", "engine*,-engine:polling"}, // skips win whatever the order
		{"*,-engine*", "socket.io:server socket.io:namespace socket.io:socket socket.io:client socket.io-parser workbook:engine workbook:socket.io", "*,-engine*"},
		{"engine:*", "engine:socket engine:transport engine:polling engine:ws", "engine:*"},
		{"engine", "engine", "engine"},
		{"engine socket.io:*", "engine socket.io:server socket.io:namespace socket.io:socket socket.io:client", "engine,socket.io:*"},
		{" \tengine ,\n socket.io-parser  ", "engine socket.io-parser", "engine,socket.io-parser"},
		{"engine\u00a0engine:ws", "engine engine:ws", "engine,engine:ws"}, // JavaScript's \s includes NBSP
		{"-engine*", "", "-engine*"}, // only skips: nothing
		{"-*", "", "-*"},
		{"*,-*", "", "*,-*"},
		{"engine,socket.io", "engine", "engine,socket.io"},
		{"*:socket", "engine:socket socket.io:socket", "*:socket"},
		{"*socket*", "engine:socket socket.io:server socket.io:namespace socket.io:socket socket.io:client socket.io-parser workbook:socket.io", "*socket*"},
		{"socket.io*,-*:client", "socket.io:server socket.io:namespace socket.io:socket socket.io-parser", "socket.io*,-*:client"},
		{"e*e*:*s", "engine:ws", "e*e*:*s"},
		{"workbook:*", "workbook:engine workbook:socket.io", "workbook:*"},
		{"*,-workbook:*", "engine engine:socket engine:transport engine:polling engine:ws socket.io:server socket.io:namespace socket.io:socket socket.io:client socket.io-parser", "*,-workbook:*"},
		{"ENGINE", "", "ENGINE"},     // case matters
		{"engine.*", "", "engine.*"}, // "." is a character, not a regular expression
	}
	for _, tt := range tests {
		sel := ParseSelector(tt.debug)
		want := map[string]bool{}
		for _, ns := range strings.Fields(tt.on) {
			want[ns] = true
		}
		for _, ns := range officialNamespaces {
			if got := sel.Enabled(ns); got != want[ns] {
				t.Errorf("DEBUG=%q: Enabled(%q) = %v, want %v", tt.debug, ns, got, want[ns])
			}
		}
		if got := sel.String(); got != tt.str {
			t.Errorf("DEBUG=%q: String() = %q, want %q", tt.debug, got, tt.str)
		}
		empty := true // no entry without "-"
		for _, e := range strings.Split(tt.str, ",") {
			empty = empty && (e == "" || e[0] == '-')
		}
		if got := sel.Empty(); got != empty {
			t.Errorf("DEBUG=%q: Empty() = %v", tt.debug, got)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		search, template string
		want             bool
	}{
		{"", "", true},
		{"", "*", true},
		{"", "**", true},
		{"a", "", false},
		{"", "a", false},
		{"abc", "abc", true},
		{"abc", "ab", false},
		{"ab", "abc", false},
		{"abc", "a*", true},
		{"abc", "*c", true},
		{"abc", "*b*", true},
		{"abc", "a*b*c", true},
		{"abcbc", "a*bc", true}, // needs backtracking past the first "bc"
		{"abcbd", "a*bc", false},
		{"aaa", "a*a*a*a", false},
		{"aaaa", "a*a*a*a", true},
		{"a:b:c", "a*c", true},
		{"x*y", "x*y", true}, // a literal star in the name is matched by the star
		{"engine:ws", "engine:w?", false},
		{"mississippi", "m*iss*ppi", true},
		{"mississippi", "m*iss*ippi*", true},
		{"mississippi", "m*x*", false},
		{"héllo", "h*o", true},
		{"héllo", "*é*", true},
		{"😀:x", "😀*", true},
	}
	for _, tt := range tests {
		if got := match(tt.search, tt.template); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.search, tt.template, got, tt.want)
		}
	}
}

func TestSelectorRoundTrip(t *testing.T) {
	for _, s := range []string{"*", "a b,-c  d", "-x", "engine*,-engine:polling socket.io:*"} {
		a := ParseSelector(s)
		b := ParseSelector(a.String())
		if a.String() != b.String() {
			t.Errorf("%q: %q then %q", s, a.String(), b.String())
		}
	}
}
