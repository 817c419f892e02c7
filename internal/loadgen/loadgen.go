// Package loadgen puts a Socket.IO server under load with many WebSocket
// clients and measures what it sustains: round trips, deliveries, latency,
// and, for a server on the same machine, the CPU time and memory it used.
//
// The clients speak the wire protocol directly (Engine.IO v4 over
// WebSocket, Socket.IO v5), so that the generator costs as little as it
// can; they expect the handlers of the interop fixture that both our
// testserver and interop/node/fixture-server.mjs have: "echo" (acks its
// first argument) and "bcast" (emits its arguments to every socket of "/").
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The scenarios.
const (
	// Echo: every client emits "echo" with an ack and waits for the answer
	// before the next one (closed loop); with a Rate, the events go on a
	// schedule instead (open loop, see Config.Rate).
	Echo = "echo"
	// Broadcast: Senders clients each emit "bcast" and wait until the
	// server's broadcast comes back to them before the next one; every
	// client counts the broadcasts it receives (deliveries).
	Broadcast = "broadcast"
	// Idle: the clients connect and stay connected, answering pings; the
	// server's memory per connection is what this measures.
	Idle = "idle"
	// Soak: the clients stay connected for the whole window, answering the
	// server's pings, while one of them emits a "bcast" every Interval; the
	// server is sampled every SampleEvery (memory, threads, goroutines) and
	// every broadcast must reach every client.
	Soak = "soak"
	// SlowConsumer: Senders clients broadcast in a closed loop to every
	// client and, with Slow, one client stops reading: the server must drop
	// it by its outbound bound while the others get every broadcast. The
	// latency is from send to arrival at each of the others.
	SlowConsumer = "slow-consumer"
)

// Config says what load to put on which server.
type Config struct {
	URL      string        // the server, "http://127.0.0.1:3000"
	Path     string        // the Socket.IO path; "/socket.io/" if empty
	Scenario string        // Echo, Broadcast or Idle
	Clients  int           // connections
	Senders  int           // Broadcast: how many clients emit (1 if zero)
	Duration time.Duration // how long to measure, once every client is connected
	Payload  int           // length of the text each event carries
	// Transport is WebSocket (if empty) or Polling; SlowConsumer needs
	// WebSocket.
	Transport string
	// ServerPID, when not zero, is the process id of the server, on this
	// machine: its CPU time and memory are read from /proc.
	ServerPID int
	// Dials bounds the connections being opened at once (64 if zero).
	Dials int

	// Interval is the time between two broadcasts of Soak (1 s if zero).
	Interval time.Duration
	// SampleEvery is the time between two samples of Soak (10 s if zero).
	SampleEvery time.Duration
	// DebugURL, if set, is a URL of the server that answers DebugStats as
	// JSON; the samples then hold its goroutines and heap.
	DebugURL string
	// Slow makes the last client of SlowConsumer stop reading.
	Slow bool
	// UntilDropped ends SlowConsumer's window as soon as the server has
	// dropped the slow client, rather than at Duration.
	UntilDropped bool
	// Rate, if positive, runs Broadcast in open loop: the senders emit
	// Rate broadcasts per second between them, on schedule whatever the
	// server's pace, and every client times each arrival (Latency, from
	// the send time the broadcast carries); Expected and Missing count
	// the deliveries due and those that never came.
	//
	// With Echo, Rate is the number of "echo" events per second that the
	// clients emit between them, in turn, each at its time on a fixed
	// schedule whether or not the earlier ones were answered (a client may
	// have many in flight). Latency is from the time an event was due to
	// go, not the time it went, to the arrival of its ack, so that a
	// server falling behind shows in it; Sent, Answered, Expected (equal
	// to Sent) and Missing count the events and their answers, those that
	// arrive within drainTimeout after the window included.
	Rate float64
}

