package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/loadgen"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
)

// TestScenarios runs each scenario briefly against the Go fixture (in this
// process, so that the server's CPU and memory are read from our own
// /proc entry) and checks that load went through and nothing was lost.
func TestScenarios(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := fixture.Start(t, nil)
	for _, tc := range []struct{ scenario, transport string }{
		{loadgen.Echo, loadgen.WebSocket}, {loadgen.Broadcast, loadgen.WebSocket}, {loadgen.Idle, loadgen.WebSocket},
		{loadgen.Echo, loadgen.Polling}, {loadgen.Broadcast, loadgen.Polling}, {loadgen.Idle, loadgen.Polling},
	} {
		sc := tc.scenario
		t.Run(sc+"/"+tc.transport, func(t *testing.T) {
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				URL: srv.URL(), Scenario: sc, Transport: tc.transport, Clients: 20, Senders: 2,
				Duration: 300 * time.Millisecond, Payload: 32, ServerPID: os.Getpid(),
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", *res)
			if res.Errors != 0 {
				t.Errorf("%d connections lost", res.Errors)
			}
			if res.RSSBefore <= 0 || res.RSSPeak <= 0 {
				t.Errorf("memory not read: %d, %d", res.RSSBefore, res.RSSPeak)
			}
			if res.Transport != tc.transport || res.LoadCPU < 0 {
				t.Errorf("transport %q, load CPU %s", res.Transport, res.LoadCPU)
			}
			switch sc {
			case loadgen.Echo:
				if res.Ops == 0 || res.Deliveries < res.Ops || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 {
					t.Errorf("echo: %+v", *res)
				}
				// Every event emitted was answered, those in flight at
				// the end of the window included.
				if res.Sent < res.Ops || res.Answered != res.Sent {
					t.Errorf("echo: %d round trips in the window, %d events sent, %d answered", res.Ops, res.Sent, res.Answered)
				}
			case loadgen.Broadcast:
				// Every broadcast reaches the 20 clients; the last ones
				// may still be on their way when the window ends.
				if res.Ops == 0 || res.Deliveries < res.Ops || res.Senders != 2 {
					t.Errorf("broadcast: %+v", *res)
				}
			case loadgen.Idle:
				if res.Ops != 0 {
					t.Errorf("idle: %d ops", res.Ops)
				}
			}
		})
	}
	// The clients are gone once Run returns.
	deadline := time.Now().Add(10 * time.Second)
	for srv.Server().MainNamespace().Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets left on the server", srv.Server().MainNamespace().Len())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []loadgen.Config{
		{URL: "http://127.0.0.1:1", Scenario: "nope", Clients: 1, Duration: time.Second},
		{URL: "http://127.0.0.1:1", Scenario: loadgen.Echo, Clients: 0, Duration: time.Second},
		{URL: "ftp://x", Scenario: loadgen.Echo, Clients: 1, Duration: time.Second},
		{URL: "http://127.0.0.1:1", Scenario: loadgen.Echo, Clients: 1, Duration: time.Second}, // nothing listens
	} {
		if _, err := loadgen.Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestSoak holds a few clients with a trickle of broadcasts: every one
// reaches every client, and the server is sampled.
func TestSoak(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := fixture.Start(t, nil)
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.URL(), Scenario: loadgen.Soak, Clients: 20, Duration: time.Second,
		Interval: 50 * time.Millisecond, SampleEvery: 200 * time.Millisecond, ServerPID: os.Getpid(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops == 0 || res.Expected != res.Ops*20 || res.Missing() != 0 || res.Errors != 0 {
		t.Errorf("%d broadcasts, %d deliveries due, %d missing, %d connections lost", res.Ops, res.Expected, res.Missing(), res.Errors)
	}
	if len(res.Samples) < 2 || res.Samples[0].RSS <= 0 || res.Samples[0].Threads <= 0 || res.Samples[0].Connected != 20 {
		t.Errorf("samples: %+v", res.Samples)
	}
}

// TestSlowConsumer: a client that stops reading while the others get a
// stream of broadcasts is dropped by the server's outbound bound (small
// here, so that it takes few broadcasts), with the reason the server gives
// for a full queue, and the others get every broadcast.
func TestSlowConsumer(t *testing.T) {
	cfg := fixture.Config()
	cfg.MaxBufferedPackets = 64
	cfg.PingTimeout = time.Minute // the slow client must be dropped by the bound, not by its heartbeat
	io := fixture.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { io.Close(); srv.Close() })

	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.URL, Scenario: loadgen.SlowConsumer, Clients: 10, Senders: 2, Payload: 8000,
		Slow: true, UntilDropped: true, Duration: 2 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d broadcasts, dropped after %s (%s)", res.Ops, res.DroppedAfter, res.SlowReason)
	if !res.SlowDropped {
		t.Fatalf("the slow client was not dropped in %s (%d broadcasts)", res.Duration, res.Ops)
	}
	if res.SlowReason != "transport error" {
		t.Errorf("reason %q, want %q", res.SlowReason, "transport error")
	}
	if res.Missing() != 0 || res.Errors != 0 {
		t.Errorf("the others: %d of %d deliveries missing, %d connections lost", res.Missing(), res.Expected, res.Errors)
	}
}

// TestBroadcastRate: in open loop the sender keeps to its schedule (50
// broadcasts per second for one second: 50), every client gets each one,
// and each arrival is timed.
func TestBroadcastRate(t *testing.T) {
	srv := fixture.Start(t, nil)
	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.URL(), Scenario: loadgen.Broadcast, Clients: 20, Rate: 50,
		Duration: time.Second, Payload: 16,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.Ops != 50 || res.Expected != 50*20 || res.Deliveries != res.Expected || res.Missing() != 0 {
		t.Errorf("sent %d, due %d, delivered %d, missing %d", res.Ops, res.Expected, res.Deliveries, res.Missing())
	}
	if res.Latency.P50 <= 0 || res.Latency.P999 < res.Latency.P99 || res.Latency.Max < res.Latency.P999 {
		t.Errorf("latency %+v", res.Latency)
	}
	if _, err := loadgen.Run(context.Background(), loadgen.Config{URL: srv.URL(), Scenario: loadgen.Idle,
		Clients: 1, Rate: 5, Duration: time.Second}); err == nil {
		t.Error("a rate with idle: no error")
	}
}

// checkEchoRate checks an open-loop echo of rate events per second for a
// second: every event of the schedule went and was answered, each round
// trip was timed, and with a server pid its CPU per round trip is given.
func checkEchoRate(t *testing.T, res *loadgen.Result, rate int64, pid bool) {
	t.Helper()
	t.Logf("%+v", *res)
	if res.Sent != rate || res.Answered != res.Sent || res.Expected != res.Sent || res.Missing() != 0 ||
		res.Ops != res.Answered || res.Deliveries != res.Answered || res.Errors != 0 {
		t.Errorf("sent %d of %d due, answered %d, missing %d, ops %d, %d connections lost",
			res.Sent, rate, res.Answered, res.Missing(), res.Ops, res.Errors)
	}
	if res.Latency.P50 <= 0 || res.Latency.P999 < res.Latency.P99 || res.Latency.Max < res.Latency.P999 {
		t.Errorf("latency %+v", res.Latency)
	}
	if pid && (res.ServerCPU <= 0 || res.CPUPerRoundTrip() != res.ServerCPU/time.Duration(res.Answered)) {
		t.Errorf("server CPU %s, %s per round trip", res.ServerCPU, res.CPUPerRoundTrip())
	}
}

// TestEchoRate: in open loop the clients emit on schedule (200 events per
// second for a second: 200, spread over the clients), over both
// transports, and every one is answered.
func TestEchoRate(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := fixture.Start(t, nil)
	for _, transport := range []string{loadgen.WebSocket, loadgen.Polling} {
		t.Run(transport, func(t *testing.T) {
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				URL: srv.URL(), Scenario: loadgen.Echo, Transport: transport, Clients: 20, Rate: 200,
				Duration: time.Second, Payload: 16, ServerPID: os.Getpid(),
			})
			if err != nil {
				t.Fatal(err)
			}
			checkEchoRate(t, res, 200, true)
		})
	}
}

