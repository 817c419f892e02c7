// Command perftable turns the JSON lines of scripts/compare-node.sh into
// the Markdown tables of docs/PERFORMANCE.md: one table per scenario (the
// open-loop echoes of one case make one, all rates), a row per run, and,
// under each table, ours against the other server round by round.
//
//	scripts/compare-node.sh | tee sweep.jsonl
//	go run ./scripts/perftable < sweep.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	if err := format(os.Stdout, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "perftable:", err)
		os.Exit(1)
	}
}

// run is one line of compare-node.sh: the fields of 'workbook load --json'
// and those the script adds.
type run struct {
	Case      string  `json:"case"`
	Server    string  `json:"server"`
	Round     int     `json:"round"`
	Load1     float64 `json:"load1"`
	Date      string  `json:"date"`
	Scenario  string  `json:"scenario"`
	Transport string  `json:"transport"`
	Clients   int     `json:"clients"`
	Senders   int     `json:"senders"`
	Rate      float64 `json:"rate"`
	Seconds   float64 `json:"seconds"`

	Ops                 int64   `json:"ops"`
	Deliveries          int64   `json:"deliveries"`
	Lost                int64   `json:"connections_lost"`
	OpsPerSecond        float64 `json:"ops_per_second"`
	DeliveriesPerSecond float64 `json:"deliveries_per_second"`
	P50                 float64 `json:"p50_ms"`
	P99                 float64 `json:"p99_ms"`
	P999                float64 `json:"p999_ms"`
	ServerCPU           float64 `json:"server_cpu_seconds"`
	PerCPUSecond        float64 `json:"deliveries_per_cpu_second"`
	CPUPerDelivery      float64 `json:"server_cpu_us_per_delivery"`
	CPUPerRoundTrip     float64 `json:"server_cpu_us_per_round_trip"`
	LoadCPU             float64 `json:"load_cpu_seconds"`
	RSSBefore           int64   `json:"server_rss_before"`
	RSSPeak             int64   `json:"server_rss_peak"`
	PerConnection       int64   `json:"bytes_per_connection"`
	Due                 int64   `json:"deliveries_due"`
	Missing             int64   `json:"deliveries_missing"`
	Sent                int64   `json:"sent"`
	Answered            int64   `json:"answered"`
	ExportedIn          *int64  `json:"exported_in"`
	ExportedOut         *int64  `json:"exported_out"`
	Dropped             int64   `json:"dropped"`
}

// key names a scenario: the runs that share it make one table. The
// open-loop echoes of a case make one table whatever their rate.
func (r run) key() string {
	if r.openEcho() {
		return fmt.Sprintf("%s|%s|%s|%d|open", r.Case, r.Scenario, r.Transport, r.Clients)
	}
	return fmt.Sprintf("%s|%s|%s|%d|%g", r.Case, r.Scenario, r.Transport, r.Clients, r.Rate)
}

// openEcho tells an echo in open loop (with a rate).
func (r run) openEcho() bool { return r.Scenario == "echo" && r.Rate > 0 }

// cpuPerRoundTrip is the server's CPU per round trip of an echo, in µs
// (per delivery in results from before the field: the same figure).
func (r run) cpuPerRoundTrip() float64 {
	if r.CPUPerRoundTrip > 0 {
		return r.CPUPerRoundTrip
	}
	return r.CPUPerDelivery
}

// title is the heading of r's table.
func (r run) title() string {
	switch {
	case r.Scenario == "broadcast" && strings.HasPrefix(r.Case, "record"):
		return fmt.Sprintf("Recording: %g broadcasts/s to %s clients, without and with `--db`", r.Rate, thousands(int64(r.Clients)))
	case r.Scenario == "broadcast" && r.Rate == 0:
		return fmt.Sprintf("Broadcast at saturation: %d senders in a closed loop to %s %s clients", r.Senders, thousands(int64(r.Clients)), r.Transport)
	case r.Scenario == "broadcast":
		return fmt.Sprintf("Broadcast: %g/s to %s %s clients, open loop", r.Rate, thousands(int64(r.Clients)), r.Transport)
	case r.openEcho() && strings.HasPrefix(r.Case, "record"):
		return fmt.Sprintf("Recording: echo with acks in open loop, %d %s clients, without and with `--db`", r.Clients, r.Transport)
	case r.openEcho():
		return fmt.Sprintf("Echo with acks: %d %s clients, open loop", r.Clients, r.Transport)
	case r.Scenario == "echo" && strings.HasPrefix(r.Case, "record"):
		return fmt.Sprintf("Recording: echo with acks, %d %s clients, without and with `--db`", r.Clients, r.Transport)
	case r.Scenario == "echo":
		return fmt.Sprintf("Echo with acks: %d %s clients, closed loop", r.Clients, r.Transport)
	case r.Scenario == "idle":
		return fmt.Sprintf("Idle: %s %s connections", thousands(int64(r.Clients)), r.Transport)
	}
	return r.Case
}

