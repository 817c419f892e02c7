package loadgen

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"
)

// runRate is Broadcast in open loop (Config.Rate): the senders emit Rate
// broadcasts per second between them, each at its time on a fixed
// schedule whether or not the earlier ones came back, and every client
// records how long each broadcast took to reach it (from the send time the
// broadcast carries). After the window it waits for the broadcasts still
// on their way until settleTime passes without an arrival (a server far
// behind its load delivers late, and late is not missing), at most
// maxSettle; what never came is Missing.
// settleTime and maxSettle bound the wait for the deliveries still on
// their way when an open-loop window ends: settleTime without one arriving,
// maxSettle in all.
const (
	settleTime = 5 * time.Second
	maxSettle  = 2 * time.Minute
)

func runRate(ctx context.Context, cfg Config, res *Result, clients []*client) error {
	for _, c := range clients {
		c.lmu.Lock()
		c.recv = c.recv[:0]
		c.lmu.Unlock()
		c.measure.Store(true)
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	start := time.Now()
	var sent atomic.Int64
	senders := clients[:cfg.Senders]
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= cfg.Duration {
			at = start.Add(cfg.Duration) // the window is the schedule's length
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		}
		if at.Sub(start) >= cfg.Duration {
			break
		}
		c := senders[i%int64(len(senders))]
		t := strconv.FormatInt(time.Now().UnixNano(), 10)
		if c.write(c.ownPrefix+t+`,`+c.payload+`]`) != nil {
			break
		}
		sent.Add(1)
	}
	res.Duration = time.Since(start)
	res.Ops = sent.Load()
	res.Expected = res.Ops * int64(len(clients))
	// The last broadcasts may still be on their way: wait for them (what
	// is lost stays lost).
	last, lastAt, deadline := received(clients), time.Now(), time.Now().Add(maxSettle)
	for last < res.Expected && time.Since(lastAt) < settleTime && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if n := received(clients); n != last {
			last, lastAt = n, time.Now()
		}
	}
	collectArrivals(res, clients)
	return nil
}
