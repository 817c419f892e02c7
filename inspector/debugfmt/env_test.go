package debugfmt

import (
	"os"
	"strings"
	"testing"
)

func TestModeFor(t *testing.T) {
	tests := []struct {
		tty  bool
		env  string // space-separated KEY=VALUE
		want Mode
	}{
		{true, "", Basic},
		{false, "", Plain},
		{true, "TERM=xterm", Basic},
		{true, "TERM=xterm-256color", ANSI256},
		{true, "TERM=screen-256color", ANSI256},
		{true, "TERM=xterm-256", ANSI256},
		{true, "COLORTERM=truecolor", ANSI256},
		{true, "COLORTERM=yes", Basic},
		{true, "TERM_PROGRAM=Apple_Terminal", ANSI256},
		{true, "TERM_PROGRAM=iTerm.app", ANSI256},
		{true, "TERM_PROGRAM=vscode", Basic},
		{true, "TERM=dumb COLORTERM=truecolor", Basic},
		{true, "TERM=dumb FORCE_COLOR=2", ANSI256},
		{true, "FORCE_COLOR=0 TERM=xterm-256color", Basic}, // level 0: the basic palette, colours still on
		{true, "FORCE_COLOR=false TERM=xterm-256color", Basic},
		{true, "FORCE_COLOR=3", ANSI256},
		{true, "FORCE_COLOR=9", ANSI256},
		{true, "FORCE_COLOR=1", Basic},
		{true, "FORCE_COLOR=abc TERM=xterm-256color", ANSI256},
		{true, "CI=1 GITHUB_ACTIONS=true TERM=xterm-256color", Basic},
		{true, "CI=1 GITHUB_ACTIONS=true FORCE_COLOR=3", Basic}, // known CI services say level 1
		{true, "CI=1 FORCE_COLOR=2", ANSI256},                   // others say the FORCE_COLOR level
		{true, "CI=1 TERM=xterm-256color", Basic},
		{true, "NO_COLOR=1", Plain},
		{true, "NO_COLOR=", Basic}, // present but empty: ignored
		{true, "NO_COLOR=1 DEBUG_COLORS=1", Basic},
		{true, "DEBUG_COLORS=0", Plain},
		{true, "DEBUG_COLORS=no TERM=xterm-256color", Plain},
		{true, "DEBUG_COLORS=", Plain}, // Number("") is 0
		{false, "DEBUG_COLORS=1", Basic},
		{false, "DEBUG_COLORS=yes TERM=xterm-256color", Basic}, // supports-color: no terminal, level 0
		{false, "DEBUG_COLORS=1 TERM=xterm-256color FORCE_COLOR=1", ANSI256},
		{false, "debug_colors=true", Basic},             // debug matches the key without regard to case
		{false, "Debug_Colors=1 DEBUG_COLORS=0", Plain}, // the last one wins, as in debug
		{false, "DEBUG_COLORS_X=1", Plain},
		{false, "FORCE_COLOR=3", Plain}, // FORCE_COLOR picks a palette, never turns debug's colours on
	}
	for _, tt := range tests {
		env := environ(strings.Fields(tt.env))
		if got := modeFor(tt.tty, env); got != tt.want {
			t.Errorf("tty=%v %s: %v, want %v", tt.tty, tt.env, got, tt.want)
		}
	}
}

func TestModeForFile(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("DEBUG_COLORS", "1")
	t.Setenv("FORCE_COLOR", "0")
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := ModeFor(f); got != Basic {
		t.Errorf("DEBUG_COLORS=1 into a file: %v, want basic", got)
	}
	os.Unsetenv("DEBUG_COLORS")
	if got := ModeFor(f); got != Plain {
		t.Errorf("a file: %v, want plain", got)
	}
	if got := ModeFor(nil); got != Plain {
		t.Errorf("nil: %v, want plain", got)
	}
}

func TestCamel(t *testing.T) {
	for in, want := range map[string]string{"COLORS": "colors", "HIDE_DATE": "hideDate", "hide_date": "hideDate", "SHOW_HIDDEN": "showHidden", "A_1": "a_1", "X_": "x_"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
}
