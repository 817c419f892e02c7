// Package proxy is a reverse proxy that records the traffic of any
// Socket.IO server: put it in front of a Node app (or any other server that
// speaks Engine.IO v4), point the browser at the proxy, and every packet of
// every session, both transports and the upgrade between them, goes to an
// inspector.Recorder, as if the workbook's own server had handled it.
//
//	p, err := proxy.New(proxy.Config{Target: target, Recorder: rec})
//	...
//	http.ListenAndServe("127.0.0.1:3000", p)
//
// Requests under the Socket.IO path that carry a transport query parameter
// are Engine.IO requests: polling requests go through a ReverseProxy that
// reads their bodies (POST = in, GET response = out), WebSockets are
// upgraded on both sides and their frames pumped both ways. Everything else
// (the app's pages, its /socket.io/socket.io.js) is forwarded untouched.
//
// The proxy sees only the wire, so it records what the wire says: a
// session opens with its open packet, upgrades when the client's "5"
// passes, and ends with a close packet, with the error the server answers
// for a session it no longer knows, with the end of the WebSocket it lives
// on, or, for a polling session whose client went away, when no request has
// come for longer than the server's ping interval and timeout.
//
// The proxy is also the inspector's web.Actor (inject.go): it emits to a
// session's client and disconnects it by playing the server, and catches
// the acks of what it injected.
//
// The traffic never depends on the recording: a body the proxy cannot
// decode is forwarded as it came, and recorded as far as it decodes.
//
// What the proxy holds is bounded, whatever either side sends. A message
// over Config.MaxMessage ends its session as the official server ends it
// past its maxHttpBufferSize: a WebSocket message from either side closes
// both sides (1009 to the client) without being read further, and a polling
// POST is answered 413 and not forwarded. A polling answer is read to be
// recorded up to Config.MaxBody, decompressed up to MaxBody too (a
// compression bomb costs no more than that), and forwarded as it came.
package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Recorder is what the proxy tells about the sessions it sees.
// *inspector.Recorder implements it. Its methods must not block: they are
// called on the path of the traffic.
type Recorder interface {
	RecordOpen(at time.Time, sid, path, client, addr, agent, transport string)
	RecordPacket(at time.Time, sid string, dir engine.Direction, transport string, p engine.Packet)
	RecordUpgrade(at time.Time, sid, transport string)
	RecordClose(at time.Time, sid, reason string)
}

// Config sets up a Proxy. Target is required; every other field may be zero.
type Config struct {
	// Target is the server every request is forwarded to, such as
	// http://127.0.0.1:3001. A path in it is put before the request's.
	Target *url.URL
	// Path is the Socket.IO server's path on the target. If empty,
	// "/socket.io/" is used.
	Path string
	// Recorder receives the sessions and their packets. If nil, nothing is
	// recorded and the proxy only forwards.
	Recorder Recorder
	// Logger receives the proxy's errors (target unreachable). If nil,
	// slog.Default() is used.
	Logger *slog.Logger
	// Transport makes the HTTP requests to the target. If nil, a clone of
	// http.DefaultTransport is used.
	Transport http.RoundTripper
	// MaxMessage is the largest message the proxy relays: a WebSocket
	// message from either side, a polling POST body. A larger one ends its
	// session: a WebSocket is closed on both sides, with 1009 to the
	// client; a POST is answered 413 and not forwarded. If zero,
	// DefaultMaxMessage is used.
	MaxMessage int64
	// MaxBody is the largest polling answer the proxy reads to record it,
	// after decompression when the target compressed it; larger ones are
	// forwarded as they came, without being recorded. If zero,
	// DefaultMaxBody is used.
	MaxBody int64
	// IdleSlack is added to the server's ping interval and timeout before a
	// polling session that sees no request is taken as gone. If zero, 5
	// seconds is used.
	IdleSlack time.Duration
}

// The defaults of Config's limits.
const (
	// DefaultMaxMessage is the official server's maxHttpBufferSize, 1e6
	// bytes, and 10% for framing: the proxy never refuses what a target
	// with the default would accept.
	DefaultMaxMessage = 1_100_000
	// DefaultMaxBody bounds what the proxy holds to record one polling
	// answer, which may carry many packets at once.
	DefaultMaxBody = 16_000_000
)

