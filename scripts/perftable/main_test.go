package main

import (
	"strings"
	"testing"
)

// TestFormat: the runs of one scenario make one table, a row per run in
// their order, and the line under it divides ours by the other server's
// figure round by round; a line that is not JSON (the script's notes) is
// skipped, and a broken JSON line is an error that names it.
func TestFormat(t *testing.T) {
	in := `building...
{"case":"rate","server":"sio","round":1,"load1":3.5,"date":"2026-12-07","scenario":"broadcast","transport":"websocket","clients":1000,"rate":20,"seconds":10,"deliveries_per_second":20000,"p50_ms":1.5,"p99_ms":20,"p999_ms":30,"server_cpu_seconds":2,"server_cpu_us_per_delivery":10,"load_cpu_seconds":1,"deliveries_due":200000,"deliveries_missing":0}
{"case":"rate","server":"node","round":1,"load1":4.5,"date":"2026-12-07","scenario":"broadcast","transport":"websocket","clients":1000,"rate":20,"seconds":10,"deliveries_per_second":20000,"p50_ms":2,"p99_ms":40,"p999_ms":50,"server_cpu_seconds":4,"server_cpu_us_per_delivery":20,"load_cpu_seconds":1,"deliveries_due":200000,"deliveries_missing":12}
{"case":"record-echo-polling","server":"sio","round":1,"load1":1,"date":"2026-12-08","scenario":"echo","transport":"polling","clients":100,"seconds":10,"ops_per_second":1000,"deliveries_per_cpu_second":5000,"sent":10010,"answered":10010}
{"case":"echo-rate","server":"sio","round":1,"load1":2,"date":"2026-12-07","scenario":"echo","transport":"websocket","clients":100,"rate":1000,"seconds":6,"ops_per_second":1000,"p50_ms":0.3,"p99_ms":2,"p999_ms":4,"server_cpu_seconds":0.3,"server_cpu_us_per_delivery":50,"server_cpu_us_per_round_trip":50,"load_cpu_seconds":0.2,"sent":6000,"answered":6000,"deliveries_due":6000,"deliveries_missing":0}
{"case":"echo-rate","server":"node","round":1,"load1":2.5,"date":"2026-12-07","scenario":"echo","transport":"websocket","clients":100,"rate":1000,"seconds":6,"ops_per_second":1000,"p50_ms":0.5,"p99_ms":8,"p999_ms":12,"server_cpu_seconds":0.6,"server_cpu_us_per_delivery":100,"server_cpu_us_per_round_trip":100,"load_cpu_seconds":0.2,"sent":6000,"answered":6000,"deliveries_due":6000,"deliveries_missing":0}
{"case":"echo-rate","server":"sio","round":1,"load1":3,"date":"2026-12-07","scenario":"echo","transport":"websocket","clients":100,"rate":20000,"seconds":6,"ops_per_second":19999.5,"p50_ms":0.2,"p99_ms":5,"p999_ms":8,"server_cpu_seconds":4.8,"server_cpu_us_per_delivery":40,"server_cpu_us_per_round_trip":40,"load_cpu_seconds":3.5,"sent":120000,"answered":120000,"deliveries_due":120000,"deliveries_missing":0}
{"case":"echo-rate","server":"node","round":1,"load1":3,"date":"2026-12-07","scenario":"echo","transport":"websocket","clients":100,"rate":20000,"seconds":6,"ops_per_second":19990,"p50_ms":5,"p99_ms":100,"p999_ms":160,"server_cpu_seconds":3.6,"server_cpu_us_per_delivery":30,"server_cpu_us_per_round_trip":30,"load_cpu_seconds":2.5,"sent":120000,"answered":119940,"deliveries_due":120000,"deliveries_missing":60}
{"case":"record-echo-rate","server":"sio","round":1,"load1":1,"date":"2026-12-08","scenario":"echo","transport":"websocket","clients":100,"rate":1000,"seconds":6,"ops_per_second":1000,"p50_ms":0.3,"p99_ms":2,"p999_ms":3,"server_cpu_seconds":0.3,"server_cpu_us_per_round_trip":50,"sent":6000,"answered":6000,"deliveries_missing":0}
{"case":"record-echo-rate","server":"sio-recorded","round":1,"load1":1,"date":"2026-12-08","scenario":"echo","transport":"websocket","clients":100,"rate":1000,"seconds":6,"ops_per_second":1000,"p50_ms":0.4,"p99_ms":3,"p999_ms":4,"server_cpu_seconds":0.33,"server_cpu_us_per_round_trip":55,"sent":6000,"answered":6000,"deliveries_missing":0,"exported_in":6000,"exported_out":6000,"dropped":0}
{"case":"record-echo-polling","server":"sio-recorded","round":1,"load1":1,"date":"2026-12-08","scenario":"echo","transport":"polling","clients":100,"seconds":10,"ops_per_second":1000,"deliveries_per_cpu_second":4000,"sent":10010,"answered":10010,"exported_in":10010,"exported_out":10009,"dropped":1}
`
	var b strings.Builder
	if err := format(&b, strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Log(out)
	for _, want := range []string{
		"#### Broadcast: 20/s to 1,000 websocket clients, open loop",
		"`workbook load --scenario broadcast --clients 1000 --rate 20 --payload 64 --duration 10s --server-pid PID`, measured 2026-12-07, load average 3.5–4.5.",
		"| 1 | `sio` | 10.0 µs | 20,000 | 1.5 ms | 20.0 ms | 30.0 ms | 0 of 200,000 |",
		"| 1 | `node` | 20.0 µs | 20,000 | 2.0 ms | 40.0 ms | 50.0 ms | 12 of 200,000 |",
		"`sio` ÷ `node`, server CPU per delivery, round by round: 0.50×; p99: 0.50×.",
		"#### Recording: echo with acks, 100 polling clients, without and with `--db`",
		"| 1 | `sio-recorded` | 4,000 | 1,000 |",
		"| 10,010 / 10,010 | 0.00 s | 0.00 s | 10,010 / 10,009 | 1 | 0 | 1.0 |",
		"`sio-recorded` ÷ `sio`, server CPU per round trip, round by round: 1.25×.",
		"#### Echo with acks: 100 websocket clients, open loop",
		"`workbook load --scenario echo --clients 100 --rate R --duration 6s --server-pid PID`, measured 2026-12-07, load average 2.0–3.0.",
		"| rate | round | server | round trips/s | server CPU per round trip | ours ÷ Node | p50 | p99 | p99.9 | missing |",
		"| 1,000/s | 1 | `sio` | 1,000 | 50.0 µs | 0.50× | 0.3 ms | 2.0 ms | 4.0 ms | 0 of 6,000 | 0.30 s | 0.20 s | 0 | 2.0 |",
		"| 1,000/s | 1 | `node` | 1,000 | 100.0 µs | — | 0.5 ms | 8.0 ms | 12.0 ms | 0 of 6,000 |",
		"| 20,000/s | 1 | `sio` | 19,999 | 40.0 µs | 1.33× | 0.2 ms | 5.0 ms | 8.0 ms | 0 of 120,000 |",
		"| 20,000/s | 1 | `node` | 19,990 | 30.0 µs | — | 5.0 ms | 100 ms | 160 ms | 60 of 120,000 |",
		"`sio` ÷ `node`, server CPU per round trip, round by round: 1,000/s 0.50×; 20,000/s 1.33×; p99: 1,000/s 0.25×; 20,000/s 0.05×.",
		"#### Recording: echo with acks in open loop, 100 websocket clients, without and with `--db`",
		"| rate | round | server | round trips/s | server CPU per round trip | with ÷ without `--db` |",
		"| 1,000/s | 1 | `sio-recorded` | 1,000 | 55.0 µs | 1.10× | 0.4 ms | 3.0 ms | 4.0 ms | 0 of 6,000 | 0.33 s | 0.00 s | 6,000 / 6,000 | 0 | 0 | 1.0 |",
		"`sio-recorded` ÷ `sio`, server CPU per round trip, round by round: 1,000/s 1.10×; p99: 1,000/s 1.50×.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
	if strings.Index(out, "`sio` | 10.0") > strings.Index(out, "`node` | 20.0") {
		t.Error("the rows are not in the order of the runs")
	}
	err := format(&b, strings.NewReader("{\"case\":\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a broken line: %v", err)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
