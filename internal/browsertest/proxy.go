package browsertest

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a loopback TCP proxy in front of a server, for pages that must see
// the server stop answering: Freeze stops every byte in both directions
// while keeping the connections open, as a hung server or a dead network
// would, and Thaw drops those connections and forwards again. It works for
// any server, the official Node one included, and for both polling and
// WebSocket.
//
// Its methods may be called from any goroutine.
type Proxy struct {
	// URL is "http://127.0.0.1:<port>", to give pages instead of the server's.
	URL string

	target string // host:port
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	cond   *sync.Cond // signalled when frozen or closed changes
	frozen bool
	closed bool
	conns  map[net.Conn]bool // both ends of every open connection
}

// NewProxy listens on a free loopback port and forwards every connection to
// server (a URL such as "http://127.0.0.1:3000", or host:port) until t ends.
func NewProxy(t testing.TB, server string) *Proxy {
	t.Helper()
	target := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		target = u.Host
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Freeze stops forwarding: bytes already read are held, and new connections
// are accepted but not connected to the server.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

// Thaw closes every connection that exists now (they saw the freeze; the
// data they hold is dropped) and forwards new connections normally again.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	p.frozen = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Close stops listening, closes every connection and waits for the proxy's
// goroutines. It is idempotent.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve forwards one client connection.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	if !p.track(client) || !p.waitFlowing(client) {
		client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		p.drop(client)
		return
	}
	if !p.track(server) {
		server.Close()
		p.drop(client)
		return
	}
	done := make(chan struct{})
	go func() {
		p.pipe(server, client)
		close(done)
	}()
	p.pipe(client, server)
	<-done
}

// pipe copies src to dst, holding each chunk while the proxy is frozen. When
// either side ends it closes both, which ends the other pipe too.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.drop(dst)
	defer p.drop(src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitFlowing(src) {
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitFlowing blocks while the proxy is frozen. It reports whether c may go
// on: false once c was dropped by Thaw or Close.
func (p *Proxy) waitFlowing(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.frozen && p.conns[c] && !p.closed {
		p.cond.Wait()
	}
	return p.conns[c] && !p.closed
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}
