package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"7d":    7 * 24 * time.Hour,
		"1d12h": 36 * time.Hour,
		"36h":   36 * time.Hour,
		"90m":   90 * time.Minute,
		"0":     0,
		" 2d ":  48 * time.Hour,
		"2w":    14 * 24 * time.Hour,
	} {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"d", "7", "7days", "-1h", "1d-1h", "x"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q): no error", in)
		}
	}
	for d, want := range map[time.Duration]string{0: "0", 7 * 24 * time.Hour: "7d", 36 * time.Hour: "1d12h0m0s", 90 * time.Minute: "1h30m0s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1GB":     1e9,
		"1gb":     1e9,
		"500MB":   500e6,
		"500M":    500 << 20,
		"1.5GB":   1.5e9,
		"512MiB":  512 << 20,
		"2GiB":    2 << 30,
		"10kB":    10e3,
		"1TB":     1e12,
		"1048576": 1 << 20,
		"0":       0,
		"42B":     42,
		"1 GB":    1e9,
	} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"GB", "-1GB", "1XB", "1iB", "1e3", "lots"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
	for n, want := range map[int64]string{0: "0", 1e9: "1GB", 500e6: "500MB", 1 << 20: "1048576B", 1500: "1500B", 2000: "2kB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"10m":                       now.Add(-10 * time.Minute),
		"7d":                        now.Add(-7 * 24 * time.Hour),
		"2026-11-27T12:00:00Z":      time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		"2026-11-27T12:00:00+01:00": time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC),
		"2026-11-27T12:00:00.5Z":    time.Date(2026, 11, 27, 12, 0, 0, 5e8, time.UTC),
		"2026-11-27":                time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local),
		"2026-11-27T08:30:00":       time.Date(2026, 11, 27, 8, 30, 0, 0, time.Local),
	} {
		got, err := parseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseTime("yesterday", now); err == nil {
		t.Error("parseTime(yesterday): no error")
	}
}

// TestRetentionFlags: --keep and --max-db-size parse their units, read
// WORKBOOK_KEEP and WORKBOOK_MAX_DB_SIZE, and the command line wins.
func TestRetentionFlags(t *testing.T) {
	parse := func(args ...string) (*ServeCommand, error) {
		c := &ServeCommand{}
		return c, c.flags().parse(args, io.Discard)
	}
	c, err := parse("--keep", "7d", "--max-db-size", "1GB")
	if err != nil || c.Keep != 7*24*time.Hour || c.MaxDBSize != 1e9 {
		t.Errorf("--keep 7d --max-db-size 1GB: %+v %v", c, err)
	}
	c, err = parse()
	if err != nil || c.Keep != 0 || c.MaxDBSize != 0 || c.Addr != "127.0.0.1:3000" || c.DB != "workbook.db" || c.NoRecord {
		t.Errorf("defaults: %+v %v", c, err)
	}
	t.Setenv("WORKBOOK_KEEP", "12h")
	t.Setenv("WORKBOOK_MAX_DB_SIZE", "500MiB")
	t.Setenv("WORKBOOK_ADDR", "127.0.0.1:4000")
	c, err = parse()
	if err != nil || c.Keep != 12*time.Hour || c.MaxDBSize != 500<<20 || c.Addr != "127.0.0.1:4000" {
		t.Errorf("from the environment: %+v %v", c, err)
	}
	c, err = parse("--keep", "1d", "--addr", ":5000")
	if err != nil || c.Keep != 24*time.Hour || c.MaxDBSize != 500<<20 || c.Addr != ":5000" {
		t.Errorf("flags over the environment: %+v %v", c, err)
	}
	if _, err := parse("--keep", "a week"); err == nil {
		t.Error("--keep 'a week': no error")
	}
	t.Setenv("WORKBOOK_MAX_DB_SIZE", "huge")
	if _, err := parse(); err == nil || !strings.Contains(err.Error(), "WORKBOOK_MAX_DB_SIZE") {
		t.Errorf("bad WORKBOOK_MAX_DB_SIZE: %v", err)
	}
}

// TestHelp: `workbook help` lists the commands and every variable;
// `workbook CMD -h` lists the flags of CMD with theirs.
func TestHelp(t *testing.T) {
	out := run(t, "help")
	for _, want := range []string{"serve", "testserver", "sessions", "trace", "packets", "export", "import", "prune",
		"WORKBOOK_ADDR", "WORKBOOK_DB", "WORKBOOK_NO_RECORD", "WORKBOOK_KEEP", "WORKBOOK_MAX_DB_SIZE",
		"WORKBOOK_INSPECTOR_TOKEN", "WORKBOOK_PROGRESS", "DEBUG"} {
		if !strings.Contains(out, want) {
			t.Errorf("workbook help lacks %s:\n%s", want, out)
		}
	}
	for _, c := range commands() {
		var stderr bytes.Buffer
		err := Run(context.Background(), []string{c.name, "-h"}, io.Discard, &stderr)
		if err == nil {
			t.Errorf("%s -h: no flag.ErrHelp", c.name)
		}
		if help := run(t, "help", c.name); help != stderr.String() {
			t.Errorf("'workbook help %s' and '%s -h' differ:\n%s\n---\n%s", c.name, c.name, help, stderr.String())
		}
		for _, ev := range c.new().flags().envVars() {
			if !strings.Contains(stderr.String(), ev[0]) || !strings.Contains(stderr.String(), "env "+ev[1]) {
				t.Errorf("%s -h does not list %s with %s:\n%s", c.name, ev[0], ev[1], stderr.String())
			}
		}
	}
	serve := run(t, "help", "serve")
	for _, want := range []string{"--addr HOST:PORT", "default 127.0.0.1:3000; env WORKBOOK_ADDR", "--db PATH", "env WORKBOOK_DB",
		"--no-record", "env WORKBOOK_NO_RECORD", "--keep DURATION", "--max-db-size SIZE", "--inspector-token TOKEN"} {
		if !strings.Contains(serve, want) {
			t.Errorf("serve -h lacks %q:\n%s", want, serve)
		}
	}
	if _, _, err := runErr("sessions", "extra"); err == nil {
		t.Error("sessions extra: no error")
	}
}

