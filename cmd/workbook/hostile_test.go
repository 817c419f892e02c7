package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileLine is one exported packet whose every text field is what a
// client chose: control sequences that clear the screen, set the window
// title and write the clipboard (OSC 52).
func hostileLine(t *testing.T, sid, nsp, event, client, path, addr string) string {
	t.Helper()
	args, _ := json.Marshal([]string{event, "x"})
	raw := "42" + nsp + "," + string(args)
	l := map[string]any{
		"time": "2025-01-15T10:00:08.925495Z", "session": sid, "dir": "in", "transport": "websocket",
		"eio_type": "message", "raw": raw, "binary": false, "size": len(raw),
		"path": path, "client": client, "remote_addr": addr, "user_agent": "\x1b]0;agent\x07",
		"session_info": map[string]any{
			"started_at": "2025-01-15T10:00:08.925474Z", "transport": "websocket",
			"ended_at": "2025-01-15T10:00:09.925474Z", "close_reason": "\x1b[2Jbye",
		},
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// hasControls reports the first terminal control character in s other
// than newline (tables end lines with it).
func hasControls(s string) (rune, bool) {
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return r, true
		}
	}
	return 0, false
}

func importLines(t *testing.T, lines ...string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "hostile.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "hostile.db")
	run(t, "import", "--db", db, file)
	return db
}

// TestReadCommandsEscape: what a client sent (its namespace, event, cookie,
// path) reaches the terminal with its control characters escaped, in every
// column of every read command.
func TestReadCommandsEscape(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;TITLE\x07\x1b]52;c;aGk=\x07\u009b31m"
	debug, _ := json.Marshal(map[string]any{"time": "2025-01-15T10:00:08.935495Z", "session": "sid\x1b[2J",
		"debug": map[string]string{"namespace": "ns" + evil, "message": "m" + evil}})
	db := importLines(t, hostileLine(t, "sid\x1b[2J", "/"+evil+"nsp", "ev"+evil, "cl"+evil, "/p"+evil+"/", "1.2.3.4"+evil),
		string(debug)+"\n")
	for _, args := range [][]string{
		{"packets", "--db", db},
		{"packets", "--db", db, "--width", "0"},
		{"sessions", "--db", db},
		{"sessions", "--db", db, "--open"},
		{"trace", "--db", db},
		{"replay", "--db", db, "--session", "sid\x1b[2J", "--no-wait"},
	} {
		out, errOut, err := runErr(args...)
		if err != nil {
			t.Fatalf("workbook %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		if r, ok := hasControls(out + errOut); ok {
			t.Errorf("workbook %s writes %q raw:\n%q", strings.Join(args, " "), r, out)
		}
		if !strings.Contains(out, `\x1b`) && !strings.Contains(out, "no sessions") {
			t.Errorf("workbook %s: no escaped ESC in\n%s", strings.Join(args, " "), out)
		}
	}
}

// TestPacketsColumnWidth: one huge event name does not pad every row of
// the table to its width.
func TestPacketsColumnWidth(t *testing.T) {
	huge := strings.Repeat("e", 200_000)
	var lines []string
	for _, ev := range []string{"small", huge, "small"} {
		lines = append(lines, hostileLine(t, "s1", "/", ev, "c", "/socket.io/", "127.0.0.1"))
	}
	db := importLines(t, lines...)
	for _, tc := range []struct {
		args []string
		most int // bytes
	}{
		{[]string{"packets", "--db", db}, 4000},
		// The data column, last, is not cut: the long row only.
		{[]string{"packets", "--db", db, "--width", "0"}, len(huge) + 4000},
	} {
		args := tc.args
		out := run(t, args...)
		if len(out) > tc.most {
			t.Errorf("workbook %s: %d bytes for 3 packets", strings.Join(args, " "), len(out))
		}
		if !strings.Contains(out, "eee…") {
			t.Errorf("workbook %s: the long event is not cut with …:\n%.500s", strings.Join(args, " "), out)
		}
	}
}
