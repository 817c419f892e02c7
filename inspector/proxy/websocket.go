package proxy

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// hopHeaders are the request headers the WebSocket dialer writes itself,
// or that concern the hop to the proxy only.
var hopHeaders = map[string]bool{
	"Connection":               true,
	"Upgrade":                  true,
	"Host":                     true,
	"Keep-Alive":               true,
	"Proxy-Connection":         true,
	"Proxy-Authorization":      true,
	"Te":                       true,
	"Trailer":                  true,
	"Transfer-Encoding":        true,
	"Sec-Websocket-Key":        true,
	"Sec-Websocket-Version":    true,
	"Sec-Websocket-Extensions": true,
	"Sec-Websocket-Protocol":   true,
}

// maxEarlyFrames bounds the client frames held back on a new WebSocket
// until the server's open packet names the session.
const maxEarlyFrames = 64

// wsPair is one WebSocket through the proxy: the client's and the target's.
// Each of its two pumps is the only reader of one side and the only writer
// of the other; closeBoth may be called from any goroutine (it only uses
// WriteControl and Close, which gorilla/websocket allows at any time).
//
// The inspector may write to either side too (inject.go): each side's
// writes, the pump's and the inspector's, take that side's write lock.
type wsPair struct {
	client, target *websocket.Conn
	once           sync.Once
	closed         chan struct{} // closed by closeBoth

	clientW, targetW sync.Mutex // the write locks (writeLock)
	// swallow counts the attachments of a caught BINARY_ACK still to come
	// from the client: they are the proxy's, not the target's. Only the
	// client's pump uses it.
	swallow int

	mu      sync.Mutex
	sid     string          // "" until the open packet passes, on a new WebSocket
	carries bool            // the session lives on this WebSocket
	early   []engine.Packet // client packets before the sid was known
	earlyAt []time.Time
	v3      bool // Engine.IO v3 (EIO=3): binary frames start with the type byte
}

// closeBoth sends a close frame with code and text to both sides, then
// closes both connections, once. The pumps' reads then fail and they return.
//
// drain, when not nil, is the side whose message broke the rules, and the
// caller is its only reader: it is drained before it is closed (see
// drainAndClose), after the once, so that Proxy.Close is not held up.
func (wp *wsPair) closeBoth(code int, text string, drain *websocket.Conn) {
	first := false
	wp.once.Do(func() {
		first = true
		close(wp.closed)
		msg := websocket.FormatCloseMessage(code, text)
		deadline := time.Now().Add(time.Second)
		_ = wp.client.WriteControl(websocket.CloseMessage, msg, deadline)
		_ = wp.target.WriteControl(websocket.CloseMessage, msg, deadline)
		if drain != wp.client {
			_ = wp.client.Close()
		}
		if drain != wp.target {
			_ = wp.target.Close()
		}
	})
	if first && drain != nil {
		drainAndClose(drain)
	}
}

// Bounds of drainAndClose: it stops once the peer has sent nothing for
// drainIdle, and in any case after drainMax.
const (
	drainIdle = time.Second
	drainMax  = 10 * time.Second
)

// drainAndClose reads and discards what c's peer still sends until the
// peer closes its end, falls silent for drainIdle, or drainMax passes; then
// it closes c. A connection closed with unread data is reset, and a peer
// still writing the rest of an over-the-cap message then fails on its write
// and never reads the 1009 it was sent. Proxy.Close cuts a drain short by
// closing c.
func drainAndClose(c *websocket.Conn) {
	nc := c.NetConn()
	end := time.Now().Add(drainMax)
	buf := make([]byte, 16<<10)
	for {
		d := time.Now().Add(drainIdle)
		if d.After(end) {
			d = end
		}
		_ = nc.SetReadDeadline(d)
		if _, err := nc.Read(buf); err != nil {
			break
		}
	}
	_ = c.Close()
}

// targetURL returns the WebSocket URL of the target for request r.
func (p *Proxy) targetURL(r *http.Request) string {
	u := *p.target
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path = singleJoin(p.target.Path, r.URL.Path)
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	u.Fragment = ""
	return u.String()
}