// Result is what a run measured.
type Result struct {
	Scenario   string
	Transport  string // WebSocket or Polling
	Clients    int
	Senders    int
	Duration   time.Duration // the measured window
	Ops        int64         // round trips (Echo) or broadcasts that came back to their sender (Broadcast)
	Deliveries int64         // events received: acks (Echo) or broadcasts (Broadcast)
	Errors     int64         // connections lost during the run
	// DialRetries counts the attempts to connect that failed and were
	// tried again (up to 3 attempts a client).
	DialRetries int64
	Latency     Latency // of each op
	// From /proc, when Config.ServerPID is set: the server's CPU time
	// during the window, and its resident memory before the clients
	// connected and once they all were.
	ServerCPU          time.Duration
	RSSBefore, RSSPeak int64
	// LoadCPU is the CPU time this process (the load generator) used in
	// the window: when it nears the window's length times the cores, the
	// generator, not the server, is what limits the figures.
	LoadCPU time.Duration
	// Echo: the events emitted over the whole run and the acks received,
	// the answers to the events still in flight when the window ended
	// included (waited for up to 10 s). What a recording server stored
	// should hold exactly these. With a Rate, Ops and Deliveries are the
	// answers too, and Expected is Sent.
	Sent, Answered int64

	// Soak and SlowConsumer: the deliveries due (every broadcast to every
	// client still connected) and the server's samples over time.
	Expected int64
	Samples  []Sample
	// SlowConsumer with Slow: whether the server dropped the slow client,
	// how long after it stopped reading, and the reason the server gave.
	SlowDropped  bool
	DroppedAfter time.Duration
	SlowReason   string
}

// Missing is the number of deliveries due that did not arrive (Soak,
// SlowConsumer, and Broadcast with a Rate), or of events not answered
// (Echo with a Rate).
func (r *Result) Missing() int64 { return max(0, r.Expected-r.Deliveries) }

// Latency summarizes the durations of the ops.
type Latency struct {
	P50, P90, P99, P999, Max time.Duration
}

// OpsPerSecond is Ops divided by the window.
func (r *Result) OpsPerSecond() float64 { return float64(r.Ops) / r.Duration.Seconds() }

// DeliveriesPerSecond is Deliveries divided by the window.
func (r *Result) DeliveriesPerSecond() float64 { return float64(r.Deliveries) / r.Duration.Seconds() }

// DeliveriesPerCPUSecond is Deliveries divided by the server's CPU time,
// 0 when that is not known.
func (r *Result) DeliveriesPerCPUSecond() float64 {
	if r.ServerCPU <= 0 {
		return 0
	}
	return float64(r.Deliveries) / r.ServerCPU.Seconds()
}

// CPUPerDelivery is the server's CPU time divided by Deliveries, 0 when
// either is not known.
func (r *Result) CPUPerDelivery() time.Duration {
	if r.ServerCPU <= 0 || r.Deliveries == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.Deliveries)
}

// CPUPerRoundTrip is, for Echo, the server's CPU time divided by the round
// trips (the acks that came in the time measured); 0 for another scenario
// or when not known.
func (r *Result) CPUPerRoundTrip() time.Duration {
	if r.Scenario != Echo {
		return 0
	}
	return r.CPUPerDelivery()
}

// BytesPerConnection is the growth of the server's resident memory per
// client, 0 when not known.
func (r *Result) BytesPerConnection() int64 {
	if r.RSSPeak == 0 || r.Clients == 0 {
		return 0
	}
	return (r.RSSPeak - r.RSSBefore) / int64(r.Clients)
}

