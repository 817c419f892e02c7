package debugfmt

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 11, 4, 31, 447_000_000, time.UTC)

func TestRendererLines(t *testing.T) {
	type call struct {
		after time.Duration // since t0
		ns    string
		msg   string
		want  string
	}
	tests := []struct {
		name     string
		mode     Mode
		hideDate bool
		calls    []call
	}{
		{"checked basic", Basic, false, []call{
			{0, "engine:socket", `hello x {"a":1}`, "  \x1b[34;1mengine:socket \x1b[0mhello x {\"a\":1} \x1b[34m+0ms\x1b[0m"},
		}},
		{"checked 256", ANSI256, false, []call{
			{0, "socket.io:server", "initializing namespace /", "  \x1b[38;5;206;1msocket.io:server \x1b[0minitializing namespace / \x1b[38;5;206m+0ms\x1b[0m"},
		}},
		{"checked plain", Plain, false, []call{
			{0, "engine:socket", `hello x {"a":1}`, `2026-11-27T11:04:31.447Z engine:socket hello x {"a":1}`},
		}},
		{"plain hide date", Plain, true, []call{
			{0, "engine:socket", "hello", "engine:socket hello"},
		}},
		{"plain multi-line: only the first line is prefixed", Plain, false, []call{
			{0, "engine", "a\nb\n", "2026-11-27T11:04:31.447Z engine a\nb\n"},
		}},
		{"basic multi-line: every line is prefixed, the diff goes last", Basic, false, []call{
			{0, "engine", "a\nb", "  \x1b[35;1mengine \x1b[0ma\n  \x1b[35;1mengine \x1b[0mb \x1b[35m+0ms\x1b[0m"},
			{2 * time.Millisecond, "engine", "c\n", "  \x1b[35;1mengine \x1b[0mc\n  \x1b[35;1mengine \x1b[0m \x1b[35m+2ms\x1b[0m"},
		}},
		{"empty message", Basic, false, []call{
			{0, "engine:ws", "", "  \x1b[33;1mengine:ws \x1b[0m \x1b[33m+0ms\x1b[0m"},
		}},
		{"diffs are per namespace", Basic, false, []call{
			{0, "engine", "1", "  \x1b[35;1mengine \x1b[0m1 \x1b[35m+0ms\x1b[0m"},
			{5 * time.Millisecond, "engine:ws", "2", "  \x1b[33;1mengine:ws \x1b[0m2 \x1b[33m+0ms\x1b[0m"},
			{1500 * time.Millisecond, "engine", "3", "  \x1b[35;1mengine \x1b[0m3 \x1b[35m+2s\x1b[0m"},
			{1501 * time.Millisecond, "engine:ws", "4", "  \x1b[33;1mengine:ws \x1b[0m4 \x1b[33m+1s\x1b[0m"},
			{1501 * time.Millisecond, "engine", "5", "  \x1b[35;1mengine \x1b[0m5 \x1b[35m+1ms\x1b[0m"},
			{91501 * time.Millisecond, "engine", "6", "  \x1b[35;1mengine \x1b[0m6 \x1b[35m+2m\x1b[0m"},
		}},
		{"diffs count whole milliseconds of the clock, as Date does", Basic, false, []call{
			{900 * time.Microsecond, "engine", "1", "  \x1b[35;1mengine \x1b[0m1 \x1b[35m+0ms\x1b[0m"},
			{1100 * time.Microsecond, "engine", "2", "  \x1b[35;1mengine \x1b[0m2 \x1b[35m+1ms\x1b[0m"},
		}},
		{"a clock set back gives a negative diff", Basic, false, []call{
			{time.Second, "engine", "1", "  \x1b[35;1mengine \x1b[0m1 \x1b[35m+0ms\x1b[0m"},
			{0, "engine", "2", "  \x1b[35;1mengine \x1b[0m2 \x1b[35m+-1s\x1b[0m"},
		}},
		{"plain tracks diffs without printing them", Plain, true, []call{
			{0, "engine", "1", "engine 1"},
			{time.Second, "engine", "2", "engine 2"},
		}},
		{"256 palette", ANSI256, false, []call{
			{0, "engine:polling", "x", "  \x1b[38;5;63;1mengine:polling \x1b[0mx \x1b[38;5;63m+0ms\x1b[0m"},
		}},
		{"non-ASCII passes through", Basic, false, []call{
			{0, "engine:socket", "héllo 😀", "  \x1b[34;1mengine:socket \x1b[0mhéllo 😀 \x1b[34m+0ms\x1b[0m"},
		}},
		{"ISO time is UTC with milliseconds", Plain, false, []call{
			{-447 * time.Millisecond, "e", "x", "2026-11-27T11:04:31.000Z e x"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRenderer(tt.mode)
			r.HideDate = tt.hideDate
			for i, c := range tt.calls {
				if got := r.Line(t0.Add(c.after), c.ns, c.msg); got != c.want {
					t.Errorf("line %d:\n got %q\nwant %q", i, got, c.want)
				}
			}
		})
	}
}

func TestRendererLocalTimeIsUTC(t *testing.T) {
	r := NewRenderer(Plain)
	at := t0.In(time.FixedZone("X", 5*3600+1800))
	if got, want := r.Line(at, "engine", "x"), "2026-11-27T11:04:31.447Z engine x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendLineReusesBuffer(t *testing.T) {
	r := NewRenderer(Basic)
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf = r.AppendLine(buf[:0], t0, "engine:socket", "sending packet \"message\" (2[\"hi\"])")
	})
	if allocs != 0 {
		t.Errorf("AppendLine allocates %v times per line, want 0", allocs)
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0ms"},
		{999 * time.Microsecond, "0ms"}, // truncated to whole milliseconds
		{1500 * time.Microsecond, "1ms"},
		{999 * time.Millisecond, "999ms"},
		{time.Second, "1s"},
		{1499 * time.Millisecond, "1s"},
		{1500 * time.Millisecond, "2s"}, // Math.round rounds half up
		{59999 * time.Millisecond, "60s"},
		{time.Minute, "1m"},
		{89999 * time.Millisecond, "1m"},
		{90 * time.Second, "2m"},
		{time.Hour - time.Millisecond, "60m"},
		{time.Hour, "1h"},
		{90*time.Minute - time.Millisecond, "1h"},
		{90 * time.Minute, "2h"},
		{24*time.Hour - time.Millisecond, "24h"},
		{24 * time.Hour, "1d"},
		{36 * time.Hour, "2d"},
		{365 * 24 * time.Hour, "365d"},
		{-time.Millisecond, "-1ms"},
		{-999 * time.Millisecond, "-999ms"},
		{-1500 * time.Millisecond, "-1s"}, // Math.round(-1.5) is -1
		{-1600 * time.Millisecond, "-2s"},
		{-2500 * time.Millisecond, "-2s"},
		{-90 * time.Second, "-1m"},
	}
	for _, tt := range tests {
		if got := Humanize(tt.d); got != tt.want {
			t.Errorf("Humanize(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Plain: "plain", Basic: "basic", ANSI256: "256", Mode(9): "Mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}