func singleJoin(a, b string) string {
	switch {
	case a == "" || a == "/":
		return b
	case strings.HasSuffix(a, "/") && strings.HasPrefix(b, "/"):
		return a + b[1:]
	case !strings.HasSuffix(a, "/") && !strings.HasPrefix(b, "/"):
		return a + "/" + b
	}
	return a + b
}

// serveWebSocket dials the target with r's path, query and headers,
// upgrades the client, and pumps frames both ways until either side ends.
// sid is the session a probe WebSocket upgrades ("" for a new session).
func (p *Proxy) serveWebSocket(w http.ResponseWriter, r *http.Request, sid string) {
	hdr := http.Header{}
	for k, vs := range r.Header {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			hdr[k] = vs
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := hdr.Get("X-Forwarded-For"); prior != "" {
			host = prior + ", " + host
		}
		hdr.Set("X-Forwarded-For", host)
	}
	hdr.Set("X-Forwarded-Host", r.Host)
	if r.TLS != nil {
		hdr.Set("X-Forwarded-Proto", "https")
	} else {
		hdr.Set("X-Forwarded-Proto", "http")
	}
	dialer := *p.dialer
	dialer.Subprotocols = websocket.Subprotocols(r)
	target, resp, err := dialer.DialContext(r.Context(), p.targetURL(r), hdr)
	if err != nil {
		if resp != nil {
			// The target answered, but not with a WebSocket: pass its
			// answer on (400 for an unknown session, 403 for a CORS refusal).
			p.relayRefusal(w, resp)
			return
		}
		p.proxyError(w, r, err)
		return
	}
	respHdr := http.Header{}
	for _, c := range resp.Header.Values("Set-Cookie") {
		respHdr.Add("Set-Cookie", c)
	}
	up := websocket.Upgrader{
		CheckOrigin: func(*http.Request) bool { return true }, // the target has checked it
	}
	if sp := target.Subprotocol(); sp != "" {
		up.Subprotocols = []string{sp}
	}
	client, err := up.Upgrade(w, r, respHdr)
	if err != nil {
		_ = target.Close() // Upgrade has answered the client
		return
	}
	// Past the cap gorilla reads no more of the message: it answers 1009
	// to the side that sent it, and the pump ends the pair.
	client.SetReadLimit(p.maxMsg)
	target.SetReadLimit(p.maxMsg)
	wp := &wsPair{client: client, target: target, sid: sid, v3: r.URL.Query().Get("EIO") == "3", closed: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		wp.closeBoth(websocket.CloseGoingAway, "proxy closing", nil)
		return
	}
	p.pairs[wp] = struct{}{}
	p.wg.Add(2)
	p.mu.Unlock()

	upgradedAt := time.Now()
	go func() {
		defer p.wg.Done()
		p.pump(wp, r, upgradedAt, engine.In)
	}()
	p.pump(wp, r, upgradedAt, engine.Out)
	p.wg.Done()
}

// relayRefusal copies the target's non-WebSocket answer to the client. It
// ends no session: a probe that fails leaves the client on polling, whose
// next request tells.
func (p *Proxy) relayRefusal(w http.ResponseWriter, resp *http.Response) {
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if !hopHeaders[http.CanonicalHeaderKey(k)] {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(resp.Body, p.maxBody))
}

