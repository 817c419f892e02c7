package redisadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/parser"
)

// request is one of this node's requests that waits for answers.
type request struct {
	typ     int
	want    int // answers expected
	got     int // answers received
	sockets []*sio.RemoteSocket
	answers []any
	done    chan struct{} // closed when got reaches want
}

// ackRequest routes the answers to a broadcast with acknowledgements.
type ackRequest struct {
	onCount func(int)
	onAck   func(any)
}

// wire is a request or an answer as the nodes exchange them. Fields are
// read leniently: a message may come from any version of any node.
type wire map[string]any

func (w wire) str(k string) string { s, _ := w[k].(string); return s }

func (w wire) integer(k string) (int64, bool) { return toInt(w[k]) }

// decodeWire reads a request or an answer: JSON when it starts with "{",
// msgpack otherwise.
func decodeWire(b []byte) (wire, error) {
	var v any
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, err
		}
	} else {
		var err error
		if v, err = unmarshal(b); err != nil {
			return nil, err
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an object")
	}
	return m, nil
}

// onRequest answers another node's request.
func (a *Adapter) onRequest(payload []byte) error {
	req, err := decodeWire(payload)
	if err != nil {
		return err
	}
	typ, ok := req.integer("type")
	if !ok {
		return errors.New("request without a type")
	}
	id := req.str("requestId")
	if req.str("uid") == a.uid {
		return nil // this node did its share when it asked
	}
	local := a.nsp.Local()
	switch typ {
	case reqSockets:
		rooms, err := stringsFrom(req["rooms"])
		if err != nil {
			return err
		}
		ids := []string{}
		for _, s := range local.FetchSockets(sio.BroadcastOptions{Rooms: rooms}) {
			ids = append(ids, s.ID)
		}
		a.answerJSON(orderedMap{{"requestId", id}, {"sockets", ids}})
	case reqAllRooms:
		a.answerJSON(orderedMap{{"requestId", id}, {"rooms", nonNil(a.Rooms())}})
	case reqRemoteJoin, reqRemoteLeave, reqRemoteDisconnect:
		return a.onRemoteRoomOp(req, int(typ), id)
	case reqRemoteFetch:
		opts, err := optsFrom(req["opts"])
		if err != nil {
			return err
		}
		socks := []any{}
		for _, s := range local.FetchSockets(opts) {
			socks = append(socks, socketDetails(s))
		}
		a.answerJSON(orderedMap{{"requestId", id}, {"sockets", socks}})
	case reqServerSideEmit:
		data, ok := req["data"].([]any)
		if !ok || len(data) == 0 {
			return errors.New("server-side emit without [event, ...args]")
		}
		event, ok := data[0].(string)
		if !ok {
			return errors.New("server-side event name is not a string")
		}
		var ack func(any)
		if id != "" {
			ack = func(arg any) {
				a.answerJSON(orderedMap{{"type", int64(reqServerSideEmit)}, {"requestId", id}, {"data", arg}})
			}
		}
		local.ServerSideEmit(event, data[1:], ack)
	case reqBroadcast:
		p, err := a.packetFrom(req["packet"])
		if err != nil || p == nil {
			return err
		}
		opts, err := optsFrom(req["opts"])
		if err != nil {
			return err
		}
		if opts.Flags.Timeout <= 0 {
			opts.Flags.Timeout = a.timeout
		}
		local.BroadcastWithAck(p, opts, func(n int) {
			if n < 0 {
				return // Node has no way to take sockets back: the asker times out
			}
			a.answerJSON(orderedMap{{"type", int64(reqBroadcastClientCount)}, {"requestId", id}, {"clientCount", int64(n)}})
		}, func(arg any) {
			b, err := marshal(orderedMap{{"type", int64(reqBroadcastAck)}, {"requestId", id}, {"packet", arg}})
			if err != nil {
				a.log.Warn("encoding an acknowledgement", "err", err)
				return
			}
			a.answer(a.responseChannel, b)
		})
	default:
		a.log.Debug("ignoring a request of unknown type", "type", typ)
	}
	return nil
}

