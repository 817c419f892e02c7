package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sioworkbook/workbook/internal/loadgen"
)

// LoadCommand puts a Socket.IO server under load and prints what it
// sustained.
type LoadCommand struct {
	URL       string
	Path      string
	Scenario  string
	Transport string
	Clients   int
	Senders   int
	Duration  time.Duration
	Payload   int
	ServerPID int
	JSON      bool
	Interval  time.Duration
	Sample    time.Duration
	DebugURL  string
	Slow      bool
	Rate      float64
}

func (c *LoadCommand) flags() *flagSet {
	fs := newFlagSet("load", "workbook load [flags]", `
Opens --clients connections to a Socket.IO server, over WebSocket or, with
--transport polling, HTTP long-polling, and measures, for --duration once
they are all connected, one scenario:

  echo       every client emits "echo" with an ack and waits for it (closed
             loop); the answers in flight when the window ends are waited
             for, so that "sent" and "answered" count every event. With
             --rate R, open loop: R events per second between the clients,
             in turn, on schedule whatever the server's pace (a client may
             have several in flight); latency is from the time each event
             was due to go to its ack, and the events still unanswered 10 s
             after the window are counted as missing
  broadcast  --senders clients emit "bcast" and wait for it to come back;
             the server sends it to every client (deliveries). With
             --rate R, open loop: R broadcasts per second on schedule,
             whatever the server's pace; latency is from send to each
             arrival, and the deliveries that never came (none arrived
             for 5 s after the window) are counted as missing
  idle       the clients stay connected: the server's memory per connection
  soak       the clients stay connected while one emits "bcast" every
             --interval; the server is sampled every --sample and every
             broadcast must reach every client
  slow-consumer
             --senders clients broadcast to every client; with --slow, one
             more client stops reading: the server should drop it while
             the others get every broadcast (latency: send to arrival);
             WebSocket only

The server needs the handlers of the interop fixture ("echo" acks its first
argument, "bcast" emits its arguments to everyone), which 'workbook
testserver' and interop/node/fixture-server.mjs both have. With --server-pid
(a server on this machine) the server's CPU time and resident memory are
read from /proc: deliveries per CPU-second, CPU per delivery (per round
trip for echo, whose deliveries are the acks), bytes per connection
(resident memory with the clients minus before, divided by the clients).
The load generator's own CPU time in the window is given beside the
server's: near the window times the cores, the generator is what limits
the figures. With --debug-url (a URL answering
{"goroutines":N,"heap_inuse":BYTES}, as /debug/stats of
internal/loadgen/loadserver does) the samples of soak and slow-consumer
hold the server's goroutines and heap.`)
	fs.stringVar(&c.URL, "url", "", "URL", "http://127.0.0.1:3000", "the server")
	fs.stringVar(&c.Path, "path", "", "PATH", "/socket.io/", "the Socket.IO path")
	fs.valueVar(newChoiceValue(&c.Scenario, loadgen.Echo, loadgen.Echo, loadgen.Broadcast, loadgen.Idle, loadgen.Soak, loadgen.SlowConsumer), "scenario", "", "NAME", "echo, broadcast, idle, soak or slow-consumer")
	fs.valueVar(newChoiceValue(&c.Transport, loadgen.WebSocket, loadgen.WebSocket, loadgen.Polling), "transport", "", "NAME", "websocket or polling")
	fs.intVar(&c.Clients, "clients", "", "N", 100, "connections")
	fs.intVar(&c.Senders, "senders", "", "N", 1, "broadcast: how many clients emit")
	fs.durationVar(&c.Duration, "duration", "", "DURATION", 10*time.Second, "how long to measure")
	fs.intVar(&c.Payload, "payload", "", "BYTES", 32, "length of the text each event carries")
	fs.intVar(&c.ServerPID, "server-pid", "", "PID", 0, "the server's process id, to read its CPU time and memory")
	fs.boolVar(&c.JSON, "json", "", false, "write the result as JSON")
	fs.durationVar(&c.Interval, "interval", "", "DURATION", time.Second, "soak: time between two broadcasts")
	fs.durationVar(&c.Sample, "sample", "", "DURATION", 10*time.Second, "soak: time between two samples of the server")
	fs.stringVar(&c.DebugURL, "debug-url", "", "URL", "", "the server's goroutines and heap, as JSON")
	fs.boolVar(&c.Slow, "slow", "", false, "slow-consumer: add a client that stops reading")
	fs.valueVar(positiveFloat(&c.Rate), "rate", "", "R", "broadcast or echo: R broadcasts or events per second in open loop (0: closed loop)")
	return fs
}