// TestEchoRateInFlight: a client does not wait for its answers in open
// loop: with one client and a server that answers each event half a
// second late, about ten are in flight at once, and the ack ids tell each
// answer's event, so that every one is timed from its own schedule.
func TestEchoRateInFlight(t *testing.T) {
	const late = 500 * time.Millisecond
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(e *sio.Event) {
			arg := e.Arg(0)
			time.AfterFunc(late, func() { e.Ack(arg) })
		})
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { io.Close(); srv.Close() })

	for _, transport := range []string{loadgen.WebSocket, loadgen.Polling} {
		t.Run(transport, func(t *testing.T) {
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				URL: srv.URL, Scenario: loadgen.Echo, Transport: transport, Clients: 1, Rate: 20,
				Duration: time.Second, Payload: 8,
			})
			if err != nil {
				t.Fatal(err)
			}
			checkEchoRate(t, res, 20, false)
			if res.Latency.P50 < late {
				t.Errorf("latency p50 %s, below the server's delay of %s", res.Latency.P50, late)
			}
		})
	}
}

// TestAgainstOfficialServer runs echo in closed and open loop and
// open-loop broadcasts over both transports against the official server
// (fixture-server.mjs, whose heartbeat is 300 ms: the clients answer many
// pings): nothing is lost, every event is answered, every broadcast
// reaches every client.
func TestAgainstOfficialServer(t *testing.T) {
	node := nodetest.StartFixture(t)
	for _, transport := range []string{loadgen.WebSocket, loadgen.Polling} {
		t.Run(transport, func(t *testing.T) {
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				URL: node.URL, Scenario: loadgen.Echo, Transport: transport, Clients: 10, Duration: time.Second, Payload: 16,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ops == 0 || res.Answered != res.Sent || res.Errors != 0 {
				t.Errorf("echo: %d round trips, %d sent, %d answered, %d connections lost", res.Ops, res.Sent, res.Answered, res.Errors)
			}
			res, err = loadgen.Run(context.Background(), loadgen.Config{
				URL: node.URL, Scenario: loadgen.Broadcast, Transport: transport, Clients: 10, Rate: 20, Duration: time.Second, Payload: 16,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ops != 20 || res.Deliveries != res.Expected || res.Missing() != 0 || res.Errors != 0 {
				t.Errorf("broadcast: sent %d, due %d, delivered %d, %d connections lost", res.Ops, res.Expected, res.Deliveries, res.Errors)
			}
			cfg := loadgen.Config{URL: node.URL, Scenario: loadgen.Echo, Transport: transport, Clients: 10, Rate: 200,
				Duration: time.Second, Payload: 16}
			if runtime.GOOS == "linux" {
				cfg.ServerPID = node.Proc().Pid()
			}
			res, err = loadgen.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkEchoRate(t, res, 200, cfg.ServerPID != 0)
		})
	}
}

// TestBroadcastRateLate: broadcasts that reach the clients seconds after
// they were sent (a server far behind its load) are late, not missing; and
// the window is the schedule's length, not the time of the last send (at
// 2/s for a second the last one goes at 0.5 s).
func TestBroadcastRateLate(t *testing.T) {
	const late = 2500 * time.Millisecond // past the old cutoff of 1 s without an arrival
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("bcast", func(e *sio.Event) {
			args := e.Args()
			time.AfterFunc(late, func() { io.Emit("bcast", args...) })
		})
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { io.Close(); srv.Close() })

	res, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: srv.URL, Scenario: loadgen.Broadcast, Clients: 5, Rate: 2, Duration: time.Second, Payload: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 2 || res.Expected != 10 || res.Deliveries != 10 || res.Missing() != 0 {
		t.Errorf("sent %d, due %d, delivered %d, missing %d", res.Ops, res.Expected, res.Deliveries, res.Missing())
	}
	if res.Latency.P50 < late {
		t.Errorf("latency p50 %s, below the server's delay of %s", res.Latency.P50, late)
	}
	if res.Duration < time.Second {
		t.Errorf("window %s, shorter than the schedule of 1 s", res.Duration)
	}
}

// TestDialRetry: a client whose session the server dropped while it
// connected (the official fixture's connect timeout is 1 s, which a starved
// machine can miss) connects again, and the run says how often that
// happened; a server that keeps refusing still fails the run.
func TestDialRetry(t *testing.T) {
	srv := fixture.Start(t, nil)
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	var refused, limit atomic.Int32
	limit.Store(1)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The first request of a session after the open one: as if the
		// server had dropped the session.
		if r.URL.Query().Get("sid") != "" && refused.Load() < limit.Load() {
			refused.Add(1)
			http.Error(w, `{"code":1,"message":"Session ID unknown"}`, http.StatusBadRequest)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	cfg := loadgen.Config{URL: front.URL, Scenario: loadgen.Echo, Transport: loadgen.Polling, Clients: 1, Duration: 200 * time.Millisecond}
	res, err := loadgen.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.DialRetries != 1 || res.Ops == 0 {
		t.Errorf("%d dial retries, %d round trips", res.DialRetries, res.Ops)
	}
	refused.Store(0)
	limit.Store(1000)
	if _, err := loadgen.Run(context.Background(), cfg); err == nil {
		t.Error("a server that refuses every session: no error")
	}
}