// Proxy forwards requests to a target server, recording its Engine.IO
// traffic. Create it with New. It is safe for concurrent use.
type Proxy struct {
	target    *url.URL
	path      string
	rec       Recorder
	log       *slog.Logger
	maxBody   int64
	maxMsg    int64
	idleSlack time.Duration

	plain   *httputil.ReverseProxy // everything but Engine.IO requests
	polling *httputil.ReverseProxy // Engine.IO polling requests, recorded
	dialer  *websocket.Dialer
	tr      *http.Transport   // nil when Config.Transport was given
	rt      http.RoundTripper // makes every request to the target

	ctx    context.Context // canceled by Close: ends the requests in flight
	cancel context.CancelFunc

	mu       sync.Mutex
	sessions map[string]*session  // open sessions by sid
	pairs    map[*wsPair]struct{} // WebSockets being pumped
	wg       sync.WaitGroup       // the WebSocket pumps
	closed   bool

	inj injector // the injected events awaiting their ack (inject.go)
}

// session is what the proxy knows of an open Engine.IO session. Guarded by
// Proxy.mu.
type session struct {
	sid       string
	transport string          // the one it lives on: "polling", then "websocket" once upgraded
	idle      time.Duration   // ping interval + ping timeout + slack; 0 if unknown
	inflight  int             // polling requests in flight
	timer     *time.Timer     // polling: fires when no request came for idle
	v3        bool            // Engine.IO v3
	outbox    []engine.Packet // polling: injected packets for the next answer to a GET (inject.go)
	path      string          // the path of its handshake, for the requests the proxy makes itself (inject.go)
	closeNext bool            // polling: the proxy closed it toward the client; its next GET gets the close packet (inject.go)
	swallow   int             // polling: attachments of a caught BINARY_ACK still to come, in a later POST (inject.go)
}

// New returns a proxy for cfg.
func New(cfg Config) (*Proxy, error) {
	if cfg.Target == nil || cfg.Target.Host == "" {
		return nil, errors.New("proxy: a target URL with a host is required")
	}
	switch cfg.Target.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("proxy: target %s: want an http:// or https:// URL", cfg.Target)
	}
	p := &Proxy{
		target:    cfg.Target,
		path:      cfg.Path,
		rec:       cfg.Recorder,
		log:       cfg.Logger,
		maxBody:   cfg.MaxBody,
		maxMsg:    cfg.MaxMessage,
		idleSlack: cfg.IdleSlack,
		sessions:  make(map[string]*session),
		pairs:     make(map[*wsPair]struct{}),
	}
	if p.path == "" {
		p.path = "/socket.io/"
	}
	if !strings.HasSuffix(p.path, "/") {
		p.path += "/"
	}
	if !strings.HasPrefix(p.path, "/") {
		p.path = "/" + p.path
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.maxBody <= 0 {
		p.maxBody = DefaultMaxBody
	}
	if p.maxMsg <= 0 {
		p.maxMsg = DefaultMaxMessage
	}
	if p.idleSlack <= 0 {
		p.idleSlack = 5 * time.Second
	}
	rt := cfg.Transport
	if rt == nil {
		p.tr = http.DefaultTransport.(*http.Transport).Clone()
		// One browser holds a pending GET and a POST per session, all to
		// the one target: keep their connections rather than dial anew.
		p.tr.MaxIdleConnsPerHost = 256
		rt = p.tr
	}
	p.rt = rt
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.plain = &httputil.ReverseProxy{
		Rewrite:      p.rewrite,
		Transport:    rt,
		ErrorHandler: p.proxyError,
	}
	p.polling = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			p.rewrite(pr)
			// The recorder reads the bodies: ask for them as they are.
			pr.Out.Header.Set("Accept-Encoding", "identity")
		},
		Transport:      rt,
		ErrorHandler:   p.proxyError,
		ModifyResponse: p.pollingResponse,
		FlushInterval:  -1,
	}
	p.dialer = &websocket.Dialer{
		Proxy:            nil,
		HandshakeTimeout: 30 * time.Second,
		NetDialContext:   (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
	}
	if t, ok := rt.(*http.Transport); ok {
		p.dialer.TLSClientConfig = t.TLSClientConfig
	}
	return p, nil
}

// rewrite points a request at the target, telling it who the client is.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(p.target)
	pr.SetXForwarded()
}

// proxyError answers 502 when the target cannot be reached.
//
// A polling request of a session that fails ends the session: either the
// target broke the connection (it restarted, it crashed), or the client
// went away in the middle of a request and the proxy broke the request to
// the target, which the server takes as the end (the official one closes
// the session when a pending GET is cut short).
func (p *Proxy) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if ex, _ := r.Context().Value(exchangeKey{}).(*exchange); ex != nil && ex.sid != "" && p.lives(ex.sid, "polling") {
		p.end(time.Now(), ex.sid, "transport error")
	}
	if r.Context().Err() != nil {
		return // the client went away, or the proxy is closing: no one to answer
	}
	p.log.Warn("proxy: target unreachable", "target", p.target.String(), "method", r.Method, "url", r.URL.String(), "err", err)
	http.Error(w, fmt.Sprintf("workbook proxy: the target %s did not answer: %v", p.target, err), http.StatusBadGateway)
}

