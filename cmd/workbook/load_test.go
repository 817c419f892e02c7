package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoad runs each scenario of 'workbook load' briefly against the
// testserver's handlers, in this process (whose /proc entry gives the
// server's CPU and memory).
func TestLoad(t *testing.T) {
	ts := NewTestServer(TestServerConfig{PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second})
	srv := httptest.NewServer(ts)
	defer srv.Close()
	defer ts.Close()
	pid := strconv.Itoa(os.Getpid())

	var res loadJSON
	out := run(t, "load", "--url", srv.URL, "--scenario", "broadcast", "--clients", "10", "--senders", "2",
		"--duration", "300ms", "--server-pid", pid, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Scenario != "broadcast" || res.Ops == 0 || res.Deliveries < res.Ops || res.Errors != 0 || res.ServerCPUSeconds <= 0 {
		t.Errorf("%+v", res)
	}

	res = loadJSON{}
	out = run(t, "load", "--url", srv.URL, "--transport", "polling", "--clients", "5", "--duration", "300ms",
		"--server-pid", pid, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Transport != "polling" || res.Ops == 0 || res.Sent == 0 || res.Answered != res.Sent || res.CPUPerDeliveryUs <= 0 {
		t.Errorf("polling echo: %+v", res)
	}

	out = run(t, "load", "--url", srv.URL, "--clients", "5", "--duration", "200ms", "--server-pid", pid)
	for _, want := range []string{"echo, 5 websocket clients", "latency", "p99", "server CPU", "per delivery", "per connection", "events", "load generator CPU"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	if _, _, err := runErr("load", "--scenario", "storm"); err == nil {
		t.Error("an unknown scenario was accepted")
	}
	if _, _, err := runErr("load", "--transport", "carrier-pigeon"); err == nil {
		t.Error("an unknown transport was accepted")
	}
}

// TestLoadEchoRate: echo with --rate runs in open loop, all of the
// schedule sent and answered, and says so in JSON (with the server's CPU
// per round trip) and in text.
func TestLoadEchoRate(t *testing.T) {
	ts := NewTestServer(TestServerConfig{PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second})
	srv := httptest.NewServer(ts)
	defer srv.Close()
	defer ts.Close()
	pid := strconv.Itoa(os.Getpid())

	var res loadJSON
	out := run(t, "load", "--url", srv.URL, "--scenario", "echo", "--rate", "200", "--clients", "5",
		"--duration", "1s", "--server-pid", pid, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Rate != 200 || res.Sent != 200 || res.Answered != res.Sent || res.Expected != res.Sent || res.Missing != 0 ||
		res.Ops != res.Answered || res.Errors != 0 || res.P50ms <= 0 || res.P999ms < res.P99ms {
		t.Errorf("%+v", res)
	}
	if res.CPUPerRoundTripUs <= 0 || res.CPUPerRoundTripUs != res.CPUPerDeliveryUs {
		t.Errorf("CPU per round trip %g µs, per delivery %g µs", res.CPUPerRoundTripUs, res.CPUPerDeliveryUs)
	}

	out = run(t, "load", "--url", srv.URL, "--scenario", "echo", "--rate", "50", "--clients", "2", "--duration", "200ms",
		"--transport", "polling")
	for _, want := range []string{"echo, 2 polling clients", "10 sent on schedule, 10 answered, 0 missing", "p99.9"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if _, _, err := runErr("load", "--rate", "-1"); err == nil {
		t.Error("a negative rate was accepted")
	}
}
