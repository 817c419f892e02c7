package client_test

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/client"
)

// wait is the default timeout of every single wait, as in scenarios.mjs.
const wait = 3 * time.Second

// target is a server implementing the fixture contract (the top of
// interop/node/fixture-server.mjs).
type target struct {
	kind    string // "go" or "node"
	url     string
	restart func(t tb)
}

// servers lists the two servers every scenario runs against: our Go
// fixture and the official Node socket.io fixture.
var servers = []string{"go", "node"}

// startServer starts a fixture of kind for the duration of t. The Node one
// skips t when Node.js is missing (and fails it under CI).
func startServer(t *testing.T, kind string) *target {
	t.Helper()
	switch kind {
	case "go":
		f := fixture.Start(t, nil)
		return &target{kind: kind, url: f.URL(), restart: func(t tb) {
			t.Helper()
			if err := f.Restart(); err != nil {
				t.Fatal(err)
			}
		}}
	case "node":
		f := nodetest.StartFixture(t)
		return &target{kind: kind, url: f.URL, restart: func(t tb) {
			t.Helper()
			f.Restart(realT(t))
		}}
	}
	t.Fatalf("unknown server kind %q", kind)
	return nil
}

// quick returns the options the scenarios use: their own Manager, short
// reconnection delays, and no auto-connect so that a recorder can be added
// before anything happens.
func quick(opts client.Options) client.Options {
	opts.ForceNew = true
	opts.NoAutoConnect = true
	if opts.ReconnectionDelay == 0 {
		opts.ReconnectionDelay = 100 * time.Millisecond
	}
	if opts.ReconnectionDelayMax == 0 {
		opts.ReconnectionDelayMax = 500 * time.Millisecond
	}
	if opts.Timeout == 0 {
		opts.Timeout = wait
	}
	return opts
}

// dial makes a recorded socket for nsp on url with quick(opts), connects it
// and closes its Manager when t ends.
func dial(t tb, url, nsp string, opts client.Options) (*client.Socket, *rec) {
	t.Helper()
	if nsp == "/" {
		nsp = ""
	}
	s, err := client.New(url+nsp, quick(opts))
	if err != nil {
		t.Fatal(err)
	}
	r := record(t, s)
	t.Cleanup(s.Manager().Close)
	s.Connect()
	return s, r
}

// rec records everything a socket and its Manager report, so that a test
// can wait for something that may have happened already.
type rec struct {
	t    tb
	s    *client.Socket
	mu   sync.Mutex
	evs  []*recEvent
	wake chan struct{}
}

type recEvent struct {
	name string
	args []any
	at   time.Time
	used bool
}

func record(t tb, s *client.Socket) *rec {
	r := &rec{t: t, s: s, wake: make(chan struct{})}
	if a, ok := t.(*attempt); ok {
		a.addRec(r)
	}
	s.OnAny(func(e *client.Event) { r.push(e.Name, e.Args()...) })
	s.OnConnect(func() { r.push("connect") })
	s.OnDisconnect(func(reason client.Reason) { r.push("disconnect", string(reason)) })
	s.OnConnectError(func(err *client.ConnectError) { r.push("connect_error", err) })
	r.recordManager(s.Manager())
	return r
}

func (r *rec) recordManager(m *client.Manager) {
	m.OnOpen(func() { r.push("manager:open") })
	m.OnClose(func(reason client.Reason) { r.push("manager:close", string(reason)) })
	m.OnPing(func() { r.push("manager:ping") })
	m.OnError(func(err error) { r.push("manager:error", err) })
	m.OnUpgrade(func(tr string) { r.push("manager:upgrade", tr) })
	m.OnReconnectAttempt(func(n int) { r.push("manager:reconnect_attempt", n) })
	m.OnReconnect(func(n int) { r.push("manager:reconnect", n) })
	m.OnReconnectError(func(err error) { r.push("manager:reconnect_error", err) })
	m.OnReconnectFailed(func() { r.push("manager:reconnect_failed") })
}

