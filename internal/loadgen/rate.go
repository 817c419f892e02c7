package loadgen

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// settleTime and maxSettle bound the wait for the deliveries still on
// their way when an open-loop window ends: settleTime without one arriving,
// maxSettle in all.
const (
	settleTime = 5 * time.Second
	maxSettle  = 2 * time.Minute
)

// onSchedule calls emit(i), for i = 0, 1, 2..., at start + i×interval, on
// the calling goroutine, until start + window; the window is the
// schedule's length, so it returns no earlier than start + window. Events
// whose time has passed (emit or the machine fell behind) go at once, one
// after the other: the count stays the rate times the window whatever the
// server's pace. It stops early when emit returns false or ctx ends, and
// returns how many events emit took.
func onSchedule(ctx context.Context, start time.Time, interval, window time.Duration, emit func(i int64) bool) (int64, error) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var n int64
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= window {
			at = start.Add(window)
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return n, ctx.Err()
			case <-timer.C:
			}
		}
		if at.Sub(start) >= window || !emit(i) {
			return n, nil
		}
		n++
	}
}

// runRate is Broadcast in open loop (Config.Rate): the senders emit Rate
// broadcasts per second between them, each at its time on a fixed
// schedule whether or not the earlier ones came back, and every client
// records how long each broadcast took to reach it (from the send time the
// broadcast carries). After the window it waits for the broadcasts still
// on their way until settleTime passes without an arrival (a server far
// behind its load delivers late, and late is not missing), at most
// maxSettle; what never came is Missing.
func runRate(ctx context.Context, cfg Config, res *Result, clients []*client) error {
	for _, c := range clients {
		c.lmu.Lock()
		c.recv = c.recv[:0]
		c.lmu.Unlock()
		c.measure.Store(true)
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	start := time.Now()
	senders := clients[:cfg.Senders]
	sent, err := onSchedule(ctx, start, interval, cfg.Duration, func(i int64) bool {
		c := senders[i%int64(len(senders))]
		t := strconv.FormatInt(time.Now().UnixNano(), 10)
		return c.write(c.ownPrefix+t+`,`+c.payload+`]`) == nil
	})
	if err != nil {
		return err
	}
	res.Duration = time.Since(start)
	res.Ops = sent
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

// echoSchedule is the plan of an open-loop echo: event i is due at
// start + i×every and carries ack id i, so that its answer tells which
// event it closes and when that was due, with no table of the events in
// flight.
type echoSchedule struct {
	start time.Time
	every time.Duration
}

// runEchoRate is Echo in open loop (Config.Rate): event i of the schedule
// goes to client i mod the clients, with ack id i, at its time whatever
// the answers to the earlier ones; each client's reader times the acks
// against the schedule. After the window it waits up to drainTimeout for
// the answers still to come; what never came is Missing.
func runEchoRate(ctx context.Context, cfg Config, res *Result, clients []*client) error {
	sc := &echoSchedule{start: time.Now(), every: time.Duration(float64(time.Second) / cfg.Rate)}
	for _, c := range clients {
		c.lmu.Lock()
		c.recv = c.recv[:0]
		c.lmu.Unlock()
		c.sched.Store(sc)
	}
	sent, err := onSchedule(ctx, sc.start, sc.every, cfg.Duration, func(i int64) bool {
		c := clients[i%int64(len(clients))]
		return c.queue(`42`+strconv.FormatInt(i, 10)+`["echo",`+c.payload+`]`) == nil
	})
	if err != nil {
		return err
	}
	res.Duration = time.Since(sc.start)
	for deadline := time.Now().Add(drainTimeout); received(clients) < sent && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range clients {
		c.sched.Store(nil)
	}
	collectArrivals(res, clients)
	res.Sent, res.Answered = sent, res.Deliveries
	res.Ops, res.Expected = res.Deliveries, sent
	return nil
}

// timeAnswer keeps the latency of the ack msg ("43<id>[...]"): from the
// time event id was due to its arrival now.
func (c *client) timeAnswer(sc *echoSchedule, msg string) {
	digits := msg[2:]
	if i := strings.IndexByte(digits, '['); i >= 0 {
		digits = digits[:i]
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id < 0 {
		return
	}
	d := time.Since(sc.start.Add(time.Duration(id) * sc.every))
	c.lmu.Lock()
	c.recv = append(c.recv, d)
	c.lmu.Unlock()
}
