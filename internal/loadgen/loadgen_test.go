package loadgen_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/loadgen"
)

// TestScenarios runs each scenario briefly against the Go fixture (in this
// process, so that the server's CPU and memory are read from our own
// /proc entry) and checks that load went through and nothing was lost.
func TestScenarios(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := fixture.Start(t, nil)
	for _, sc := range []string{loadgen.Echo, loadgen.Broadcast, loadgen.Idle} {
		t.Run(sc, func(t *testing.T) {
			res, err := loadgen.Run(context.Background(), loadgen.Config{
				URL: srv.URL(), Scenario: sc, Clients: 20, Senders: 2,
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
			switch sc {
			case loadgen.Echo:
				if res.Ops == 0 || res.Deliveries < res.Ops || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 {
					t.Errorf("echo: %+v", *res)
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
	for srv.Server().Sockets().Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets left on the server", srv.Server().Sockets().Len())
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
