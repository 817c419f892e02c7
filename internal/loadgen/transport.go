package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The transports a client can use.
const (
	// WebSocket: one WebSocket per client, one Engine.IO packet per frame.
	WebSocket = "websocket"
	// Polling: HTTP long-polling, as a browser without WebSocket does: one
	// GET in flight per client for what the server sends, POSTs for what
	// the client sends, packets joined by the record separator.
	Polling = "polling"
)

// conn is the wire under one client. send and queue may be called from
// any goroutine; next is called by one goroutine only (the client's
// reader); close ends the connection and makes next return an error.
type conn interface {
	send(pkt string) error // one Engine.IO packet
	// queue is send for a caller that must not wait on the server: over
	// WebSocket the same as send, over long-polling it leaves the POST to
	// a goroutine of the connection. An error may then be that of an
	// earlier packet.
	queue(pkt string) error
	next() (string, error) // the next Engine.IO packet from the server
	close()
}

// wsConn is a client's WebSocket.
type wsConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex // writes: the loop's events and the reader's pongs
}

func (w *wsConn) send(pkt string) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.ws.WriteMessage(websocket.TextMessage, []byte(pkt))
}

func (w *wsConn) queue(pkt string) error { return w.send(pkt) }

func (w *wsConn) next() (string, error) {
	_, data, err := w.ws.ReadMessage()
	return string(data), err
}

func (w *wsConn) close() {
	w.wmu.Lock()
	w.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	w.wmu.Unlock()
	w.ws.Close()
}

// dialWebSocket opens a WebSocket to the Engine.IO endpoint at base (an
// http(s) URL with the path and no query). A slow one gets a small socket
// receive buffer, as a client on a poor link has, so that the server's
// writes to it pile up in the server rather than in this machine's kernel.
func dialWebSocket(ctx context.Context, base *url.URL, slow bool) (*wsConn, error) {
	u := *base
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	u.RawQuery = "EIO=4&transport=websocket"
	d := websocket.DefaultDialer
	if slow {
		d = &websocket.Dialer{HandshakeTimeout: d.HandshakeTimeout, Proxy: d.Proxy,
			NetDialContext: (&net.Dialer{Control: smallReceiveBuffer}).DialContext}
	}
	ws, _, err := d.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return &wsConn{ws: ws}, nil
}

// recordSeparator joins the packets of one long-polling payload (Engine.IO
// v4).
const recordSeparator = "\x1e"

// maxPendingPosts bounds the packets a polling client holds while its POST
// is in flight; past it, send fails (the server stopped reading).
const maxPendingPosts = 4096

// maxPayload bounds the body of one GET the client reads.
const maxPayload = 64 << 20

// errPostQueueFull is returned by a polling client's send when
// maxPendingPosts packets wait already.
var errPostQueueFull = errors.New("loadgen: polling: too many packets waiting for a POST")

// pollConn is a client on HTTP long-polling. The engine allows one GET and
// one POST per session at a time: next, called by the reader only, has
// the GET; send queues packets and the caller that finds no POST in flight
// posts them, all it finds queued in one body, until none is left; queue
// leaves that to a goroutine of the connection instead.
type pollConn struct {
	http   *http.Client
	url    string // the endpoint with EIO, transport and sid
	ctx    context.Context
	cancel context.CancelFunc // aborts the GET in flight, on close

	in []string // packets of the last GET not yet returned by next

	mu      sync.Mutex
	pending []string // packets waiting for a POST
	posting bool     // a caller of send, or the poster, is posting
	err     error    // the first POST error: the session is gone

	// queue's poster, started by its first call: wake tells it that
	// packets wait.
	posterOnce sync.Once
	wake       chan struct{}
}

// newPollingClient returns the HTTP client the polling clients of one run
// share: each client holds two connections (its GET and its POST), kept
// alive, and asks for no compression (both servers compress polling
// responses only when asked; the generator should cost little).
func newPollingClient(clients int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2*clients + 16,
		MaxIdleConnsPerHost: 2*clients + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// dialPolling opens a long-polling session at base and returns it with the
// packets that came with the open packet, the open packet first.
func dialPolling(ctx context.Context, hc *http.Client, base *url.URL) (*pollConn, error) {
	u := *base
	u.RawQuery = "EIO=4&transport=polling"
	body, err := pollGet(ctx, hc, u.String())
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	pkts := splitPayload(body)
	sid, err := openSID(pkts[0])
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("sid", sid)
	u.RawQuery = q.Encode()
	p := &pollConn{http: hc, url: u.String(), in: pkts}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

// openSID returns the session id of an Engine.IO open packet.
func openSID(pkt string) (string, error) {
	if !strings.HasPrefix(pkt, "0") {
		return "", fmt.Errorf("open packet: got %q", pkt)
	}
	var open struct{ SID string }
	if err := json.Unmarshal([]byte(pkt[1:]), &open); err != nil || open.SID == "" {
		return "", fmt.Errorf("open packet: no sid in %q", pkt)
	}
	return open.SID, nil
}

// splitPayload splits a long-polling payload into its packets.
func splitPayload(body string) []string { return strings.Split(body, recordSeparator) }

// joinPayload joins packets into a long-polling payload.
func joinPayload(pkts []string) string { return strings.Join(pkts, recordSeparator) }

func (p *pollConn) next() (string, error) {
	for len(p.in) == 0 {
		body, err := pollGet(p.ctx, p.http, p.url)
		if err != nil {
			return "", err
		}
		p.in = splitPayload(body)
	}
	pkt := p.in[0]
	p.in = p.in[1:]
	if pkt == "6" { // noop: the server ended a GET to let the session upgrade
		return p.next()
	}
	return pkt, nil
}

func (p *pollConn) send(pkt string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	if len(p.pending) >= maxPendingPosts {
		return errPostQueueFull
	}
	p.pending = append(p.pending, pkt)
	if p.posting {
		return nil // the one posting now takes it in its next body
	}
	p.flushLocked()
	return p.err
}

// flushLocked posts the pending packets, all those it finds in one body,
// until none is left or a POST fails. p.mu is held on entry and on
// return, and let go during each POST.
func (p *pollConn) flushLocked() {
	p.posting = true
	for len(p.pending) > 0 && p.err == nil {
		body := joinPayload(p.pending)
		p.pending = p.pending[:0]
		p.mu.Unlock()
		err := p.post(body)
		p.mu.Lock()
		p.err = err
	}
	p.posting = false
}

func (p *pollConn) queue(pkt string) error {
	p.posterOnce.Do(func() {
		p.wake = make(chan struct{}, 1)
		go p.poster()
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	if len(p.pending) >= maxPendingPosts {
		return errPostQueueFull
	}
	p.pending = append(p.pending, pkt)
	if !p.posting {
		select {
		case p.wake <- struct{}{}:
		default: // the poster is woken already
		}
	}
	return nil
}

// poster posts what queue leaves, until the connection closes.
func (p *pollConn) poster() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.wake:
		}
		p.mu.Lock()
		if !p.posting {
			p.flushLocked()
		}
		p.mu.Unlock()
	}
}

func (p *pollConn) post(body string) error {
	req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, p.url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

// close tells the server the session ends (a close packet), then aborts
// the GET in flight.
func (p *pollConn) close() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.send("1")
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	p.cancel()
	<-done
}

// pollGet GETs url and returns the body, or an error for a status other
// than 200.
func pollGet(ctx context.Context, hc *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload))
	if err != nil {
		return "", fmt.Errorf("GET: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return string(b), nil
}