// onRemoteRoomOp applies REMOTE_JOIN, REMOTE_LEAVE or REMOTE_DISCONNECT:
// to the sockets opts selects (what nodes send now), or to one socket by id
// with an answer (what old nodes sent).
func (a *Adapter) onRemoteRoomOp(req wire, typ int, id string) error {
	local := a.nsp.Local()
	if req["opts"] != nil {
		opts, err := optsFrom(req["opts"])
		if err != nil {
			return err
		}
		rooms, err := stringsFrom(req["rooms"])
		if err != nil {
			return err
		}
		switch typ {
		case reqRemoteJoin:
			local.AddSockets(opts, rooms)
		case reqRemoteLeave:
			local.DelSockets(opts, rooms)
		default:
			closeConn, _ := req["close"].(bool)
			local.DisconnectSockets(opts, closeConn)
		}
		return nil
	}
	s := a.nsp.Socket(req.str("sid"))
	if s == nil {
		return nil
	}
	switch typ {
	case reqRemoteJoin:
		s.Join(req.str("room"))
	case reqRemoteLeave:
		s.Leave(req.str("room"))
	default:
		if closeConn, _ := req["close"].(bool); closeConn {
			s.CloseConnection()
		} else {
			s.Disconnect()
		}
	}
	a.answerJSON(orderedMap{{"requestId", id}})
	return nil
}

// onResponse routes an answer to the request of this node it answers.
func (a *Adapter) onResponse(payload []byte) error {
	res, err := decodeWire(payload)
	if err != nil {
		return err
	}
	id := res.str("requestId")
	a.mu.Lock()
	ack := a.acks[id]
	r := a.requests[id]
	a.mu.Unlock()
	if ack != nil {
		typ, _ := res.integer("type")
		switch typ {
		case reqBroadcastClientCount:
			if n, ok := res.integer("clientCount"); ok {
				ack.onCount(int(n))
			}
		case reqBroadcastAck:
			ack.onAck(res["packet"])
		}
		return nil
	}
	if r == nil {
		return nil // not ours, or too late
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.got >= r.want {
		return nil
	}
	switch r.typ {
	case reqRemoteFetch:
		list, ok := res["sockets"].([]any)
		if !ok {
			return errors.New("fetch answer without sockets")
		}
		for _, x := range list {
			if rs := a.remoteSocket(x); rs != nil {
				r.sockets = append(r.sockets, rs)
			}
		}
	case reqServerSideEmit:
		r.answers = append(r.answers, res["data"])
	}
	r.got++
	if r.got == r.want {
		close(r.done)
	}
	return nil
}

// ask publishes a request and waits for want answers, ctx's end or the
// requests timeout, whichever comes first. The request is forgotten when
// ask returns.
func (a *Adapter) ask(ctx context.Context, r *request, msg orderedMap) error {
	id := randomID()
	msg = append(orderedMap{{"uid", a.uid}, {"requestId", id}}, msg...)
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("redisadapter: encoding a request: %w", err)
	}
	r.done = make(chan struct{})
	a.mu.Lock()
	a.requests[id] = r
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.requests, id)
		a.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if err := a.rdb.Publish(ctx, a.requestChannel, b).Err(); err != nil {
		return fmt.Errorf("redisadapter: publishing a request: %w", err)
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		a.mu.Lock()
		got, want := r.got, r.want
		a.mu.Unlock()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: %d answers out of %d", ErrRequestTimeout, got, want)
		}
		return ctx.Err()
	}
}

// MarshalJSON writes the map with its keys in order.
func (m orderedMap) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// ServerCount implements sio.Adapter: the subscribers of the request
// channel, as Node counts them (PUBSUB NUMSUB).
func (a *Adapter) ServerCount(ctx context.Context) (int, error) {
	res, err := a.rdb.PubSubNumSub(ctx, a.requestChannel).Result()
	if err != nil {
		return 0, fmt.Errorf("redisadapter: counting the nodes: %w", err)
	}
	return int(res[a.requestChannel]), nil
}