func (r *rec) push(name string, args ...any) {
	r.mu.Lock()
	r.evs = append(r.evs, &recEvent{name: name, args: args, at: time.Now()})
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// next returns the arguments of the first event called name not returned
// yet, waiting up to d for it.
func (r *rec) next(name string, d time.Duration) []any {
	r.t.Helper()
	ev := r.nextEvent(name, d)
	return ev.args
}

func (r *rec) nextEvent(name string, d time.Duration) *recEvent {
	r.t.Helper()
	deadline := time.After(d)
	for {
		r.mu.Lock()
		for _, e := range r.evs {
			if !e.used && e.name == name {
				e.used = true
				r.mu.Unlock()
				return e
			}
		}
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			r.t.Fatalf("%s: timed out after %v waiting for %q; seen: %v", r.s.Namespace(), d, name, r.names())
		}
	}
}

// next1 returns the first argument of the next event called name.
func (r *rec) next1(name string) any {
	r.t.Helper()
	args := r.next(name, wait)
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// count returns how many events called name were seen.
func (r *rec) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.evs {
		if e.name == name {
			n++
		}
	}
	return n
}

// names lists the events seen, in order.
func (r *rec) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.evs))
	for i, e := range r.evs {
		out[i] = e.name
	}
	return out
}

// connected waits for "connect" and returns the socket id.
func (r *rec) connected() string {
	r.t.Helper()
	r.next("connect", wait)
	id := r.s.ID()
	if !r.s.Connected() || id == "" {
		r.t.Fatalf("after connect: Connected()=%v ID()=%q", r.s.Connected(), id)
	}
	return id
}

// ack emits ev and returns the arguments of the acknowledgement.
func ack(t tb, s *client.Socket, ev string, args ...any) []any {
	t.Helper()
	res, err := s.Timeout(wait).EmitWithAck(context.Background(), ev, args...)
	if err != nil {
		t.Fatalf("no ack for %q: %v", ev, err)
	}
	return res
}

func ack1(t tb, s *client.Socket, ev string, args ...any) any {
	t.Helper()
	res := ack(t, s, ev, args...)
	if len(res) == 0 {
		return nil
	}
	return res[0]
}

// equal fails t unless got deep-equals want.
func equal(t tb, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %s\n want %s", what, show(got), show(want))
	}
}

func show(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// eventually polls f until it returns true, or fails after d.
func eventually(t tb, what string, d time.Duration, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reasonOf asks the server for the disconnect reason it recorded for id.
func reasonOf(t tb, obs *client.Socket, id string) string {
	t.Helper()
	var got string
	eventually(t, "the server to record a disconnect reason for "+id, wait, func() bool {
		r, _ := ack1(t, obs, "reason-of", id).(string)
		got = r
		return r != ""
	})
	return got
}

// proxy is a loopback TCP proxy whose connections can be frozen: a frozen
// connection drops everything in both directions, like a server that
// stopped answering, while new connections are forwarded normally.
type proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[*proxyConn]bool
}

type proxyConn struct {
	down, up net.Conn
	mu       sync.Mutex
	frozen   bool
}

func startProxy(t tb, targetURL string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: strings.TrimPrefix(targetURL, "http://"), conns: map[*proxyConn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			down.Close()
			continue
		}
		c := &proxyConn{down: down, up: up}
		p.mu.Lock()
		p.conns[c] = true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up, down)
		go p.pipe(c, down, up)
	}
}

func (p *proxy) pipe(c *proxyConn, dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			c.mu.Lock()
			frozen := c.frozen
			c.mu.Unlock()
			if !frozen {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					err = werr
				}
			}
		}
		if err != nil {
			c.mu.Lock()
			frozen := c.frozen
			c.mu.Unlock()
			if frozen && src == c.up {
				// The server hung up: the client must not know.
				c.up.Close()
				return
			}
			c.down.Close()
			c.up.Close()
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
			return
		}
	}
}

// freeze makes every current connection drop what it carries.
func (p *proxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.mu.Lock()
		c.frozen = true
		c.mu.Unlock()
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.down.Close()
		c.up.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// seenArgs returns the arguments of every event called name seen so far.
func (r *rec) seenArgs(name string) [][]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]any
	for _, e := range r.evs {
		if e.name == name {
			out = append(out, e.args)
		}
	}
	return out
}

// events returns a copy of every event seen so far.
func (r *rec) events() []recEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]recEvent, len(r.evs))
	for i, e := range r.evs {
		out[i] = *e
	}
	return out
}