// rateValue is a number of broadcasts or events per second, 0 or more.
type rateValue float64

func positiveFloat(p *float64) *rateValue { return (*rateValue)(p) }

func (v *rateValue) Set(s string) error {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return fmt.Errorf("want a number per second, 0 or more, got %q", s)
	}
	*v = rateValue(n)
	return nil
}

func (v *rateValue) String() string {
	if v == nil {
		return "0"
	}
	return strconv.FormatFloat(float64(*v), 'g', -1, 64)
}

// Run runs the load.
func (c *LoadCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	res, err := loadgen.Run(ctx, loadgen.Config{
		URL: c.URL, Path: c.Path, Scenario: c.Scenario, Transport: c.Transport, Clients: c.Clients, Senders: c.Senders,
		Duration: c.Duration, Payload: c.Payload, ServerPID: c.ServerPID,
		Interval: c.Interval, SampleEvery: c.Sample, DebugURL: c.DebugURL, Slow: c.Slow, Rate: c.Rate,
	})
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if c.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(loadJSON{
			Scenario: res.Scenario, Transport: res.Transport, Clients: res.Clients, Senders: res.Senders, Rate: c.Rate,
			Seconds: res.Duration.Seconds(), Ops: res.Ops, Deliveries: res.Deliveries, Errors: res.Errors, DialRetries: res.DialRetries,
			OpsPerSecond: res.OpsPerSecond(), DeliveriesPerSecond: res.DeliveriesPerSecond(),
			P50ms: ms(res.Latency.P50), P90ms: ms(res.Latency.P90), P99ms: ms(res.Latency.P99), P999ms: ms(res.Latency.P999), MaxMs: ms(res.Latency.Max),
			ServerCPUSeconds: res.ServerCPU.Seconds(), DeliveriesPerCPUSecond: res.DeliveriesPerCPUSecond(),
			CPUPerDeliveryUs: res.CPUPerDelivery().Seconds() * 1e6, CPUPerRoundTripUs: res.CPUPerRoundTrip().Seconds() * 1e6,
			LoadCPUSeconds: res.LoadCPU.Seconds(), Sent: res.Sent, Answered: res.Answered,
			RSSBefore: res.RSSBefore, RSSPeak: res.RSSPeak, BytesPerConnection: res.BytesPerConnection(),
			Expected: res.Expected, Missing: res.Missing(), Samples: samplesJSON(res.Samples),
			SlowDropped: res.SlowDropped, DroppedAfterSeconds: res.DroppedAfter.Seconds(), SlowReason: res.SlowReason,
		})
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s, %d %s clients", res.Scenario, res.Clients, res.Transport)
	if res.Scenario == loadgen.Broadcast {
		fmt.Fprintf(tw, ", %d senders", res.Senders)
	}
	fmt.Fprintf(tw, "\nwindow\t%.1f s\n", res.Duration.Seconds())
	if res.Scenario != loadgen.Idle {
		fmt.Fprintf(tw, "ops\t%d (%.0f/s)\n", res.Ops, res.OpsPerSecond())
		fmt.Fprintf(tw, "deliveries\t%d (%.0f/s)\n", res.Deliveries, res.DeliveriesPerSecond())
		fmt.Fprintf(tw, "latency\tp50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", res.Latency.P50.Round(time.Microsecond),
			res.Latency.P90.Round(time.Microsecond), res.Latency.P99.Round(time.Microsecond),
			res.Latency.P999.Round(time.Microsecond), res.Latency.Max.Round(time.Microsecond))
	}
	switch {
	case res.Scenario == loadgen.Echo && c.Rate > 0:
		fmt.Fprintf(tw, "events\t%d sent on schedule, %d answered, %d missing\n", res.Sent, res.Answered, res.Missing())
	case res.Scenario == loadgen.Echo:
		fmt.Fprintf(tw, "events\t%d sent, %d answered (with those in flight at the end)\n", res.Sent, res.Answered)
	}
	if res.Scenario == loadgen.Soak || res.Scenario == loadgen.SlowConsumer || res.Scenario == loadgen.Broadcast && c.Rate > 0 {
		fmt.Fprintf(tw, "deliveries due\t%d, %d missing\n", res.Expected, res.Missing())
	}
	if res.Scenario == loadgen.SlowConsumer && c.Slow {
		if res.SlowDropped {
			fmt.Fprintf(tw, "slow client\tdropped after %.1f s (%s)\n", res.DroppedAfter.Seconds(), res.SlowReason)
		} else {
			fmt.Fprintf(tw, "slow client\tNOT dropped\n")
		}
	}
	fmt.Fprintf(tw, "connections lost\t%d (%d attempts to connect tried again)\n", res.Errors, res.DialRetries)
	if c.ServerPID != 0 {
		fmt.Fprintf(tw, "server CPU\t%.2f s", res.ServerCPU.Seconds())
		if res.Deliveries > 0 {
			fmt.Fprintf(tw, " (%.0f deliveries per CPU-second, %.1f µs per delivery)", res.DeliveriesPerCPUSecond(),
				res.CPUPerDelivery().Seconds()*1e6)
		}
		fmt.Fprintf(tw, "\nserver memory\t%s before, %s with the clients (%s per connection)\n",
			humanBytes(res.RSSBefore), humanBytes(res.RSSPeak), humanBytes(res.BytesPerConnection()))
	}
	fmt.Fprintf(tw, "load generator CPU\t%.2f s\n", res.LoadCPU.Seconds())
	if len(res.Samples) > 0 {
		fmt.Fprintf(tw, "\nat\tRSS\tthreads\tgoroutines\theap\tconnected\tdeliveries\n")
		for _, s := range res.Samples {
			fmt.Fprintf(tw, "%.0f s\t%s\t%d\t%d\t%s\t%d\t%d\n", s.At.Seconds(), humanBytes(s.RSS), s.Threads,
				s.Goroutines, humanBytes(s.HeapInuse), s.Connected, s.Deliveries)
		}
	}
	return tw.Flush()
}

