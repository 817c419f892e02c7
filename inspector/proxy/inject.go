package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// The proxy acts on a session (web.Actor) by playing the server toward the
// client: it writes packets to the client's WebSocket as if the target had
// sent them, and records them as the target's. An event it injects with an
// ack gets an id of its own; the client's ACK with that id is caught and
// recorded, and never reaches the target, which did not ask for it.
//
// Ack ids. The official server numbers the acks of a namespace from 0
// upwards; the proxy numbers its own from InjectAckBase downwards, so that
// the two meet only after two billion acks. Both fit in a JavaScript
// number, and in 32 bits.
//
// On long-polling, the client's GET is the target's to answer: an injected
// event waits in the session's outbox (bounded) and goes out with the
// target's next answer, at the latest its next ping; an ack caught in a
// POST is taken out of the body, and a body left empty is answered "ok" by
// the proxy itself.
//
// A disconnect on long-polling goes the same way: the client gets the
// DISCONNECT with the target's next answer, and the proxy tells the
// target itself, in a POST of its own on the session, what the client
// would have said. Closing the connection, the proxy answers the client's
// next GET with the close packet itself, and then tells the target that
// the client left.
//
// Engine.IO v3 sessions (socket.io-client 2.x) are acted on the same way,
// in their own polling framing; an injected packet waits for a text
// answer, never joining one in the binary framing.
//
// What the proxy cannot do: rooms are the target's state, so it cannot
// make a socket join or leave one, nor emit to a room or to everyone.

// InjectAckBase is the ack id of the first event the proxy injects; each
// later one has the id below.
const InjectAckBase = 2_000_000_000

// maxInjected bounds the injected events waiting for their ack, all
// sessions together.
const maxInjected = 1024

// Reasons the proxy gives in the inspector.
const (
	whyNoRooms  = "rooms live in the target server: through the proxy, a socket cannot join or leave one, and an event goes to this socket only"
	whyUnknown  = "the proxy carries no open session with this id (it ended, or went through another proxy)"
	errNoRooms  = "proxy: " + whyNoRooms
	errInjected = "proxy: too many injected events wait for their ack"
	errOutbox   = "proxy: too many injected packets wait for the session's next poll"
)

// maxOutbox bounds the injected packets waiting for a polling session's
// next answer.
const maxOutbox = 64

var _ web.Actor = (*Proxy)(nil)

// injector holds the injected events waiting for their ack.
type injector struct {
	mu      sync.Mutex
	next    uint64 // the next ack id, counting down
	pending map[ackKey]chan json.RawMessage
}

// ackKey names an injected event awaiting its ack.
type ackKey struct {
	sid, nsp string
	id       uint64
}

// carrier returns the WebSocket pair that carries session sid, or nil.
// It takes p.mu and wp.mu one after the other, never together: frame
// holds wp.mu while it takes p.mu.
func (p *Proxy) carrier(sid string) *wsPair {
	p.mu.Lock()
	pairs := make([]*wsPair, 0, len(p.pairs))
	for wp := range p.pairs {
		pairs = append(pairs, wp)
	}
	p.mu.Unlock()
	for _, wp := range pairs {
		wp.mu.Lock()
		ok := wp.sid == sid && wp.carries
		wp.mu.Unlock()
		if ok {
			return wp
		}
	}
	return nil
}

// Abilities implements web.Actor: a session through the proxy is live
// while it is open, on either transport; rooms are never within reach.
func (p *Proxy) Abilities(sid string) web.Abilities {
	if _, err := p.live(sid); err != nil {
		return web.Abilities{Why: strings.TrimPrefix(err.Error(), web.ErrNotLive.Error()+": "), NoRooms: whyNoRooms}
	}
	return web.Abilities{Live: true, NoRooms: whyNoRooms}
}