// pump copies frames from one side of wp to the other, recording each,
// until a read or a write fails; then it closes both sides. dir In reads the
// client, Out reads the target.
func (p *Proxy) pump(wp *wsPair, r *http.Request, upgradedAt time.Time, dir engine.Direction) {
	from, to := wp.client, wp.target
	if dir == engine.Out {
		from, to = wp.target, wp.client
	}
	defer func() {
		p.mu.Lock()
		delete(p.pairs, wp)
		p.mu.Unlock()
	}()
	for {
		typ, data, err := from.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			side := "client"
			if dir == engine.Out {
				side = "target"
			}
			p.log.Warn("proxy: WebSocket message over the cap, its session closed with 1009",
				"sid", wp.session(), "from", side, "max_message", p.maxMsg, "remote", r.RemoteAddr)
			p.wsEnded(wp, "transport error") // as the official server's reason
			wp.closeBoth(websocket.CloseMessageTooBig, "message too big", from)
			return
		}
		if err != nil {
			code, text := websocket.CloseNoStatusReceived, ""
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseNoStatusReceived &&
				ce.Code != websocket.CloseAbnormalClosure && ce.Code != websocket.CloseTLSHandshake {
				code, text = ce.Code, ce.Text
			}
			wp.closeBoth(code, text, nil)
			p.wsEnded(wp, "transport close")
			return
		}
		p.frame(wp, r, upgradedAt, dir, typ, data)
		if dir == engine.In && p.caught(wp, typ, data) {
			continue // the answer to an injected event: the target never asked
		}
		mu := wp.writeLock(to)
		mu.Lock()
		err = to.WriteMessage(typ, data)
		mu.Unlock()
		if err != nil {
			wp.closeBoth(websocket.CloseGoingAway, "", nil)
			p.wsEnded(wp, "transport close")
			return
		}
	}
}

// frame records one frame of wp, learning the session from it when it is
// the open packet of a new WebSocket session or the "5" of an upgrade.
func (p *Proxy) frame(wp *wsPair, r *http.Request, upgradedAt time.Time, dir engine.Direction, typ int, data []byte) {
	at := time.Now()
	decode := engine.DecodePacket
	if wp.v3 {
		decode = engine.DecodePacketV3
	}
	pk, err := decode(data, typ == websocket.BinaryMessage)
	if err != nil {
		return // not Engine.IO: forwarded, not recorded
	}
	wp.mu.Lock()
	sid := wp.sid
	if sid == "" && dir == engine.Out && pk.Type == engine.PacketOpen {
		sid = p.open(upgradedAt, r, "websocket", pk)
		wp.sid, wp.carries = sid, sid != ""
		early, earlyAt := wp.early, wp.earlyAt
		wp.early, wp.earlyAt = nil, nil
		wp.mu.Unlock()
		if sid == "" {
			return
		}
		p.packet(at, sid, dir, "websocket", pk)
		for i, e := range early {
			p.packet(earlyAt[i], sid, engine.In, "websocket", e)
		}
		return
	}
	if sid == "" {
		if dir == engine.In && len(wp.early) < maxEarlyFrames {
			pk.Data = append([]byte(nil), pk.Data...)
			wp.early = append(wp.early, pk)
			wp.earlyAt = append(wp.earlyAt, at)
		}
		wp.mu.Unlock()
		return
	}
	upgrade := dir == engine.In && pk.Type == engine.PacketUpgrade && !wp.carries
	if upgrade {
		wp.carries = true
	}
	wp.mu.Unlock()
	p.packet(at, sid, dir, "websocket", pk)
	if upgrade {
		p.upgrade(at, sid)
	}
}

// writeLock returns the lock of writes to side c of wp.
func (wp *wsPair) writeLock(c *websocket.Conn) *sync.Mutex {
	if c == wp.client {
		return &wp.clientW
	}
	return &wp.targetW
}

// done is closed once wp's sides are closed.
func (wp *wsPair) done() <-chan struct{} { return wp.closed }

// caught reports whether a client message is the proxy's to keep: the ack
// of an event it injected, or an attachment of such an ack. The client's
// pump calls it.
func (p *Proxy) caught(wp *wsPair, typ int, data []byte) bool {
	if typ == websocket.BinaryMessage && wp.swallow > 0 {
		wp.swallow--
		return true
	}
	if typ != websocket.TextMessage {
		return false
	}
	sid := wp.session()
	if sid == "" {
		return false
	}
	caught, n := p.inj.catch(sid, data)
	if caught {
		wp.swallow = n
	}
	return caught
}

// session returns the sid of the session wp carries, "" if none yet.
func (wp *wsPair) session() string {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	return wp.sid
}

// wsEnded ends the session that lived on wp, if any and not ended yet,
// with reason: its WebSocket closed without a close packet.
func (p *Proxy) wsEnded(wp *wsPair, reason string) {
	wp.mu.Lock()
	sid, carries := wp.sid, wp.carries
	wp.mu.Unlock()
	if carries && sid != "" {
		p.end(time.Now(), sid, reason)
	}
}
