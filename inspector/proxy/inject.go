package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
// What the proxy cannot do: rooms are the target's state, so it cannot
// make a socket join or leave one, nor emit to a room or to everyone; and
// it injects into sessions on WebSocket only (a polling session's packets
// go out in answer to the client's GET, which the target holds).

// InjectAckBase is the ack id of the first event the proxy injects; each
// later one has the id below.
const InjectAckBase = 2_000_000_000

// maxInjected bounds the injected events waiting for their ack, all
// sessions together.
const maxInjected = 1024

// Reasons the proxy gives in the inspector.
const (
	whyNoRooms  = "rooms live in the target server: through the proxy, a socket cannot join or leave one, and an event goes to this socket only"
	whyPolling  = "the session is on HTTP long-polling: the proxy injects into WebSocket sessions only"
	whyUnknown  = "the proxy carries no open session with this id (it ended, or went through another proxy)"
	errNoRooms  = "proxy: " + whyNoRooms
	errInjected = "proxy: too many injected events wait for their ack"
)

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

// Abilities implements web.Actor: a session on a WebSocket through the
// proxy is live; rooms are never within reach.
func (p *Proxy) Abilities(sid string) web.Abilities {
	if p.carrier(sid) != nil {
		return web.Abilities{Live: true, NoRooms: whyNoRooms}
	}
	if p.lives(sid, "polling") {
		return web.Abilities{Why: whyPolling, NoRooms: whyNoRooms}
	}
	return web.Abilities{Why: whyUnknown, NoRooms: whyNoRooms}
}

// live returns the pair carrying sid, or an error wrapping web.ErrNotLive.
func (p *Proxy) live(sid string) (*wsPair, error) {
	if wp := p.carrier(sid); wp != nil {
		return wp, nil
	}
	why := whyUnknown
	if p.lives(sid, "polling") {
		why = whyPolling
	}
	return nil, fmt.Errorf("%w: %s", web.ErrNotLive, why)
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
	if err := p.toClient(wp, e.SID, pk); err != nil {
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
	case <-wp.done():
		return web.Answer{}, fmt.Errorf("%w: the connection closed before the ack came", web.ErrNotLive)
	}
}

// Disconnect implements web.Actor: the client gets a DISCONNECT for the
// namespace, as if the target had sent it ("io server disconnect"). With
// closeConn the whole connection is then closed, as the target would; else
// the target gets the DISCONNECT a leaving client sends, so that it lets
// go of the socket as well.
func (p *Proxy) Disconnect(_ context.Context, sid, nsp string, closeConn bool) error {
	wp, err := p.live(sid)
	if err != nil {
		return err
	}
	pk := &parser.Packet{Type: parser.Disconnect, Namespace: nsp}
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