// live returns the pair carrying sid, nil for a polling session, or an
// error wrapping web.ErrNotLive.
func (p *Proxy) live(sid string) (*wsPair, error) {
	if wp := p.carrier(sid); wp != nil {
		return wp, nil
	}
	p.mu.Lock()
	s := p.sessions[sid]
	polling := s != nil && s.transport == "polling"
	p.mu.Unlock()
	if polling {
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", web.ErrNotLive, whyUnknown)
}

// Emit implements web.Actor: the event goes to the client as if the
// target had sent it. With an ack, Emit waits for the client's answer.
func (p *Proxy) Emit(ctx context.Context, e web.Emission) (web.Answer, error) {
	if e.To != web.ToSocket {
		return web.Answer{}, errors.New(errNoRooms)
	}
	wp, err := p.live(e.SID)
	if err != nil {
		return web.Answer{}, err
	}
	data, atts, err := parser.MarshalEvent(e.Event, e.Args)
	if err != nil {
		return web.Answer{}, fmt.Errorf("proxy: emit %q: %w", e.Event, err)
	}
	if len(atts) > 0 {
		return web.Answer{}, errors.New("proxy: binary arguments cannot be injected")
	}
	pk := &parser.Packet{Type: parser.Event, Namespace: e.Nsp, Data: data}
	var answer chan json.RawMessage
	if e.Ack > 0 {
		key := ackKey{sid: e.SID, nsp: nspOrRoot(e.Nsp)}
		if key.id, answer, err = p.inj.wait(key); err != nil {
			return web.Answer{}, err
		}
		defer p.inj.forget(key)
		pk.HasID, pk.ID = true, key.id
	}
	var done <-chan struct{} // nil on polling: the session's end shows as a timeout
	if wp != nil {
		err, done = p.toClient(wp, e.SID, pk), wp.done()
	} else {
		err = p.queue(e.SID, pk)
	}
	if err != nil {
		return web.Answer{}, err
	}
	if answer == nil {
		return web.Answer{}, nil
	}
	timer := time.NewTimer(e.Ack)
	defer timer.Stop()
	select {
	case raw := <-answer:
		var replies []any
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&replies); err != nil {
			return web.Answer{}, fmt.Errorf("proxy: the client's ack: %w", err)
		}
		return web.Answer{Replies: replies}, nil
	case <-timer.C:
		return web.Answer{TimedOut: true}, nil
	case <-ctx.Done():
		return web.Answer{}, ctx.Err()
	case <-done:
		return web.Answer{}, fmt.Errorf("%w: the connection closed before the ack came", web.ErrNotLive)
	}
}

// Disconnect implements web.Actor: the client gets a DISCONNECT for the
// namespace, as if the target had sent it ("io server disconnect"). With
// closeConn the whole connection is then closed, as the target would; else
// the target gets the DISCONNECT a leaving client sends, so that it lets
// go of the socket as well.
func (p *Proxy) Disconnect(ctx context.Context, sid, nsp string, closeConn bool) error {
	wp, err := p.live(sid)
	if err != nil {
		return err
	}
	pk := &parser.Packet{Type: parser.Disconnect, Namespace: nsp}
	if wp == nil {
		return p.disconnectPolling(ctx, sid, pk, closeConn)
	}
	if err := p.toClient(wp, sid, pk); err != nil {
		return err
	}
	if closeConn {
		wp.closeBoth(websocket.CloseNormalClosure, "", nil)
		p.wsEnded(wp, "forced close")
		return nil
	}
	return p.write(wp, wp.target, sid, engine.In, pk)
}

// disconnectPolling is Disconnect on a long-polling session: pk goes to
// the client with the target's next answer, and the target hears the
// client leave at once; with closeConn, the close packet follows pk, and
// the target hears the client's goodbye once both went out
// (pollingResponse calls closeTarget).
func (p *Proxy) disconnectPolling(ctx context.Context, sid string, pk *parser.Packet, closeConn bool) error {
	msg := engine.Packet{Type: engine.PacketMessage, Data: parser.AppendText(nil, pk)}
	if err := p.queuePackets(sid, msg); err != nil {
		return err
	}
	if closeConn {
		// The close packet comes in an answer of its own, as the official
		// server sends it: a client that reads the DISCONNECT and the
		// close in one answer takes the close first ("transport close").
		p.mu.Lock()
		if s := p.sessions[sid]; s != nil {
			s.closeNext = true
		}
		p.mu.Unlock()
		return nil
	}
	return p.postTarget(ctx, sid, msg)
}

// closeNow answers the GET of polling session sid with the close packet
// when the proxy closed the session (Disconnect with closeConn) and the
// DISCONNECT before it went out, records it, and tells the target that
// the client left. It reports whether it answered.
func (p *Proxy) closeNow(w http.ResponseWriter, sid string) bool {
	p.mu.Lock()
	s := p.sessions[sid]
	ok := s != nil && s.closeNext && len(s.outbox) == 0 && !p.closed
	var path string
	var v3 bool
	if ok {
		s.closeNext = false
		path, v3 = s.path, s.v3
		p.wg.Add(1) // Close cancels the POST (p.ctx) and waits for it
	}
	p.mu.Unlock()
	if !ok {
		return false
	}
	bye := engine.Packet{Type: engine.PacketClose}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	_, _ = w.Write(appendPolling(nil, v3, []engine.Packet{bye}))
	p.packet(time.Now(), sid, engine.Out, "polling", bye)
	go func() {
		defer p.wg.Done()
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		if err := p.post(ctx, sid, path, v3, bye); err != nil {
			p.log.Warn("proxy: telling the target that the client of a closed session left", "sid", sid, "err", err)
		}
	}()
	return true
}