// command is the 'workbook load' of r's runs.
func (r run) command() string {
	s := fmt.Sprintf("workbook load --scenario %s --clients %d", r.Scenario, r.Clients)
	if r.Transport != "" && r.Transport != "websocket" {
		s += " --transport " + r.Transport
	}
	if r.openEcho() {
		s += " --rate R"
	} else if r.Rate > 0 {
		s += fmt.Sprintf(" --rate %g --payload 64", r.Rate)
	} else if r.Scenario == "broadcast" {
		s += fmt.Sprintf(" --senders %d", r.Senders)
	}
	return s + fmt.Sprintf(" --duration %.0fs --server-pid PID", r.Seconds)
}

func format(w io.Writer, in io.Reader) error {
	var (
		order  []string
		groups = map[string][]run{}
	)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue // the script's other output
		}
		var r run
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		k := r.key()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, k := range order {
		table(w, groups[k])
	}
	return nil
}

// table writes the runs of one scenario.
func table(w io.Writer, runs []run) {
	first := runs[0]
	dates := map[string]bool{}
	lo, hi := first.Load1, first.Load1
	for _, r := range runs {
		dates[r.Date] = true
		lo, hi = min(lo, r.Load1), max(hi, r.Load1)
	}
	ds := make([]string, 0, len(dates))
	for d := range dates {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	fmt.Fprintf(w, "#### %s\n\n`%s`, measured %s, load average %.1f–%.1f.\n\n", first.title(), first.command(), strings.Join(ds, ", "), lo, hi)
	if first.openEcho() {
		openEchoTable(w, runs)
		return
	}
	record := strings.HasPrefix(first.Case, "record")
	var cols []string
	var row func(r run) []string
	switch first.Scenario {
	case "broadcast":
		cols = []string{"server CPU per delivery", "deliveries/s", "p50", "p99", "p99.9", "missing", "server CPU", "load tool CPU"}
		row = func(r run) []string {
			missing := "—" // a closed loop has no schedule to miss
			if r.Rate > 0 {
				missing = fmt.Sprintf("%s of %s", thousands(r.Missing), thousands(r.Due))
			}
			return []string{us(r.CPUPerDelivery), thousands(int64(r.DeliveriesPerSecond)), msec(r.P50), msec(r.P99), msec(r.P999),
				missing, sec(r.ServerCPU), sec(r.LoadCPU)}
		}
	case "echo":
		cols = []string{"round trips per server CPU-second", "round trips/s", "p50", "p99", "sent / answered", "server CPU", "load tool CPU"}
		row = func(r run) []string {
			return []string{thousands(int64(r.PerCPUSecond)), thousands(int64(r.OpsPerSecond)), msec(r.P50), msec(r.P99),
				thousands(r.Sent) + " / " + thousands(r.Answered), sec(r.ServerCPU), sec(r.LoadCPU)}
		}
	case "idle":
		cols = []string{"RSS before", "RSS with the clients", "per connection"}
		row = func(r run) []string {
			return []string{mib(r.RSSBefore), mib(r.RSSPeak), fmt.Sprintf("%.1f KB", float64(r.PerConnection)/1000)}
		}
	}
	if record {
		cols = append(cols, "exported in / out", "dropped")
		inner := row
		row = func(r run) []string {
			cells := inner(r)
			if r.ExportedIn == nil {
				return append(cells, "—", "—")
			}
			return append(cells, thousands(*r.ExportedIn)+" / "+thousands(*r.ExportedOut), thousands(r.Dropped))
		}
	}
	cols = append([]string{"round", "server"}, cols...)
	cols = append(cols, "connections lost", "load average")
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat(" --- |", len(cols)))
	for _, r := range runs {
		cells := append([]string{fmt.Sprint(r.Round), "`" + r.Server + "`"}, row(r)...)
		cells = append(cells, thousands(r.Lost), fmt.Sprintf("%.1f", r.Load1))
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
	if s := ratios(runs); s != "" {
		fmt.Fprintf(w, "%s\n\n", s)
	}
}

// openEchoTable writes the rows of the open-loop echoes of one case, the
// rates one after the other, each run of ours with its CPU per round trip
// over the other server's at the same rate and round.
func openEchoTable(w io.Writer, runs []run) {
	base, other := pairOf(runs[0])
	record := strings.HasPrefix(runs[0].Case, "record")
	ratioCol := "ours ÷ Node"
	if record {
		ratioCol = "with ÷ without `--db`"
	}
	cols := []string{"rate", "round", "server", "round trips/s", "server CPU per round trip", ratioCol,
		"p50", "p99", "p99.9", "missing", "server CPU", "load tool CPU"}
	if record {
		cols = append(cols, "exported in / out", "dropped")
	}
	cols = append(cols, "connections lost", "load average")
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat(" --- |", len(cols)))
	for _, r := range runs {
		ratio := "—"
		if o, ok := findAt(runs, r.Rate, r.Round, other); ok && r.Server == base && r.cpuPerRoundTrip() > 0 && o.cpuPerRoundTrip() > 0 {
			ratio = fmt.Sprintf("%.2f×", r.cpuPerRoundTrip()/o.cpuPerRoundTrip())
		}
		cells := []string{fmt.Sprintf("%s/s", thousands(int64(r.Rate))), fmt.Sprint(r.Round), "`" + r.Server + "`",
			thousands(int64(r.OpsPerSecond)), us(r.cpuPerRoundTrip()), ratio, msec(r.P50), msec(r.P99), msec(r.P999),
			fmt.Sprintf("%s of %s", thousands(r.Missing), thousands(r.Sent)), sec(r.ServerCPU), sec(r.LoadCPU)}
		if record {
			if r.ExportedIn == nil {
				cells = append(cells, "—", "—")
			} else {
				cells = append(cells, thousands(*r.ExportedIn)+" / "+thousands(*r.ExportedOut), thousands(r.Dropped))
			}
		}
		cells = append(cells, thousands(r.Lost), fmt.Sprintf("%.1f", r.Load1))
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
	// Under the table, the ratios rate by rate: CPU per round trip and p99.
	var rates []float64
	for _, r := range runs {
		if !slices.Contains(rates, r.Rate) {
			rates = append(rates, r.Rate)
		}
	}
	var cpu, p99 []string
	for _, rate := range rates {
		var c, p []string
		for round := 1; ; round++ {
			a, okA := findAt(runs, rate, round, base)
			b, okB := findAt(runs, rate, round, other)
			if !okA && !okB {
				break
			}
			if okA && okB && a.cpuPerRoundTrip() > 0 && b.cpuPerRoundTrip() > 0 {
				c = append(c, fmt.Sprintf("%.2f×", a.cpuPerRoundTrip()/b.cpuPerRoundTrip()))
			}
			if okA && okB && a.P99 > 0 && b.P99 > 0 {
				p = append(p, fmt.Sprintf("%.2f×", a.P99/b.P99))
			}
		}
		at := thousands(int64(rate)) + "/s "
		if len(c) > 0 {
			cpu = append(cpu, at+strings.Join(c, ", "))
		}
		if len(p) > 0 {
			p99 = append(p99, at+strings.Join(p, ", "))
		}
	}
	if len(cpu) > 0 {
		s := fmt.Sprintf("`%s` ÷ `%s`, server CPU per round trip, round by round: %s", base, other, strings.Join(cpu, "; "))
		if len(p99) > 0 {
			s += "; p99: " + strings.Join(p99, "; ")
		}
		fmt.Fprintf(w, "%s.\n\n", s)
	}
}

// pairOf names the servers that r's table compares: ours and Node's, or
// ours recording and ours not.
func pairOf(r run) (base, other string) {
	if strings.HasPrefix(r.Case, "record") {
		return "sio-recorded", "sio"
	}
	return "sio", "node"
}

// ratios compares, round by round, our server with the other one of the
// table (Node's, or ours recording): the figure the targets judge.
func ratios(runs []run) string {
	base, other := pairOf(runs[0])
	var fig func(r run) float64
	var what string
	switch runs[0].Scenario {
	case "broadcast":
		fig, what = func(r run) float64 { return r.CPUPerDelivery }, "server CPU per delivery"
		if runs[0].Rate == 0 {
			fig, what = func(r run) float64 { return r.PerCPUSecond }, "deliveries per server CPU-second"
		}
	case "echo":
		fig, what = func(r run) float64 { return r.PerCPUSecond }, "round trips per server CPU-second"
		if base == "sio-recorded" {
			fig, what = func(r run) float64 { return 1 / r.PerCPUSecond }, "server CPU per round trip"
		}
	case "idle":
		fig, what = func(r run) float64 { return float64(r.PerConnection) }, "resident memory per connection"
	default:
		return ""
	}
	var parts []string
	var p99 []string
	for round := 1; ; round++ {
		a, okA := find(runs, round, base)
		b, okB := find(runs, round, other)
		if !okA && !okB {
			break
		}
		if !okA || !okB || fig(b) == 0 || fig(a) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%.2f×", fig(a)/fig(b)))
		if runs[0].Scenario == "broadcast" && runs[0].Rate > 0 && b.P99 > 0 {
			p99 = append(p99, fmt.Sprintf("%.2f×", a.P99/b.P99))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := fmt.Sprintf("`%s` ÷ `%s`, %s, round by round: %s", base, other, what, strings.Join(parts, ", "))
	if len(p99) > 0 {
		s += "; p99: " + strings.Join(p99, ", ")
	}
	return s + "."
}

// findAt is find among the runs at rate.
func findAt(runs []run, rate float64, round int, server string) (run, bool) {
	for _, r := range runs {
		if r.Rate == rate && r.Round == round && r.Server == server {
			return r, true
		}
	}
	return run{}, false
}

func find(runs []run, round int, server string) (run, bool) {
	for _, r := range runs {
		if r.Round == round && r.Server == server {
			return r, true
		}
	}
	return run{}, false
}

func us(v float64) string {
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f µs", v)
}

func sec(v float64) string { return fmt.Sprintf("%.2f s", v) }

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// msec writes a latency in ms, or in s past 10 s.
func msec(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