// ServeHTTP forwards r to the target, recording it when it is an Engine.IO
// request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()
	r = r.WithContext(ctx)

	q := r.URL.Query()
	if !strings.HasPrefix(r.URL.Path, p.path) || q.Get("transport") == "" {
		p.plain.ServeHTTP(w, r)
		return
	}
	if websocket.IsWebSocketUpgrade(r) {
		p.serveWebSocket(w, r, q.Get("sid"))
		return
	}
	p.servePolling(w, r, q.Get("sid"))
}

// Close ends every WebSocket and request in flight and waits for the
// WebSocket pumps to return; the sessions they carried are recorded as
// ended. It is meant for shutting down, before the HTTP server's Shutdown:
// requests that come later are cut at once. Close may be called more than
// once.
func (p *Proxy) Close() error {
	p.cancel()
	p.mu.Lock()
	p.closed = true
	pairs := make([]*wsPair, 0, len(p.pairs))
	for wp := range p.pairs {
		pairs = append(pairs, wp)
	}
	for _, s := range p.sessions {
		if s.timer != nil {
			s.timer.Stop()
		}
	}
	p.mu.Unlock()
	for _, wp := range pairs {
		wp.closeBoth(websocket.CloseGoingAway, "proxy closing", nil)
		// A side being drained (closeBoth's drain) is still open.
		_ = wp.client.Close()
		_ = wp.target.Close()
	}
	p.wg.Wait()
	if p.tr != nil {
		p.tr.CloseIdleConnections()
	}
	return nil
}

// openInfo is the open packet's JSON, as far as the proxy cares.
type openInfo struct {
	SID          string `json:"sid"`
	PingInterval int64  `json:"pingInterval"` // ms
	PingTimeout  int64  `json:"pingTimeout"`  // ms
}

// open records the handshake of a session whose open packet op came in
// answer to r, over transport. It returns the sid, "" when op is not a
// valid open packet.
func (p *Proxy) open(at time.Time, r *http.Request, transport string, op engine.Packet) string {
	if op.Type != engine.PacketOpen || op.Binary {
		return ""
	}
	var info openInfo
	if err := json.Unmarshal(op.Data, &info); err != nil || info.SID == "" {
		return ""
	}
	s := &session{sid: info.SID, transport: transport, v3: r.URL.Query().Get("EIO") == "3", path: r.URL.Path}
	if info.PingInterval > 0 || info.PingTimeout > 0 {
		s.idle = time.Duration(info.PingInterval+info.PingTimeout)*time.Millisecond + p.idleSlack
	}
	p.mu.Lock()
	if !p.closed {
		p.sessions[info.SID] = s
	}
	p.mu.Unlock()
	if p.rec != nil {
		var client string
		if c, err := r.Cookie("wb_client"); err == nil {
			client = c.Value
		}
		addr := r.RemoteAddr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			addr = host
		}
		p.rec.RecordOpen(at, info.SID, r.URL.Path, client, addr, r.UserAgent(), transport)
	}
	return info.SID
}

// packet records pk, and the end of the session when pk is a close packet.
func (p *Proxy) packet(at time.Time, sid string, dir engine.Direction, transport string, pk engine.Packet) {
	if p.rec != nil {
		p.rec.RecordPacket(at, sid, dir, transport, pk)
	}
	if pk.Type == engine.PacketClose && !pk.Binary {
		reason := "transport close" // the client said goodbye
		if dir == engine.Out {
			reason = "forced close" // the server closed it
		}
		p.end(at, sid, reason)
	}
}

// upgrade records that session sid moved to the WebSocket.
func (p *Proxy) upgrade(at time.Time, sid string) {
	p.mu.Lock()
	if s := p.sessions[sid]; s != nil {
		s.transport = "websocket"
		if s.timer != nil {
			s.timer.Stop()
			s.timer = nil
		}
	}
	p.mu.Unlock()
	if p.rec != nil {
		p.rec.RecordUpgrade(at, sid, "websocket")
	}
}

// end records the end of session sid, once: it does nothing for a session
// the proxy does not know as open.
func (p *Proxy) end(at time.Time, sid, reason string) {
	p.mu.Lock()
	s := p.sessions[sid]
	if s != nil {
		delete(p.sessions, sid)
		if s.timer != nil {
			s.timer.Stop()
		}
	}
	p.mu.Unlock()
	if s != nil && p.rec != nil {
		p.rec.RecordClose(at, sid, reason)
	}
}

// lives reports whether session sid is open and lives on transport.
func (p *Proxy) lives(sid, transport string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sid]
	return s != nil && s.transport == transport
}

// OpenSessions returns the number of sessions the proxy holds as open.
func (p *Proxy) OpenSessions() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions)
}