// postTarget sends pk to the target in a polling POST of session sid, as
// its client would, and records it as the client's.
func (p *Proxy) postTarget(ctx context.Context, sid string, pk engine.Packet) error {
	p.mu.Lock()
	s := p.sessions[sid]
	var path string
	var v3 bool
	if s != nil {
		path, v3 = s.path, s.v3
	}
	p.mu.Unlock()
	if s == nil {
		return fmt.Errorf("%w: %s", web.ErrNotLive, whyUnknown)
	}
	return p.post(ctx, sid, path, v3, pk)
}

// appendPolling appends the polling payload of ps (text packets) to dst,
// in Engine.IO v3's text framing or v4's.
func appendPolling(dst []byte, v3 bool, ps []engine.Packet) []byte {
	if v3 {
		dst, _ = engine.AppendPayloadV3(dst, ps, false)
		return dst
	}
	return engine.AppendPayload(dst, ps)
}

// post sends pk to the target on polling session sid, whose handshake
// came on path (with Engine.IO v3 if v3), and records it in.
func (p *Proxy) post(ctx context.Context, sid, path string, v3 bool, pk engine.Packet) error {
	u := p.target.JoinPath(path)
	eio := "4"
	if v3 {
		eio = "3"
	}
	u.RawQuery = url.Values{"EIO": {eio}, "transport": {"polling"}, "sid": {sid}}.Encode()
	body := appendPolling(nil, v3, []engine.Packet{pk})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("proxy: a POST to the target for %s: %w", sid, err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	p.packet(time.Now(), sid, engine.In, "polling", pk) // recorded first, as a client's POST is
	resp, err := p.rt.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("proxy: a POST to the target for %s: %w", sid, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("proxy: the target answered %s to a POST for %s", resp.Status, sid)
	}
	return nil
}

// Join implements web.Actor: the proxy cannot.
func (p *Proxy) Join(context.Context, string, string, string) error { return errors.New(errNoRooms) }

// Leave implements web.Actor: the proxy cannot.
func (p *Proxy) Leave(context.Context, string, string, string) error { return errors.New(errNoRooms) }

// toClient writes Socket.IO packet pk to the client of wp, and records it
// as sent by the target.
func (p *Proxy) toClient(wp *wsPair, sid string, pk *parser.Packet) error {
	return p.write(wp, wp.client, sid, engine.Out, pk)
}

// write sends pk, in an Engine.IO message, on side to of wp, and records
// it in direction dir. The pump that also writes to that side is held off
// meanwhile (wsPair.writeLock).
func (p *Proxy) write(wp *wsPair, to *websocket.Conn, sid string, dir engine.Direction, pk *parser.Packet) error {
	msg := parser.AppendText([]byte{'4'}, pk)
	mu := wp.writeLock(to)
	mu.Lock()
	_ = to.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err := to.WriteMessage(websocket.TextMessage, msg)
	_ = to.SetWriteDeadline(time.Time{})
	mu.Unlock()
	if err != nil {
		return fmt.Errorf("proxy: writing to the session %s: %w", sid, err)
	}
	p.packet(time.Now(), sid, dir, "websocket", engine.Packet{Type: engine.PacketMessage, Data: msg[1:]})
	return nil
}

// queue puts pk in polling session sid's outbox, for the target's next
// answer to a GET (pollingResponse sends and records it).
func (p *Proxy) queue(sid string, pk *parser.Packet) error {
	return p.queuePackets(sid, engine.Packet{Type: engine.PacketMessage, Data: parser.AppendText(nil, pk)})
}

// queuePackets puts pks in polling session sid's outbox, all or none.
func (p *Proxy) queuePackets(sid string, pks ...engine.Packet) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sid]
	if s == nil || s.transport != "polling" {
		return fmt.Errorf("%w: %s", web.ErrNotLive, whyUnknown)
	}
	if len(s.outbox)+len(pks) > maxOutbox {
		return errors.New(errOutbox)
	}
	s.outbox = append(s.outbox, pks...)
	return nil
}

// takeOutbox empties polling session sid's outbox, unless hold: an
// answer in v3's binary framing does not take text packets.
func (p *Proxy) takeOutbox(sid string, hold bool) []engine.Packet {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[sid]
	if s == nil || len(s.outbox) == 0 || hold {
		return nil
	}
	out := s.outbox
	s.outbox = nil
	return out
}

