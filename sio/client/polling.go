package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// maxErrorBody is how much of an error answer's body a TransportError keeps.
const maxErrorBody = 512

var cacheBuster atomic.Uint64

// requestURL returns the URL of a request over transport, with the
// session id once there is one. Polling requests carry the cache-busting
// parameter "t", as the official client's do.
func (e *Engine) requestURL(transport string) string {
	u := e.base
	q := make([]byte, 0, 64)
	q = append(q, "EIO=4&transport="...)
	q = append(q, transport...)
	if e.id != "" {
		q = append(q, "&sid="...)
		q = append(q, url.QueryEscape(e.id)...)
	}
	if transport == TransportPolling {
		q = append(q, "&t="...)
		q = strconv.AppendUint(q, uint64(time.Now().UnixNano())^cacheBuster.Add(1)<<48, 36)
	}
	if rest := e.query; len(rest) > 0 {
		user := rest.Encode()
		q = append(q, '&')
		q = append(q, user...)
	}
	u.RawQuery = string(q)
	if transport == TransportWebSocket {
		if u.Scheme == "https" {
			u.Scheme = "wss"
		} else {
			u.Scheme = "ws"
		}
	}
	return u.String()
}

// request makes one polling request and returns the answer's body. A
// transport failure or a status other than 200 is a *TransportError.
func (e *Engine) request(ctx context.Context, method string, body []byte) ([]byte, error) {
	op := "xhr poll error"
	var rd io.Reader
	if method == http.MethodPost {
		op = "xhr post error"
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.requestURL(TransportPolling), rd)
	if err != nil {
		return nil, &TransportError{Op: op, Err: err}
	}
	for k, vs := range e.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	resp, err := e.httpc.Do(req)
	if err != nil {
		return nil, &TransportError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		if len(data) > maxErrorBody {
			data = data[:maxErrorBody]
		}
		return nil, &TransportError{Op: op, StatusCode: resp.StatusCode, Body: string(data)}
	}
	if err != nil {
		return nil, &TransportError{Op: op, Err: err}
	}
	return data, nil
}

// handshakePolling opens the session with a GET.
func (e *Engine) handshakePolling(ctx context.Context) error {
	body, err := e.request(ctx, http.MethodGet, nil)
	if err != nil {
		return err
	}
	ps, decodeErr := engine.DecodePayload(body)
	if len(ps) == 0 {
		if decodeErr == nil {
			decodeErr = ErrHandshake
		}
		return decodeErr
	}
	if err := e.onOpenPacket(ps[0]); err != nil {
		return err
	}
	if decodeErr != nil {
		return decodeErr
	}
	e.transport = TransportPolling
	e.initial = ps[1:]
	return nil
}

// pollLoop issues one GET after another until the Engine closes or pauses
// for an upgrade, handing over what each brings.
func (e *Engine) pollLoop(initial []engine.Packet) {
	ok := e.handlePackets(initial)
	for {
		e.mu.Lock()
		if !ok || e.state == engineClosed || e.pausing || e.transport != TransportPolling {
			e.polling = false
			e.cond.Broadcast()
			e.mu.Unlock()
			return
		}
		e.polling = true
		e.mu.Unlock()

		body, err := e.request(e.ctx, http.MethodGet, nil)
		if err != nil {
			e.shutdown(ReasonTransportError, err)
			continue
		}
		ps, err := engine.DecodePayload(body)
		ok = e.handlePackets(ps)
		if ok && err != nil {
			e.shutdown(ReasonParseError, err)
		}
	}
}

func (e *Engine) handlePackets(ps []engine.Packet) bool {
	for _, p := range ps {
		if !e.handlePacket(p) {
			return false
		}
	}
	return true
}
