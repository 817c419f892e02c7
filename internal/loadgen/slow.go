package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// record keeps the latency of a broadcast whose second argument is the
// time it was sent, in Unix nanoseconds.
func (c *client) record(msg string) {
	rest := strings.TrimPrefix(msg, `42["bcast",`)
	i := strings.IndexByte(rest, ',')
	if i < 0 {
		return
	}
	rest = rest[i+1:]
	j := strings.IndexByte(rest, ',')
	if j < 0 {
		return
	}
	sent, err := strconv.ParseInt(rest[:j], 10, 64)
	if err != nil {
		return
	}
	d := time.Since(time.Unix(0, sent))
	c.lmu.Lock()
	c.recv = append(c.recv, d)
	c.lmu.Unlock()
}

// ask emits event with an ack and returns the ack's arguments (JSON text).
// It must not be called while a loop of the same client waits for its acks.
func (c *client) ask(ctx context.Context, event string, args ...string) (string, error) {
	msg := `420["` + event + `"`
	for _, a := range args {
		msg += "," + a
	}
	if err := c.write(msg + "]"); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if !c.wait(ctx) {
		return "", fmt.Errorf("loadgen: no answer to %q", event)
	}
	s, _ := c.lastAck.Load().(string)
	return s, nil
}

// runSlowConsumer is the SlowConsumer scenario: cfg.Senders clients
// broadcast in a closed loop (each waits for its own broadcast to come back
// before the next) to every client, and, when cfg.Slow is set, the last
// client stops reading as the window opens. A control client asks the
// server every half second how many sockets it has, to see when the slow
// one is dropped; the server is sampled as often. Every other client must
// get every broadcast; their latency, from send to arrival, is the result.
func runSlowConsumer(ctx context.Context, cfg Config, res *Result, clients []*client) error {
	if len(clients) < cfg.Senders+2 {
		return fmt.Errorf("loadgen: slow-consumer needs more clients than senders + 2")
	}
	control := clients[len(clients)-2]
	var slow *client
	normal := clients[:len(clients)-1]
	if cfg.Slow {
		slow = clients[len(clients)-1]
	} else {
		normal = clients
	}
	for _, c := range normal {
		c.measure.Store(true)
	}
	countOf := func() (int, error) {
		s, err := control.ask(ctx, "count")
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.Trim(s, "[]"))
	}
	before, err := countOf()
	if err != nil {
		return err
	}
	s := &sampler{pid: cfg.ServerPID, debugURL: cfg.DebugURL, http: &http.Client{}}
	start := time.Now()
	res.Samples = append(res.Samples, s.read(ctx, 0, clients))
	if slow != nil {
		close(slow.stall)
	}

	window, stop := context.WithDeadline(ctx, start.Add(cfg.Duration))
	defer stop()
	var (
		wg   sync.WaitGroup
		sent atomic.Int64
	)
	for _, c := range clients[:cfg.Senders] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for window.Err() == nil {
				t := strconv.FormatInt(time.Now().UnixNano(), 10)
				if c.write(c.ownPrefix+t+`,`+c.payload+`]`) != nil {
					return
				}
				sent.Add(1)
				if !c.wait(window) {
					return
				}
			}
		}()
	}
	every := time.NewTicker(500 * time.Millisecond)
	defer every.Stop()
	for window.Err() == nil {
		select {
		case <-window.Done():
		case <-every.C:
			res.Samples = append(res.Samples, s.read(ctx, time.Since(start), clients))
			if slow == nil || res.SlowDropped {
				continue
			}
			if n, err := countOf(); err == nil && n < before {
				res.SlowDropped, res.DroppedAfter = true, time.Since(start)
				if r, err := control.ask(ctx, "reason-of", strconv.Quote(slow.sid)); err == nil {
					res.SlowReason = strings.Trim(r, `[]"`)
				}
				if cfg.UntilDropped {
					stop()
				}
			}
		}
	}
	wg.Wait()
	res.Duration = time.Since(start)
	res.Ops = sent.Load()
	// The senders' last broadcasts may still be on their way to the others.
	res.Expected = res.Ops * int64(len(normal))
	for deadline := time.Now().Add(30 * time.Second); received(normal) < res.Expected && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	collectArrivals(res, normal)
	return nil
}

// received counts the arrivals the clients have timed.
func received(clients []*client) (n int64) {
	for _, c := range clients {
		c.lmu.Lock()
		n += int64(len(c.recv))
		c.lmu.Unlock()
	}
	return n
}

// collectArrivals stops the clients timing arrivals and sets res's
// Deliveries and Latency from them.
func collectArrivals(res *Result, clients []*client) {
	var all []time.Duration
	for _, c := range clients {
		c.measure.Store(false)
		c.lmu.Lock()
		all = append(all, c.recv...)
		c.lmu.Unlock()
	}
	res.Deliveries = int64(len(all))
	res.Latency = summarize(slices.Clip(all))
}