// sampleJSON is one sample as --json writes it.
type sampleJSON struct {
	Seconds    float64 `json:"t"`
	RSS        int64   `json:"rss"`
	Threads    int     `json:"threads"`
	Goroutines int     `json:"goroutines"`
	HeapInuse  int64   `json:"heap_inuse"`
	Connected  int     `json:"connected"`
	Deliveries int64   `json:"deliveries"`
}

func samplesJSON(in []loadgen.Sample) []sampleJSON {
	out := make([]sampleJSON, len(in))
	for i, s := range in {
		out[i] = sampleJSON{s.At.Seconds(), s.RSS, s.Threads, s.Goroutines, s.HeapInuse, s.Connected, s.Deliveries}
	}
	return out
}

// humanBytes writes n in B, KiB or MiB, to one decimal.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 || n <= -1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 || n <= -1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadJSON is the result as --json writes it.
type loadJSON struct {
	Scenario               string       `json:"scenario"`
	Transport              string       `json:"transport"`
	Clients                int          `json:"clients"`
	Senders                int          `json:"senders,omitempty"`
	Rate                   float64      `json:"rate,omitempty"`
	Seconds                float64      `json:"seconds"`
	Ops                    int64        `json:"ops"`
	Deliveries             int64        `json:"deliveries"`
	Errors                 int64        `json:"connections_lost"`
	DialRetries            int64        `json:"dial_retries"`
	OpsPerSecond           float64      `json:"ops_per_second"`
	DeliveriesPerSecond    float64      `json:"deliveries_per_second"`
	P50ms                  float64      `json:"p50_ms"`
	P90ms                  float64      `json:"p90_ms"`
	P99ms                  float64      `json:"p99_ms"`
	P999ms                 float64      `json:"p999_ms"`
	MaxMs                  float64      `json:"max_ms"`
	ServerCPUSeconds       float64      `json:"server_cpu_seconds,omitempty"`
	DeliveriesPerCPUSecond float64      `json:"deliveries_per_cpu_second,omitempty"`
	CPUPerDeliveryUs       float64      `json:"server_cpu_us_per_delivery,omitempty"`
	CPUPerRoundTripUs      float64      `json:"server_cpu_us_per_round_trip,omitempty"` // echo: the same figure, named for what it is
	LoadCPUSeconds         float64      `json:"load_cpu_seconds"`
	Sent                   int64        `json:"sent,omitempty"`
	Answered               int64        `json:"answered,omitempty"`
	RSSBefore              int64        `json:"server_rss_before,omitempty"`
	RSSPeak                int64        `json:"server_rss_peak,omitempty"`
	BytesPerConnection     int64        `json:"bytes_per_connection,omitempty"`
	Expected               int64        `json:"deliveries_due,omitempty"`
	Missing                int64        `json:"deliveries_missing"`
	SlowDropped            bool         `json:"slow_dropped,omitempty"`
	DroppedAfterSeconds    float64      `json:"slow_dropped_after_seconds,omitempty"`
	SlowReason             string       `json:"slow_reason,omitempty"`
	Samples                []sampleJSON `json:"samples,omitempty"`
}