func TestRenderProgress(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{0, 100, 1200 * time.Millisecond, "export [..........]   0%  0/100 packets  1.2s"},
		{50, 100, 1500 * time.Millisecond, "export [#####.....]  50%  50/100 packets  1.5s"},
		{99, 100, 2 * time.Second, "export [#########.]  99%  99/100 packets  2.0s"},
		{100, 100, 2 * time.Second, "export [##########] 100%  100/100 packets  2.0s"},
		{150, 100, 2 * time.Second, "export [##########] 100%  100/100 packets  2.0s"},
		{4500, -1, 3250 * time.Millisecond, "export 4500 packets  3.3s"},
	} {
		if got := renderProgress("export", "packets", tc.done, tc.total, tc.elapsed, 10); got != tc.want {
			t.Errorf("renderProgress(%d, %d, %v) =\n%q\nwant\n%q", tc.done, tc.total, tc.elapsed, got, tc.want)
		}
	}
}

// TestProgress: nothing for the first second, then redraws in place at
// most every 100 ms, and a newline at the end; nothing at all for a task
// that ends within the second.
func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1000, 0)
	p := newProgress(&buf, "always", "import", "bytes")
	p.now, p.start = func() time.Time { return now }, now

	p.update(10, 1000)
	now = now.Add(900 * time.Millisecond)
	p.update(500, 1000)
	if buf.Len() != 0 {
		t.Fatalf("drawn before a second: %q", buf.String())
	}
	now = now.Add(200 * time.Millisecond)
	p.update(600, 1000)
	now = now.Add(50 * time.Millisecond)
	p.update(700, 1000) // too soon to redraw
	now = now.Add(100 * time.Millisecond)
	p.update(999, 1000)
	now = now.Add(10 * time.Millisecond)
	p.update(1000, 1000)
	p.finish()
	p.finish()
	p.update(1, 1)
	want := "\rimport [##################............]  60%  600/1000 bytes  1.1s" +
		"\rimport [#############################.]  99%  999/1000 bytes  1.3s" +
		"\rimport [##############################] 100%  1000/1000 bytes  1.3s\n"
	if buf.String() != want {
		t.Errorf("progress wrote\n%q\nwant\n%q", buf.String(), want)
	}

	buf.Reset()
	q := newProgress(&buf, "always", "export", "packets")
	q.update(1, 2)
	q.update(2, 2)
	q.finish()
	if buf.Len() != 0 {
		t.Errorf("a quick task drew %q", buf.String())
	}
	// A shorter line rubs out the end of the longer one before it.
	buf.Reset()
	r := newProgress(&buf, "always", "x", "u")
	r.now, r.start = func() time.Time { return now }, now.Add(-2*time.Second)
	r.update(123456, -1)
	now = now.Add(time.Second)
	r.update(1, -1)
	if want := "\rx 123456 u  2.0s\rx 1 u  3.0s     "; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}

	if newProgress(&buf, "never", "x", "u") != nil || newProgress(&buf, "auto", "x", "u") != nil {
		t.Error("a bar for never, or for auto on a buffer")
	}
	var nilBar *progress
	nilBar.update(1, 2)
	nilBar.finish()
	if nilBar.callback() != nil {
		t.Error("a nil bar has a callback")
	}
}

// TestExportProgressForced: --progress always draws on stderr, which
// stays apart from the export on stdout.
func TestExportProgressForced(t *testing.T) {
	db := fixtureDB(t)
	out, errOut, err := runErr("export", "--db", db, "--progress", "always")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 28 || strings.Contains(out, "\r") {
		t.Errorf("stdout: %q", out)
	}
	if errOut != "" { // the export takes less than a second
		t.Errorf("stderr: %q", errOut)
	}
}

func TestPercentValue(t *testing.T) {
	for in, want := range map[string]float64{"3%": 0.03, "3": 0.03, " 50 % ": 0.5, "100%": 1, "0.5%": 0.005} {
		var v percentValue
		if err := v.Set(in); err != nil || float64(v) != want {
			t.Errorf("Set(%q) = %v, %v; want %v", in, float64(v), err, want)
		}
	}
	for _, in := range []string{"0", "0%", "-3%", "101%", "lots", ""} {
		var v percentValue
		if err := v.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
	if v := percentValue(0.03); v.String() != "3%" {
		t.Errorf("String() = %q", v.String())
	}
}
