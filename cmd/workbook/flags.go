package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// flagSet is a flag.FlagSet whose flags may each read an environment
// variable. The value on the command line wins over the variable, which wins
// over the default. Its usage text lists every flag with its variable.
type flagSet struct {
	*flag.FlagSet
	synopsis string            // "workbook trace [flags]"
	doc      string            // a paragraph or two on what the command does
	env      map[string]string // flag name -> environment variable
	order    []string          // flag names in definition order, for usage
	metavar  map[string]string // flag name -> the word shown for its value
}

func newFlagSet(name, synopsis, doc string) *flagSet {
	f := &flagSet{
		FlagSet:  flag.NewFlagSet(name, flag.ContinueOnError),
		synopsis: synopsis,
		doc:      doc,
		env:      make(map[string]string),
		metavar:  make(map[string]string),
	}
	f.FlagSet.Usage = func() { f.usage(f.Output()) }
	return f
}

// bind records that flag name reads env, and the word that stands for its
// value in the usage text ("" for a boolean flag). Call it after defining
// the flag.
func (f *flagSet) bind(name, env, metavar string) {
	if f.Lookup(name) == nil {
		panic("workbook: bind of undefined flag " + name)
	}
	if env != "" {
		f.env[name] = env
	}
	f.metavar[name] = metavar
	f.order = append(f.order, name)
}

func (f *flagSet) stringVar(p *string, name, env, metavar, def, usage string) {
	f.StringVar(p, name, def, usage)
	f.bind(name, env, metavar)
}

func (f *flagSet) boolVar(p *bool, name, env string, def bool, usage string) {
	f.BoolVar(p, name, def, usage)
	f.bind(name, env, "")
}

func (f *flagSet) intVar(p *int, name, env, metavar string, def int, usage string) {
	f.IntVar(p, name, def, usage)
	f.bind(name, env, metavar)
}

func (f *flagSet) durationVar(p *time.Duration, name, env, metavar string, def time.Duration, usage string) {
	f.Var(newDaysValue(p, def), name, usage)
	f.bind(name, env, metavar)
}

func (f *flagSet) valueVar(v flag.Value, name, env, metavar, usage string) {
	f.Var(v, name, usage)
	f.bind(name, env, metavar)
}

// dbFlag defines --db, which every command that touches a database takes.
func (f *flagSet) dbFlag(p *string, usage string) {
	f.stringVar(p, "db", "WORKBOOK_DB", "PATH", "workbook.db", usage)
}

// parse parses args, then fills every flag that args did not set from its
// environment variable, when that is set and not empty.
func (f *flagSet) parse(args []string, stderr io.Writer) error {
	f.SetOutput(stderr)
	if err := f.Parse(args); err != nil {
		return err
	}
	set := make(map[string]bool)
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range f.order {
		env, ok := f.env[name]
		if !ok || set[name] {
			continue
		}
		v := os.Getenv(env)
		if v == "" {
			continue
		}
		if err := f.Set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %v", env, v, err)
		}
	}
	return nil
}

// noArgs returns an error when the command line had arguments after the flags.
func (f *flagSet) noArgs() error {
	if f.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (flags go before arguments; see 'workbook %s -h')", f.Name(), f.Arg(0), f.Name())
	}
	return nil
}

// usage writes the synopsis, the doc and a table of the flags.
func (f *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", f.synopsis, strings.TrimSpace(f.doc))
	if len(f.order) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range f.order {
		fl := f.Lookup(name)
		left := "--" + name
		if len(name) == 1 {
			left = "-" + name // -o, as users type it
		}
		if m := f.metavar[name]; m != "" {
			left += " " + m
		}
		var notes []string
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && d != "0s" {
			notes = append(notes, "default "+d)
		}
		if env := f.env[name]; env != "" {
			notes = append(notes, "env "+env)
		}
		line := fl.Usage
		if len(notes) > 0 {
			line += " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", left, line)
	}
	tw.Flush()
}

// envVars returns the flag and variable pairs of f, in order.
func (f *flagSet) envVars() [][2]string {
	var out [][2]string
	for _, name := range f.order {
		if env := f.env[name]; env != "" {
			out = append(out, [2]string{"--" + name, env})
		}
	}
	return out
}

