package proxy

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// exchange is one polling request on its way through the polling
// ReverseProxy: what servePolling learned, for pollingResponse.
type exchange struct {
	req  *http.Request // the client's request
	sid  string        // from ?sid=, or learned from the open packet
	at   time.Time     // when the request came
	body []byte        // POST: the body as it came; nil when too large to record
	// recorded says the POST's packets were recorded as it came.
	recorded bool
	v3       bool // Engine.IO v3 (EIO=3): its own payload framing
	jsonp    bool // a v3 JSONP request (?j=): not recorded
}

type exchangeKey struct{}

// servePolling forwards a polling request, recording the packets of its
// body (POST, in) or of its answer (GET, out).
func (p *Proxy) servePolling(w http.ResponseWriter, r *http.Request, sid string) {
	q := r.URL.Query()
	ex := &exchange{req: r, sid: sid, at: time.Now(), v3: q.Get("EIO") == "3", jsonp: q.Has("j")}
	p.begin(sid)
	defer func() { p.finish(ex.sid) }()
	if r.Method == http.MethodGet && sid != "" && !ex.jsonp && p.closeNow(w, sid) {
		return
	}
	if r.Method == http.MethodPost && r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > p.maxMsg {
			p.tooLarge(w, r, sid, r.ContentLength)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, p.maxMsg+1))
		if err != nil {
			return // the client went away while sending
		}
		if int64(len(body)) > p.maxMsg {
			p.tooLarge(w, r, sid, -1)
			return
		}
		ex.body = body
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if sid != "" && !ex.jsonp && p.lives(sid, "polling") {
			// Record the packets now, before the target answers what they
			// cause on the pending GET: in its answer to the POST, they
			// would come after that reply.
			p.payload(ex, ex.at, sid, engine.In, body, r.Header.Get("Content-Type"))
			ex.recorded = true
		}
		if sid != "" && !ex.jsonp && (p.inj.waits(sid) || p.swallowing(sid)) {
			// The answers to injected events are the proxy's (inject.go).
			if kept, binary, caught := p.catchPolling(sid, ex.v3, r.Header.Get("Content-Type"), body); caught {
				if len(kept) == 0 {
					w.Header().Set("Content-Type", "text/html")
					_, _ = w.Write([]byte("ok"))
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(kept))
				r.ContentLength = int64(len(kept))
				if ex.v3 && !binary {
					r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
				}
			}
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
	p.polling.ServeHTTP(w, r)
}

// swallowing reports whether attachments of a caught BINARY_ACK of
// polling session sid are still to come (catchPolling).
func (p *Proxy) swallowing(sid string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sid]
	return s != nil && s.swallow > 0
}

// tooLarge refuses a POST whose body is over MaxMessage, as the official
// server does (413), without forwarding it, and ends its session: the
// client takes the failed request as the end of its transport. size is
// the announced length, -1 when the body was sent without one.
func (p *Proxy) tooLarge(w http.ResponseWriter, r *http.Request, sid string, size int64) {
	p.log.Warn("proxy: polling POST over the cap refused, its session ended",
		"sid", sid, "content_length", size, "max_message", p.maxMsg, "remote", r.RemoteAddr)
	if sid != "" {
		p.end(time.Now(), sid, "transport error")
	}
	w.Header().Set("Connection", "close") // the rest of the body is not read
	http.Error(w, fmt.Sprintf("workbook proxy: the body is over %d bytes (--max-message)", p.maxMsg), http.StatusRequestEntityTooLarge)
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// pollingResponse records what a polling exchange carried, leaving the
// response as the target wrote it.
func (p *Proxy) pollingResponse(resp *http.Response) error {
	ex, _ := resp.Request.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil || ex.jsonp {
		return nil
	}
	switch {
	case resp.StatusCode == http.StatusBadRequest && ex.sid != "":
		// The server does not know the session (any more): it ended there
		// without a word on the wire.
		p.end(time.Now(), ex.sid, "transport error")
		return nil
	case resp.StatusCode != http.StatusOK:
		return nil
	}
	if ex.req.Method == http.MethodPost {
		if ex.sid != "" && ex.body != nil && !ex.recorded {
			p.payload(ex, ex.at, ex.sid, engine.In, ex.body, ex.req.Header.Get("Content-Type"))
		}
		return nil
	}
	if ex.req.Method != http.MethodGet {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, p.maxBody+1))
	if int64(len(raw)) > p.maxBody || err != nil {
		// Too large to record, or cut short: pass on what came and the rest.
		resp.Body = readCloser{io.MultiReader(bytes.NewReader(raw), resp.Body), resp.Body}
		return nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	at := time.Now()
	body, err := decompress(resp.Header.Get("Content-Encoding"), raw, p.maxBody)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			p.log.Warn("proxy: a polling answer inflates past the cap: forwarded, not recorded",
				"sid", ex.sid, "encoding", resp.Header.Get("Content-Encoding"), "size", len(raw), "max_body", p.maxBody)
		}
		return nil
	}
	if ex.sid == "" {
		// The handshake: the answer opens with the open packet.
		ps, _ := decodePayload(ex.v3, body, resp.Header.Get("Content-Type"))
		if len(ps) == 0 {
			return nil
		}
		if ex.sid = p.open(ex.at, ex.req, "polling", ps[0]); ex.sid == "" {
			return nil
		}
	}
	p.payload(ex, at, ex.sid, engine.Out, body, resp.Header.Get("Content-Type"))
	if out := p.takeOutbox(ex.sid, ex.v3 && isBinaryFraming(resp.Header.Get("Content-Type"))); len(out) > 0 {
		// Packets injected meanwhile go out with this answer (inject.go).
		if ex.v3 {
			body = appendPolling(body[:len(body):len(body)], true, out)
		} else {
			body = engine.AppendPayload(append(body[:len(body):len(body)], 0x1e), out)
		}
		for _, pk := range out {
			p.packet(at, ex.sid, engine.Out, "polling", pk)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		resp.Header.Del("Content-Encoding")
	}
	return nil
}