// catchPolling takes the acks of injected events (and a BINARY_ACK's
// attachments) out of a polling POST body of session sid. caught is false,
// and kept the body itself, when there were none.
//
// A client may send a BINARY_ACK's attachments in later POSTs than the
// packet itself (the official client writes the packet at once and the
// attachments once that POST is done): the count still to come is kept
// with the session, and they are taken out of the next POSTs. Forwarded,
// they would reach the target as binary messages it never asked for.
func (p *Proxy) catchPolling(sid string, v3 bool, contentType string, body []byte) (kept []byte, binary, caught bool) {
	ps, err := decodePayload(v3, body, contentType)
	if err != nil {
		return body, false, false
	}
	rest := make([]engine.Packet, 0, len(ps))
	p.mu.Lock()
	s := p.sessions[sid]
	swallow := 0
	if s != nil {
		swallow, s.swallow = s.swallow, 0
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		if s := p.sessions[sid]; s != nil {
			s.swallow = swallow
		}
		p.mu.Unlock()
	}()
	for _, pk := range ps {
		if pk.Binary && swallow > 0 {
			swallow--
			continue
		}
		if !pk.Binary && pk.Type == engine.PacketMessage {
			if ok, n := p.inj.catch(sid, engine.AppendPacket(nil, pk)); ok {
				swallow = n
				continue
			}
		}
		rest = append(rest, pk)
	}
	if len(rest) == len(ps) {
		return body, false, false
	}
	if v3 {
		// in the binary framing while a binary message is left
		kept, binary = engine.AppendPayloadV3(nil, rest, isBinaryFraming(contentType))
		return kept, binary, true
	}
	return engine.AppendPayload(nil, rest), false, true
}

// waits reports whether an injected event of session sid awaits its ack.
func (in *injector) waits(sid string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for k := range in.pending {
		if k.sid == sid {
			return true
		}
	}
	return false
}

// wait registers an injected event awaiting its ack and gives it an id.
func (in *injector) wait(key ackKey) (uint64, chan json.RawMessage, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.pending) >= maxInjected {
		return 0, nil, errors.New(errInjected)
	}
	if in.pending == nil {
		in.pending = make(map[ackKey]chan json.RawMessage)
		in.next = InjectAckBase
	}
	key.id = in.next
	in.next--
	if in.next == 0 {
		in.next = InjectAckBase
	}
	ch := make(chan json.RawMessage, 1)
	in.pending[key] = ch
	return key.id, ch, nil
}

// forget drops an injected event's wait.
func (in *injector) forget(key ackKey) {
	in.mu.Lock()
	delete(in.pending, key)
	in.mu.Unlock()
}

// catch reports whether a client message of session sid is the ack of an
// injected event, and hands its arguments over if so. A BINARY_ACK's
// attachments, which follow it, are theirs too: n says how many.
func (in *injector) catch(sid string, data []byte) (caught bool, n int) {
	h, ok := parseAckHeader(data)
	if !ok {
		return false, 0
	}
	key := ackKey{sid: sid, nsp: h.nsp, id: h.id}
	in.mu.Lock()
	ch := in.pending[key]
	delete(in.pending, key)
	in.mu.Unlock()
	if ch == nil {
		return false, 0
	}
	ch <- json.RawMessage(h.payload)
	return true, h.attachments
}

// ackHeader is what the proxy reads of an ACK or BINARY_ACK message.
type ackHeader struct {
	nsp         string
	id          uint64
	attachments int
	payload     []byte
}

// parseAckHeader reads an Engine.IO message holding a Socket.IO ACK
// ("43<nsp>,<id>[...]") or BINARY_ACK ("46<n>-<nsp>,<id>[...]"); ok is
// false for anything else.
func parseAckHeader(data []byte) (h ackHeader, ok bool) {
	if len(data) < 3 || data[0] != '4' || data[1] != '3' && data[1] != '6' {
		return h, false
	}
	s := string(data[2:])
	if data[1] == '6' {
		dash := strings.IndexByte(s, '-')
		if dash <= 0 {
			return h, false
		}
		n, err := strconv.Atoi(s[:dash])
		if err != nil || n <= 0 {
			return h, false
		}
		h.attachments, s = n, s[dash+1:]
	}
	h.nsp = "/"
	if strings.HasPrefix(s, "/") {
		comma := strings.IndexByte(s, ',')
		if comma < 0 {
			return h, false
		}
		h.nsp, s = s[:comma], s[comma+1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	id, err := strconv.ParseUint(s[:end], 10, 64)
	if err != nil {
		return h, false
	}
	h.id, h.payload = id, []byte(s[end:])
	return h, true
}

func nspOrRoot(nsp string) string {
	if nsp == "" {
		return "/"
	}
	return nsp
}