// Run connects the clients, measures the scenario for cfg.Duration, then
// disconnects them. It fails if a client cannot connect; connections lost
// during the window are counted in Errors.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Path == "" {
		cfg.Path = "/socket.io/"
	}
	if cfg.Senders <= 0 {
		cfg.Senders = 1
	}
	if cfg.Dials <= 0 {
		cfg.Dials = 64
	}
	switch cfg.Scenario {
	case Echo, Idle:
	case Soak:
		if cfg.Interval <= 0 {
			cfg.Interval = time.Second
		}
		if cfg.SampleEvery <= 0 {
			cfg.SampleEvery = 10 * time.Second
		}
	case SlowConsumer:
		cfg.Senders = min(cfg.Senders, max(cfg.Clients-2, 1))
		res := cfg.Clients
		if cfg.Slow {
			res++
		}
		cfg.Clients = res
	case Broadcast:
		cfg.Senders = min(cfg.Senders, cfg.Clients)
	default:
		return nil, fmt.Errorf("loadgen: unknown scenario %q (echo, broadcast, idle, soak or slow-consumer)", cfg.Scenario)
	}
	switch cfg.Transport {
	case "":
		cfg.Transport = WebSocket
	case WebSocket, Polling:
	default:
		return nil, fmt.Errorf("loadgen: unknown transport %q (websocket or polling)", cfg.Transport)
	}
	if cfg.Transport == Polling && cfg.Scenario == SlowConsumer {
		return nil, errors.New("loadgen: slow-consumer runs over WebSocket only")
	}
	if cfg.Rate < 0 || cfg.Rate > 0 && cfg.Scenario != Broadcast && cfg.Scenario != Echo {
		return nil, fmt.Errorf("loadgen: a rate goes with the broadcast or echo scenario, and is positive")
	}
	if cfg.Clients <= 0 || cfg.Duration <= 0 {
		return nil, errors.New("loadgen: clients and duration must be positive")
	}
	endpoint, err := endpointURL(cfg.URL, cfg.Path)
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: cfg.Scenario, Transport: cfg.Transport, Clients: cfg.Clients}
	if cfg.Scenario == Broadcast || cfg.Scenario == SlowConsumer {
		res.Senders = cfg.Senders
	}
	if cfg.ServerPID != 0 {
		if res.RSSBefore, err = readRSS(cfg.ServerPID); err != nil {
			return nil, err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var retries atomic.Int64
	clients, err := dialAll(ctx, endpoint, cfg, &retries)
	res.DialRetries = retries.Load()
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	if err != nil {
		return nil, err
	}
	if cfg.ServerPID != 0 {
		if res.RSSPeak, err = readRSS(cfg.ServerPID); err != nil {
			return nil, err
		}
	}

	cpu, err := startCPU(cfg.ServerPID)
	if err != nil {
		return nil, err
	}
	if cfg.Scenario == Soak || cfg.Scenario == SlowConsumer || cfg.Rate > 0 {
		run := runSoak
		switch cfg.Scenario {
		case SlowConsumer:
			run = runSlowConsumer
		case Broadcast:
			run = runRate
		case Echo:
			run = runEchoRate
		}
		if err := run(ctx, cfg, res, clients); err != nil {
			return nil, err
		}
		if err := cpu.stop(res); err != nil {
			return nil, err
		}
		res.Errors = countLost(clients)
		return res, ctx.Err()
	}
	for _, c := range clients {
		c.deliveries.Store(0)
	}
	start := time.Now()
	window, stop := context.WithDeadline(ctx, start.Add(cfg.Duration))
	defer stop()
	// Echo waits, after the window, for the answers to the events still
	// in flight, so that Sent and Answered count every event.
	drain, stopDrain := context.WithCancel(ctx)
	defer stopDrain()
	context.AfterFunc(window, func() { time.AfterFunc(drainTimeout, stopDrain) })
	var wg sync.WaitGroup
	lat := make([][]time.Duration, len(clients))
	var ops atomic.Int64
	for i, c := range clients {
		var loop func(context.Context) []time.Duration
		switch {
		case cfg.Scenario == Echo:
			loop = func(window context.Context) []time.Duration { return c.echoLoop(window, drain) }
		case cfg.Scenario == Broadcast && i < cfg.Senders:
			loop = c.broadcastLoop
		default:
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i] = loop(window)
			ops.Add(int64(len(lat[i])))
		}()
	}
	<-window.Done()
	res.Duration = time.Since(start)
	if err := cpu.stop(res); err != nil {
		return nil, err
	}
	for _, c := range clients {
		res.Deliveries += c.deliveries.Load()
	}
	if cfg.Scenario == Idle && cfg.ServerPID != 0 {
		// The memory of an idle connection, once the server has settled.
		rss, err := readRSS(cfg.ServerPID)
		if err != nil {
			return nil, err
		}
		res.RSSPeak = max(res.RSSPeak, rss)
	}
	wg.Wait()
	for _, c := range clients {
		res.Sent += c.sent.Load()
		res.Answered += c.answered.Load()
	}
	res.Ops = ops.Load()
	res.Errors = countLost(clients)
	res.Latency = summarize(slices.Concat(lat...))
	return res, ctx.Err()
}

// drainTimeout bounds the wait for the answers still in flight when the
// window ends.
const drainTimeout = 10 * time.Second

// cpuMeter reads the CPU time the server (when pid is not 0) and this
// process used in a window.
type cpuMeter struct {
	pid          int
	server, self time.Duration // at the start
}