// isBinaryFraming reports whether contentType is that of Engine.IO v3's
// binary polling framing.
func isBinaryFraming(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/octet-stream"
}

// payload records the packets of a polling body of exchange ex, as far as
// it decodes. contentType is the body's.
func (p *Proxy) payload(ex *exchange, at time.Time, sid string, dir engine.Direction, body []byte, contentType string) {
	ps, _ := decodePayload(ex.v3, body, contentType) // the packets before a malformed record are kept
	for _, pk := range ps {
		p.packet(at, sid, dir, "polling", pk)
	}
}

// decodePayload decodes a polling body: Engine.IO v4's, or with v3 its
// text framing ("<len>:<packet>") or, when contentType says
// application/octet-stream, its binary framing.
func decodePayload(v3 bool, body []byte, contentType string) ([]engine.Packet, error) {
	if !v3 {
		return engine.DecodePayload(body)
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	return engine.DecodePayloadV3(body, mt == "application/octet-stream")
}

// errTooLarge is what decompress returns for a body that inflates past its
// limit.
var errTooLarge = errors.New("proxy: decompressed body too large")

// decompress returns body decoded from the Content-Encoding enc: the proxy
// asks for identity, but a server may compress anyway. It inflates no more
// than max bytes: past them, it returns errTooLarge.
func decompress(enc string, body []byte, max int64) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		// HTTP's deflate is zlib; some servers send raw deflate.
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(body))
		}
	default:
		return nil, fmt.Errorf("proxy: unknown Content-Encoding %q", enc)
	}
	out, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > max {
		return nil, errTooLarge
	}
	return out, nil
}

// begin counts a polling request of session sid in flight: a session
// waiting on a request is not idle.
func (p *Proxy) begin(sid string) {
	if sid == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[sid]; s != nil {
		s.inflight++
		if s.timer != nil {
			s.timer.Stop()
		}
	}
}

// finish counts the end of a polling request of session sid, and arms the
// idle timer when it was the last in flight.
func (p *Proxy) finish(sid string) {
	if sid == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sid]
	if s == nil || p.closed {
		return
	}
	if s.inflight > 0 {
		s.inflight--
	}
	if s.inflight > 0 || s.transport != "polling" || s.idle <= 0 {
		return
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(s.idle, func() { p.idle(s) })
	} else {
		s.timer.Reset(s.idle)
	}
}

// idle ends polling session s when no request came for s.idle: its client
// went away without a word, and the server, which pings it, has given up.
func (p *Proxy) idle(s *session) {
	p.mu.Lock()
	if p.sessions[s.sid] != s || s.inflight > 0 || s.transport != "polling" {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.end(time.Now(), s.sid, "ping timeout")
}
