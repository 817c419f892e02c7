package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

func TestMain(m *testing.M) {
	time.Local = time.UTC // the tables show local times
	os.Exit(m.Run())
}

// The fixture: two sessions of record-client.mjs against `workbook serve`,
// exported, with the first session given the client id browser-1.
const (
	fixture     = "testdata/two-sessions.jsonl"
	pollingSID  = "yJlJOhXISQaRDPsZ-SIM" // polling only, client browser-1
	upgradedSID = "tJBugMjHyzE2OmQX2kWV" // polling, then websocket
)

// fixtureDB imports the fixture into a new database and returns its path.
func fixtureDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "fixture.db")
	run(t, "import", "--db", db, fixture)
	return db
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s\nwant:\n%s", name, got, want)
	}
}

func TestSessions(t *testing.T) {
	db := fixtureDB(t)
	golden(t, "sessions.golden", run(t, "sessions", "--db", db))

	var list []sessionJSON
	if err := json.Unmarshal([]byte(run(t, "sessions", "--db", db, "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].SID != upgradedSID || list[1].SID != pollingSID {
		t.Fatalf("sessions --json: %+v", list)
	}
	s := list[1]
	if s.Path != "/socket.io/" || s.Client != "browser-1" || s.RemoteAddr != "127.0.0.1" || s.Transport != "polling" ||
		s.Upgraded != "" || s.UpgradedAt != nil || s.StartedAt == nil || s.EndedAt == nil ||
		s.CloseReason != "transport close" || s.Packets != 13 {
		t.Errorf("sessions --json, polling session: %+v", s)
	}
	if u := list[0]; u.Upgraded != "websocket" || u.UpgradedAt == nil || u.Packets != 15 {
		t.Errorf("sessions --json, upgraded session: %+v", u)
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--client", "browser-1"}, []string{pollingSID}},
		{[]string{"--lesson", "/socket.io/"}, []string{upgradedSID, pollingSID}},
		{[]string{"--lesson", "/lessons/"}, nil},
		{[]string{"--addr", "127.0.0.1"}, []string{upgradedSID, pollingSID}},
		{[]string{"--addr", "10.0.0.1"}, nil},
		{[]string{"--limit", "1"}, []string{upgradedSID}},
		{[]string{"--since", "2025-01-15T10:00:09Z"}, []string{upgradedSID}},
		{[]string{"--until", "2025-01-15T10:00:09Z"}, []string{pollingSID}},
		{[]string{"--since", "1h"}, nil}, // the fixture is older than an hour
		{[]string{"--open"}, nil},
	} {
		var got []sessionJSON
		out := run(t, append([]string{"sessions", "--db", db, "--json"}, tc.args...)...)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var sids []string
		for _, s := range got {
			sids = append(sids, s.SID)
		}
		if strings.Join(sids, " ") != strings.Join(tc.want, " ") {
			t.Errorf("sessions %v: %v, want %v", tc.args, sids, tc.want)
		}
	}
	if out := run(t, "sessions", "--db", db, "--lesson", "/lessons/"); out != "no sessions\n" {
		t.Errorf("empty table: %q", out)
	}
}

func TestPackets(t *testing.T) {
	db := fixtureDB(t)
	golden(t, "packets.golden", run(t, "packets", "--db", db, "--session", pollingSID))

	rows := func(args ...string) []string {
		t.Helper()
		out := run(t, append([]string{"packets", "--db", db}, args...)...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "TIME ") {
			t.Fatalf("packets %v: no header:\n%s", args, out)
		}
		return lines[1:]
	}
	if n := len(rows()); n != 28 {
		t.Errorf("all packets: %d rows, want 28", n)
	}
	if r := rows("--event", "echo"); len(r) != 2 || !strings.Contains(r[0], pollingSID) || !strings.Contains(r[1], upgradedSID) {
		t.Errorf("--event echo:\n%s", strings.Join(r, "\n"))
	}
	for _, r := range rows("--dir", "out", "--session", upgradedSID) {
		if f := strings.Fields(r); f[2] != "out" {
			t.Errorf("--dir out: %s", r)
		}
	}
	if r := rows("--nsp", "/"); len(r) != 14 {
		t.Errorf("--nsp /: %d rows, want the 14 Socket.IO packets:\n%s", len(r), strings.Join(r, "\n"))
	}
	if r := rows("--nsp", "/chat"); len(r) != 1 || r[0] != "no packets" {
		t.Errorf("--nsp /chat: %q", r)
	}
	if r := rows("--client", "browser-1"); len(r) != 13 {
		t.Errorf("--client browser-1: %d rows", len(r))
	}
	if r := rows("--limit", "3", "--last"); len(r) != 3 || !strings.Contains(r[2], "DISCONNECT") {
		t.Errorf("--limit 3 --last:\n%s", strings.Join(r, "\n"))
	}
	if r := rows("--limit", "2"); len(r) != 2 || !strings.Contains(r[0], " open ") {
		t.Errorf("--limit 2:\n%s", strings.Join(r, "\n"))
	}
	if _, _, err := runErr("packets", "--db", db, "--dir", "sideways"); err == nil {
		t.Error("--dir sideways: no error")
	}
}

func TestTrace(t *testing.T) {
	db := fixtureDB(t)
	t.Setenv("DEBUG_COLORS", "") // as debug reads them: no colours, dates shown
	t.Setenv("DEBUG_HIDE_DATE", "")
	golden(t, "trace.golden", run(t, "trace", "--db", db, "--session", pollingSID))
	if out := run(t, "trace", "--db", db, "--session", pollingSID, "--color", "never"); out != run(t, "trace", "--db", db, "--session", pollingSID) {
		t.Errorf("--color never differs from the trace into a file")
	}
	t.Setenv("DEBUG_HIDE_DATE", "1")
	if out := run(t, "trace", "--db", db, "--session", pollingSID, "--debug", "workbook:engine"); !strings.HasPrefix(out, "workbook:engine "+pollingSID+" opened over polling from 127.0.0.1\n") {
		t.Errorf("DEBUG_HIDE_DATE=1:\n%s", out)
	}
	t.Setenv("DEBUG_HIDE_DATE", "")

	// Colours and "+Nms" as on a terminal: the diff is from the previous
	// line of the same namespace, in the recorded times.
	out := run(t, "trace", "--db", db, "--session", pollingSID, "--color", "always", "--debug", "workbook:engine")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "  \x1b[") || !strings.Contains(lines[0], "workbook:engine \x1b[0m"+pollingSID+" opened over polling from 127.0.0.1 ") ||
		!strings.HasSuffix(lines[0], "m+0ms\x1b[0m") {
		t.Errorf("first coloured line: %q", lines[0])
	}
	// received "40" at 08.932871, after the open at 08.925495: +7ms.
	if !strings.Contains(lines[2], `received packet "message" (0) over polling`) || !strings.HasSuffix(lines[2], "m+7ms\x1b[0m") {
		t.Errorf("third coloured line: %q", lines[2])
	}
	for _, l := range lines {
		if strings.Contains(l, "workbook:socket.io") {
			t.Errorf("--debug workbook:engine printed %q", l)
		}
	}

	// DEBUG is trace's default pattern; --debug wins over it.
	t.Setenv("DEBUG", "*,-workbook:engine")
	out = run(t, "trace", "--db", db, "--session", pollingSID)
	if strings.Contains(out, "workbook:engine") || !strings.Contains(out, "workbook:socket.io") {
		t.Errorf("DEBUG=*,-workbook:engine:\n%s", out)
	}
	out = run(t, "trace", "--db", db, "--session", pollingSID, "--debug", "workbook:engine")
	if strings.Contains(out, "workbook:socket.io") || !strings.Contains(out, "workbook:engine") {
		t.Errorf("--debug workbook:engine with DEBUG set:\n%s", out)
	}

	// --since and --until cut the trace, session events included.
	out = run(t, "trace", "--db", db, "--debug", "*", "--since", "2025-01-15T10:00:08.940Z", "--until", "2025-01-15T10:00:08.950Z")
	if strings.Contains(out, "opened") || strings.Contains(out, "closed") || !strings.Contains(out, "BINARY_ACK") ||
		strings.Contains(out, upgradedSID) || strings.Contains(out, "(2[") {
		t.Errorf("--since/--until:\n%s", out)
	}

	if _, _, err := runErr("trace", "--db", db, "--session", "nope"); err == nil || !strings.Contains(err.Error(), "no session nope") {
		t.Errorf("unknown session: %v", err)
	}
}

// TestReadCommandsNeedTheFile: a read command on a missing database fails
// with a message and creates no file.
func TestReadCommandsNeedTheFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing.db")
	for _, cmd := range []string{"sessions", "trace", "packets", "export", "prune"} {
		args := []string{cmd, "--db", db}
		if cmd == "prune" {
			args = append(args, "--keep", "1d")
		}
		_, _, err := runErr(args...)
		if err == nil || !strings.Contains(err.Error(), "no database at "+db) {
			t.Errorf("%s: %v", cmd, err)
		}
	}
	t.Setenv("WORKBOOK_DB", db)
	if _, _, err := runErr("sessions"); err == nil || !strings.Contains(err.Error(), "no database at "+db) {
		t.Errorf("sessions with WORKBOOK_DB: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(db)); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}

func TestExportFilters(t *testing.T) {
	db := fixtureDB(t)
	lines := parseExport(t, run(t, "export", "--db", db, "--event", "echo", "--dir", "in"))
	if len(lines) != 2 || *lines[0].Event != "echo" || lines[0].Session != pollingSID || lines[1].Session != upgradedSID {
		t.Errorf("export --event echo --dir in: %+v", lines)
	}
	if _, _, err := runErr("export", "--db", db, "--format", "csv"); err == nil {
		t.Error("--format csv: no error")
	}
	if _, _, err := runErr("export", "--db", db, "--session", "nope"); err == nil {
		t.Error("unknown session: no error")
	}
	// The whole fixture comes back out as it went in, but for the client
	// id and the row ids, which are the database's own.
	out := run(t, "export", "--db", db)
	in, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(in) {
		t.Errorf("export of the imported fixture differs from the fixture:\n%s", out)
	}
}

func TestPrune(t *testing.T) {
	db := fixtureDB(t)
	if out := run(t, "prune", "--db", db, "--keep", "100000d"); out != "deleted 0 sessions from "+db+"\n" {
		t.Errorf("prune --keep 100000d: %q", out)
	}
	if out := run(t, "prune", "--db", db, "--keep", "1h"); out != "deleted 2 sessions from "+db+"\n" {
		t.Errorf("prune --keep 1h: %q", out)
	}
	if out := run(t, "sessions", "--db", db); out != "no sessions\n" {
		t.Errorf("after prune: %q", out)
	}
	if _, _, err := runErr("prune", "--db", db); err == nil {
		t.Error("prune without limits: no error")
	}
}
