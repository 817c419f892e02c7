package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Sample is one reading of the server taken during a Soak or SlowConsumer
// run. Fields that could not be read are zero.
type Sample struct {
	At      time.Duration // since the clients were all connected
	RSS     int64         // resident memory, from /proc (Config.ServerPID)
	Threads int           // OS threads, from /proc (Config.ServerPID)
	// From the server's debug endpoint (Config.DebugURL).
	Goroutines int
	HeapInuse  int64
	Connected  int   // clients of this run still connected
	Deliveries int64 // broadcasts received so far, by every client
}

// DebugStats is what a server's debug endpoint answers, as JSON: the Go
// runtime's own count of goroutines and bytes of heap in use.
type DebugStats struct {
	Goroutines int   `json:"goroutines"`
	HeapInuse  int64 `json:"heap_inuse"`
}

// sampler reads the server's figures for the samples.
type sampler struct {
	pid      int
	debugURL string
	http     *http.Client
}

func (s *sampler) read(ctx context.Context, at time.Duration, clients []*client) Sample {
	smp := Sample{At: at}
	if s.pid != 0 {
		smp.RSS, _ = readRSS(s.pid)
		smp.Threads, _ = readThreads(s.pid)
	}
	if s.debugURL != "" {
		if st, err := s.debug(ctx); err == nil {
			smp.Goroutines, smp.HeapInuse = st.Goroutines, st.HeapInuse
		}
	}
	for _, c := range clients {
		if !c.lost.Load() {
			smp.Connected++
		}
		smp.Deliveries += c.deliveries.Load()
	}
	return smp
}

func (s *sampler) debug(ctx context.Context) (DebugStats, error) {
	var st DebugStats
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.debugURL, nil)
	if err != nil {
		return st, fmt.Errorf("loadgen: debug endpoint: %w", err)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return st, fmt.Errorf("loadgen: debug endpoint: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("loadgen: debug endpoint: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("loadgen: debug endpoint: %w", err)
	}
	return st, nil
}

// runSoak holds the clients for cfg.Duration while client 0 emits one
// broadcast every cfg.Interval (open loop: it does not wait for it), and
// samples the server every cfg.SampleEvery. The server's heartbeat keeps
// pinging every client meanwhile. Every broadcast must reach every client
// still connected: after the window, it waits up to 30 seconds for the
// last ones to arrive, then counts what is missing.
func runSoak(ctx context.Context, cfg Config, res *Result, clients []*client) error {
	s := &sampler{pid: cfg.ServerPID, debugURL: cfg.DebugURL, http: &http.Client{}}
	start := time.Now()
	res.Samples = append(res.Samples, s.read(ctx, 0, clients))
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	sample := time.NewTicker(cfg.SampleEvery)
	defer sample.Stop()
	window := time.NewTimer(cfg.Duration)
	defer window.Stop()
	sender := clients[0]
	var sent atomic.Int64
loop:
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-window.C:
			break loop
		case <-tick.C:
			t := strconv.FormatInt(time.Now().UnixNano(), 10)
			if err := sender.write(`42["bcast",` + t + `,` + sender.payload + `]`); err != nil {
				return fmt.Errorf("loadgen: the broadcasting client: %w", err)
			}
			sent.Add(1)
		case <-sample.C:
			res.Samples = append(res.Samples, s.read(ctx, time.Since(start), clients))
		}
	}
	res.Duration = time.Since(start)
	res.Ops = sent.Load()
	expected := func() (want, got int64) {
		for _, c := range clients {
			if !c.lost.Load() {
				want += res.Ops
			}
			got += c.deliveries.Load()
		}
		return want, got
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		want, got := expected()
		if got >= want || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	res.Samples = append(res.Samples, s.read(ctx, time.Since(start), clients))
	want, got := expected()
	res.Expected, res.Deliveries = want, got
	return nil
}