func startCPU(pid int) (*cpuMeter, error) {
	m := &cpuMeter{pid: pid}
	var err error
	if m.self, err = readCPU(os.Getpid()); err != nil {
		return nil, err
	}
	if pid != 0 {
		if m.server, err = readCPU(pid); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// stop sets res.ServerCPU and res.LoadCPU to the time used since start.
func (m *cpuMeter) stop(res *Result) error {
	self, err := readCPU(os.Getpid())
	if err != nil {
		return err
	}
	res.LoadCPU = self - m.self
	if m.pid != 0 {
		server, err := readCPU(m.pid)
		if err != nil {
			return err
		}
		res.ServerCPU = server - m.server
	}
	return nil
}

// countLost counts the clients whose connection ended before close.
func countLost(clients []*client) (n int64) {
	for _, c := range clients {
		if c.lost.Load() {
			n++
		}
	}
	return n
}

// endpointURL is the Engine.IO endpoint of the server at base: an http
// or https URL with the Socket.IO path, without a query.
func endpointURL(base, path string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("loadgen: server URL: %w", err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "http"
	case "https", "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("loadgen: server URL %q: want http:// or https://", base)
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	u.Path = path
	u.RawQuery = ""
	return u, nil
}

// dialAttempts is how often a client tries to connect before the run
// fails: on a starved machine a server may drop a session before its
// CONNECT arrives (the official fixture's connect timeout is 1 s).
const dialAttempts = 3

// dialAll connects cfg.Clients clients, cfg.Dials at a time; retries
// counts the failed attempts that were tried again.
func dialAll(ctx context.Context, endpoint *url.URL, cfg Config, retries *atomic.Int64) ([]*client, error) {
	clients := make([]*client, cfg.Clients)
	var hc *http.Client
	if cfg.Transport == Polling {
		hc = newPollingClient(cfg.Clients)
	}
	sem := make(chan struct{}, cfg.Dials)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range clients {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			slow := cfg.Scenario == SlowConsumer && cfg.Slow && i == cfg.Clients-1
			c, err := dial(ctx, endpoint, hc, i, cfg.Payload, slow)
			for attempt := 1; err != nil && attempt < dialAttempts && ctx.Err() == nil; attempt++ {
				retries.Add(1)
				c, err = dial(ctx, endpoint, hc, i, cfg.Payload, slow)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = fmt.Errorf("loadgen: client %d: %w", i, err)
				}
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	clients = slices.DeleteFunc(clients, func(c *client) bool { return c == nil })
	return clients, first
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return Latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: ds[len(ds)-1]}
}

// client is one connection, on the default namespace.
type client struct {
	conn  conn
	index int

	payload    string        // JSON text of the payload argument
	ownPrefix  string        // how a broadcast this client sent starts
	acks       chan struct{} // an ack (Echo) or its own broadcast (Broadcast) came back
	deliveries atomic.Int64
	sent       atomic.Int64 // Echo: events emitted
	answered   atomic.Int64 // Echo: their acks received
	lost       atomic.Bool  // the connection ended before close
	closing    atomic.Bool
	done       chan struct{} // the reader ended

	sid     string        // the Socket.IO socket id, from the CONNECT reply
	stall   chan struct{} // SlowConsumer: closed to make the reader stop reading
	quit    chan struct{} // closed by close, to end a stalled reader
	lastAck atomic.Value  // string: the arguments of the last ack received
	// Echo with a Rate: while set, the reader times each ack against the
	// schedule rather than signalling it.
	sched atomic.Pointer[echoSchedule]
	// SlowConsumer: broadcasts carry their send time; the reader keeps how
	// long each took to arrive while measure is set.
	measure atomic.Bool
	lmu     sync.Mutex
	recv    []time.Duration
}

// dial connects client index: over long-polling with hc when hc is not
// nil, else over WebSocket.
func dial(ctx context.Context, endpoint *url.URL, hc *http.Client, index, payload int, slow bool) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var (
		cn  conn
		err error
	)
	if hc != nil {
		cn, err = dialPolling(ctx, hc, endpoint)
	} else {
		cn, err = dialWebSocket(ctx, endpoint, slow)
	}
	if err != nil {
		return nil, err
	}
	c := &client{conn: cn, index: index, acks: make(chan struct{}, 1), done: make(chan struct{}),
		stall: make(chan struct{}), quit: make(chan struct{})}
	c.payload = strconv.Quote(strings.Repeat("x", payload))
	c.ownPrefix = `42["bcast",` + strconv.Itoa(index) + `,`
	if err := c.handshake(ctx); err != nil {
		cn.close()
		return nil, err
	}
	go c.read()
	return c, nil
}

// handshake reads the open packet, connects to "/" and reads the CONNECT
// reply, or gives up when ctx ends.
func (c *client) handshake(ctx context.Context) error {
	stop := context.AfterFunc(ctx, c.conn.close) // makes next fail
	defer stop()
	open, err := c.conn.next()
	if err != nil {
		return fmt.Errorf("open packet: %w", err)
	}
	if len(open) == 0 || open[0] != '0' {
		return fmt.Errorf("open packet: got %q", open)
	}
	if err := c.conn.send("40"); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	for {
		data, err := c.conn.next()
		if err != nil {
			return fmt.Errorf("connect reply: %w", err)
		}
		switch {
		case strings.HasPrefix(data, "40"):
			var reply struct{ SID string }
			json.Unmarshal([]byte(data[2:]), &reply)
			c.sid = reply.SID
			return nil
		case strings.HasPrefix(data, "44"):
			return fmt.Errorf("connect refused: %s", data[2:])
		case data == "2":
			c.write("3")
		}
	}
}

func (c *client) write(s string) error { return c.conn.send(s) }

// queue sends s without waiting for a long-polling POST (see conn.queue).
func (c *client) queue(s string) error { return c.conn.queue(s) }

// read answers pings and counts what arrives until the connection ends.
func (c *client) read() {
	defer close(c.done)
	for {
		select {
		case <-c.stall: // stop reading until the end: the server's writes pile up
			<-c.quit
			return
		default:
		}
		s, err := c.conn.next()
		if err != nil {
			if !c.closing.Load() {
				c.lost.Store(true)
			}
			return
		}
		switch {
		case s == "2":
			c.write("3")
		case strings.HasPrefix(s, "43"):
			if sc := c.sched.Load(); sc != nil {
				c.deliveries.Add(1)
				c.timeAnswer(sc, s)
				break
			}
			if i := strings.IndexByte(s, '['); i >= 0 {
				c.lastAck.Store(s[i:])
			}
			c.deliveries.Add(1)
			c.signal()
		case strings.HasPrefix(s, `42["bcast",`):
			c.deliveries.Add(1)
			if c.measure.Load() {
				c.record(s)
			}
			if strings.HasPrefix(s, c.ownPrefix) {
				c.signal()
			}
		}
	}
}

func (c *client) signal() {
	select {
	case c.acks <- struct{}{}:
	default:
	}
}

// wait waits for the answer to the op in flight.
func (c *client) wait(ctx context.Context) bool {
	select {
	case <-c.acks:
		return true
	case <-c.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// echoLoop emits "echo" with an ack and waits for the answer, again and
// again while window lasts; the last answer may come until drain ends. It
// returns the duration of the round trips done in the window.
func (c *client) echoLoop(window, drain context.Context) []time.Duration {
	var lat []time.Duration
	for id := 0; window.Err() == nil; id++ {
		t := time.Now()
		if c.write(`42`+strconv.Itoa(id)+`["echo",`+c.payload+`]`) != nil {
			break
		}
		c.sent.Add(1)
		if !c.wait(drain) {
			break
		}
		c.answered.Add(1)
		if window.Err() == nil {
			lat = append(lat, time.Since(t))
		}
	}
	return lat
}

func (c *client) broadcastLoop(ctx context.Context) []time.Duration {
	var lat []time.Duration
	for seq := 0; ctx.Err() == nil; seq++ {
		t := time.Now()
		if c.write(c.ownPrefix+strconv.Itoa(seq)+`,`+c.payload+`]`) != nil {
			break
		}
		if !c.wait(ctx) {
			break
		}
		lat = append(lat, time.Since(t))
	}
	return lat
}

// close ends the connection and waits for the reader.
func (c *client) close() {
	c.closing.Store(true)
	close(c.quit)
	c.conn.close()
	<-c.done
}
