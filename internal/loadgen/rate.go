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
// broadcast carries). After the window it waits, up to a bound, for the
// broadcasts still on their way; what never came is Missing.
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
			break
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
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
	// The last broadcasts may still be on their way: wait for them, or for
	// a second without progress (what is lost stays lost).
	last, lastAt := received(clients), time.Now()
	for last < res.Expected && time.Since(lastAt) < time.Second && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if n := received(clients); n != last {
			last, lastAt = n, time.Now()
		}
	}
	collectArrivals(res, clients)
	return nil
}