// FetchSockets implements sio.Adapter: this node's sockets, then the other
// nodes'. When a node does not answer in time, it returns what came with
// ErrRequestTimeout (Node rejects; the sockets found are worth having).
func (a *Adapter) FetchSockets(ctx context.Context, opts sio.BroadcastOptions) ([]*sio.RemoteSocket, error) {
	socks := a.nsp.Local().FetchSockets(opts)
	if opts.Flags.Local {
		return socks, nil
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return socks, err
	}
	if n <= 1 {
		return socks, nil
	}
	r := &request{typ: reqRemoteFetch, want: n - 1}
	err = a.ask(ctx, r, orderedMap{{"type", int64(reqRemoteFetch)}, {"opts", orderedMap{{"rooms", nonNil(opts.Rooms)}, {"except", nonNil(opts.Except)}}}})
	a.mu.Lock()
	socks = append(socks, r.sockets...)
	a.mu.Unlock()
	return socks, err
}

// ServerSideEmit implements sio.Adapter.
func (a *Adapter) ServerSideEmit(ctx context.Context, event string, args []any, ack bool) ([]any, error) {
	data := append([]any{event}, args...)
	if !ack {
		return nil, a.publishRequest(ctx, orderedMap{{"uid", a.uid}, {"type", int64(reqServerSideEmit)}, {"data", data}})
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, err
	}
	if n <= 1 {
		return []any{}, nil
	}
	r := &request{typ: reqServerSideEmit, want: n - 1}
	err = a.ask(ctx, r, orderedMap{{"type", int64(reqServerSideEmit)}, {"data", data}})
	a.mu.Lock()
	answers := append([]any{}, r.answers...)
	a.mu.Unlock()
	return answers, err
}

func (a *Adapter) publishRequest(ctx context.Context, msg orderedMap) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("redisadapter: encoding a request: %w", err)
	}
	if err := a.rdb.Publish(ctx, a.requestChannel, b).Err(); err != nil {
		return fmt.Errorf("redisadapter: publishing a request: %w", err)
	}
	return nil
}

// roomOp does a room operation here and asks the other nodes to do it.
func (a *Adapter) roomOp(ctx context.Context, typ int, opts sio.BroadcastOptions, extra kv, here func()) error {
	here()
	if opts.Flags.Local {
		return nil
	}
	return a.publishRequest(ctx, orderedMap{
		{"uid", a.uid},
		{"type", int64(typ)},
		{"opts", orderedMap{{"rooms", nonNil(opts.Rooms)}, {"except", nonNil(opts.Except)}}},
		extra,
	})
}

// AddSockets implements sio.Adapter.
func (a *Adapter) AddSockets(ctx context.Context, opts sio.BroadcastOptions, rooms []string) error {
	return a.roomOp(ctx, reqRemoteJoin, opts, kv{"rooms", nonNil(rooms)}, func() { a.nsp.Local().AddSockets(opts, rooms) })
}

// DelSockets implements sio.Adapter.
func (a *Adapter) DelSockets(ctx context.Context, opts sio.BroadcastOptions, rooms []string) error {
	return a.roomOp(ctx, reqRemoteLeave, opts, kv{"rooms", nonNil(rooms)}, func() { a.nsp.Local().DelSockets(opts, rooms) })
}

// DisconnectSockets implements sio.Adapter.
func (a *Adapter) DisconnectSockets(ctx context.Context, opts sio.BroadcastOptions, close bool) error {
	return a.roomOp(ctx, reqRemoteDisconnect, opts, kv{"close", close}, func() { a.nsp.Local().DisconnectSockets(opts, close) })
}