// daysValue is a time.Duration flag that also takes days: "7d", "1d12h",
// "36h", "90m", "0".
type daysValue time.Duration

func newDaysValue(p *time.Duration, def time.Duration) *daysValue {
	*p = def
	return (*daysValue)(p)
}

func (d *daysValue) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = daysValue(v)
	return nil
}

func (d *daysValue) String() string { return formatDuration(time.Duration(*d)) }

// parseDuration parses a duration that may use days and weeks ("7d",
// "1d12h", "2w", "90m"), as inspector.ParseKeep does for every command.
func parseDuration(s string) (time.Duration, error) { return inspector.ParseKeep(s) }

// formatDuration writes whole days as "Nd" and the rest as Go does.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	day := 24 * time.Hour
	if d >= day {
		days := d / day
		rest := d % day
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%s", days, rest)
	}
	return d.String()
}

// sizeValue is a size in bytes: "1GB", "500MB", "512MiB", "1048576", "0".
type sizeValue int64

func (s *sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

func (s *sizeValue) String() string { return formatSize(int64(*s)) }

// parseSize parses a size as inspector.ParseSize does: KB, MB, GB, TB are
// powers of 1000; KiB, MiB, GiB, TiB and K, M, G, T powers of 1024.
func parseSize(s string) (int64, error) { return inspector.ParseSize(s) }

// formatSize writes n with the largest decimal unit that divides it.
func formatSize(n int64) string {
	if n == 0 {
		return "0"
	}
	units := []string{"TB", "GB", "MB", "kB"}
	mults := []int64{1e12, 1e9, 1e6, 1e3}
	for i, m := range mults {
		if n%m == 0 {
			return fmt.Sprintf("%d%s", n/m, units[i])
		}
	}
	return fmt.Sprintf("%dB", n)
}

// timeValue is a point in time given as an RFC 3339 time
// ("2026-11-27T13:00:00Z"), a date ("2026-11-27", local midnight), or a
// duration before now ("10m", "2h", "7d").
type timeValue struct {
	t   *time.Time
	now func() time.Time
	arg string
}

func newTimeValue(p *time.Time) *timeValue { return &timeValue{t: p, now: time.Now} }

func (v *timeValue) Set(s string) error {
	t, err := parseTime(s, v.now())
	if err != nil {
		return err
	}
	*v.t = t
	v.arg = s
	return nil
}

func (v *timeValue) String() string {
	if v == nil {
		return ""
	}
	return v.arg
}

func parseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if d, err := parseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, errors.New("want a duration before now (10m, 2h, 7d) or a time (2026-11-27T13:00:00Z, 2026-11-27)")
}

// choiceValue is a string flag limited to a few words.
type choiceValue struct {
	p       *string
	choices []string
}

func newChoiceValue(p *string, def string, choices ...string) *choiceValue {
	*p = def
	return &choiceValue{p: p, choices: choices}
}

func (c *choiceValue) Set(s string) error {
	for _, ch := range c.choices {
		if s == ch {
			*c.p = s
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(c.choices, ", "))
}

func (c *choiceValue) String() string {
	if c == nil || c.p == nil {
		return ""
	}
	return *c.p
}

// recordCPUFlag adds --record-cpu: the recorder's share of a machine that
// has no CPU to spare (inspector.RecorderOptions.CPUShare).
func (f *flagSet) recordCPUFlag(p *float64) {
	*p = inspector.DefaultCPUShare
	f.valueVar((*percentValue)(p), "record-cpu", "WORKBOOK_RECORD_CPU", "PERCENT",
		"the most of the CPU the recorder takes while the machine has none to spare (what it has no time for is dropped and counted); 100% never holds it back")
}

// percentValue is a share from 0 (excluded) to 1, written "3%" (or "3").
type percentValue float64

func (v *percentValue) Set(s string) error {
	n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || n <= 0 || n > 100 {
		return fmt.Errorf("want a percentage above 0 and up to 100, such as 3%%, got %q", s)
	}
	*v = percentValue(n / 100)
	return nil
}

func (v *percentValue) String() string {
	return strconv.FormatFloat(float64(*v)*100, 'g', -1, 64) + "%"
}