// BroadcastWithAck implements sio.Adapter: the other nodes get a BROADCAST
// request in msgpack and answer with their client count and each
// acknowledgement, which reach onCount and onAck until opts.Flags.Timeout
// (the requests timeout when it is not set) has passed.
func (a *Adapter) BroadcastWithAck(ctx context.Context, p *parser.Packet, opts sio.BroadcastOptions, onCount func(int), onAck func(any)) error {
	var err error
	if !opts.Flags.Local {
		err = a.publishBroadcastWithAck(ctx, p, opts, onCount, onAck)
	}
	a.nsp.Local().BroadcastWithAck(p, opts, onCount, onAck)
	return err
}

func (a *Adapter) publishBroadcastWithAck(ctx context.Context, p *parser.Packet, opts sio.BroadcastOptions, onCount func(int), onAck func(any)) error {
	pkt, err := wirePacket(p)
	if err != nil {
		return err
	}
	id := randomID()
	msg, err := marshal(orderedMap{{"uid", a.uid}, {"requestId", id}, {"type", int64(reqBroadcast)}, {"packet", pkt}, {"opts", wireOpts(opts)}})
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.acks[id] = &ackRequest{onCount: onCount, onAck: onAck}
	a.mu.Unlock()
	wait := opts.Flags.Timeout
	if wait <= 0 {
		wait = a.timeout
	}
	time.AfterFunc(wait, func() {
		a.mu.Lock()
		delete(a.acks, id)
		a.mu.Unlock()
	})
	if err := a.rdb.Publish(ctx, a.requestChannel, msg).Err(); err != nil {
		return fmt.Errorf("redisadapter: publishing a broadcast: %w", err)
	}
	return nil
}

// ---- sockets of other nodes

// socketDetails is a socket as a REMOTE_FETCH answer carries it.
func socketDetails(s *sio.RemoteSocket) orderedMap {
	h := s.Handshake
	headers := map[string]any{}
	for k, v := range h.Headers {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	query := map[string]any{}
	for k, v := range h.Query {
		query[k] = v[0]
	}
	auth := map[string]any{}
	if h.Auth != nil {
		auth = h.Auth
	}
	hs := orderedMap{
		{"headers", headers},
		{"time", h.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)")},
		{"address", h.Address},
		{"xdomain", h.XDomain},
		{"secure", h.Secure},
		{"issued", h.Time.UnixMilli()},
		{"url", h.URL},
		{"query", query},
		{"auth", auth},
	}
	return orderedMap{{"id", s.ID}, {"handshake", hs}, {"rooms", nonNil(s.Rooms)}, {"data", s.Data}}
}

// remoteSocket reads a socket of a REMOTE_FETCH answer.
func (a *Adapter) remoteSocket(v any) *sio.RemoteSocket {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	id, _ := m["id"].(string)
	if id == "" {
		return nil
	}
	rooms, _ := stringsFrom(m["rooms"])
	hs := &sio.Handshake{Headers: http.Header{}, Query: url.Values{}, Auth: map[string]any{}}
	if h, ok := m["handshake"].(map[string]any); ok {
		if hd, ok := h["headers"].(map[string]any); ok {
			for k, v := range hd {
				hs.Headers.Set(k, fmt.Sprint(v))
			}
		}
		if q, ok := h["query"].(map[string]any); ok {
			for k, v := range q {
				hs.Query.Set(k, fmt.Sprint(v))
			}
		}
		hs.Address, _ = h["address"].(string)
		hs.URL, _ = h["url"].(string)
		hs.Secure, _ = h["secure"].(bool)
		hs.XDomain, _ = h["xdomain"].(bool)
		if ms, ok := toInt(h["issued"]); ok {
			hs.Time = time.UnixMilli(ms)
		}
		if au, ok := h["auth"].(map[string]any); ok {
			hs.Auth = au
			hs.RawAuth, _ = json.Marshal(au)
		}
	}
	return sio.NewRemoteSocket(a.nsp, id, hs, rooms, m["data"])
}
