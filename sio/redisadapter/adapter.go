package redisadapter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/parser"
)

// The request types the Node adapter numbers; the same numbers on the wire.
const (
	reqSockets              = 0
	reqAllRooms             = 1
	reqRemoteJoin           = 2
	reqRemoteLeave          = 3
	reqRemoteDisconnect     = 4
	reqRemoteFetch          = 5
	reqServerSideEmit       = 6
	reqBroadcast            = 7
	reqBroadcastClientCount = 8
	reqBroadcastAck         = 9
)

// Config sets up the adapters of one server. The zero value works.
type Config struct {
	// Key is the prefix of every channel. If empty, "socket.io" is used,
	// as in Node.
	Key string
	// RequestsTimeout is how long a request to the other nodes (fetch,
	// server-side emit with acks) waits for their answers. If zero, 5
	// seconds is used, as in Node.
	RequestsTimeout time.Duration
	// Logger receives what goes wrong on the channels: a malformed
	// message, a lost connection. If nil, slog.Default() is used.
	Logger *slog.Logger
}

// ErrRequestTimeout: not every node answered a request within
// Config.RequestsTimeout. The answers that came are returned with it.
var ErrRequestTimeout = errors.New("redisadapter: timeout reached while waiting for the other nodes")

// New returns the function to put in sio.Config.NewAdapter: each namespace
// gets an Adapter on client, which it uses to publish and to count the
// nodes, and a subscription of its own. client should be a *redis.Client
// (Pub/Sub is per connection; a cluster client would need the sharded
// mode, which this package does not have).
func New(client redis.UniversalClient, cfg Config) func(n *sio.Namespace) sio.Adapter {
	return func(n *sio.Namespace) sio.Adapter { return NewAdapter(n, client, cfg) }
}

// Adapter is the Redis adapter of one namespace. It keeps the namespace's
// rooms on this node in an embedded sio.MemoryAdapter and speaks to the
// other nodes in the classic Pub/Sub mode of @socket.io/redis-adapter 8:
//
//	<key>#<nsp>#          broadcasts (msgpack [uid, packet, opts])
//	<key>#<nsp>#<room>#   broadcasts to exactly one room
//	<key>-request#<nsp>#  requests (JSON; a broadcast with acks in msgpack)
//	<key>-response#<nsp># answers (JSON; an acknowledgement in msgpack)
//
// Methods may be called from any goroutine. Close ends its subscription.
type Adapter struct {
	*sio.MemoryAdapter

	nsp     *sio.Namespace
	rdb     redis.UniversalClient
	ps      *redis.PubSub
	log     *slog.Logger
	timeout time.Duration
	uid     string

	channel, requestChannel, responseChannel, specificResponseChannel string

	out  chan outMsg   // answers waiting for the publisher goroutine
	quit chan struct{} // closed by Close
	wg   sync.WaitGroup

	mu       sync.Mutex
	requests map[string]*request
	acks     map[string]*ackRequest
	closed   bool
}

// outMsg is a message for the publisher goroutine.
type outMsg struct {
	channel string
	payload []byte
}

// maxQueuedAnswers bounds the answers waiting to be published (counts and
// acknowledgements of broadcasts other nodes asked for): past it they are
// dropped and logged, and the asking node times out.
const maxQueuedAnswers = 4096

// NewAdapter makes the adapter of namespace n and subscribes to its
// channels. It waits up to the requests timeout for Redis to confirm the
// subscriptions; if Redis is not there, it logs it and goes on: the
// subscription is made when Redis comes back.
func NewAdapter(n *sio.Namespace, client redis.UniversalClient, cfg Config) *Adapter {
	key := cfg.Key
	if key == "" {
		key = "socket.io"
	}
	a := &Adapter{
		MemoryAdapter: sio.NewMemoryAdapter(),
		nsp:           n,
		rdb:           client,
		log:           cfg.Logger,
		timeout:       cfg.RequestsTimeout,
		uid:           randomID(),
		out:           make(chan outMsg, maxQueuedAnswers),
		quit:          make(chan struct{}),
		requests:      make(map[string]*request),
		acks:          make(map[string]*ackRequest),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.log = a.log.With("adapter", "redis", "nsp", n.Name())
	if a.timeout <= 0 {
		a.timeout = 5 * time.Second
	}
	a.channel = key + "#" + n.Name() + "#"
	a.requestChannel = key + "-request#" + n.Name() + "#"
	a.responseChannel = key + "-response#" + n.Name() + "#"
	a.specificResponseChannel = a.responseChannel + a.uid + "#"

	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	a.ps = client.PSubscribe(ctx, a.channel+"*")
	if err := a.ps.Subscribe(ctx, a.requestChannel, a.responseChannel, a.specificResponseChannel); err != nil {
		a.log.Warn("subscribing", "err", err)
	}
	// Wait for the four confirmations, so that this node counts in the
	// other nodes' PUBSUB NUMSUB once NewAdapter returns.
	for range 4 {
		if _, err := a.ps.Receive(ctx); err != nil {
			a.log.Warn("waiting for the subscriptions", "err", err)
			break
		}
	}
	msgs := a.ps.Channel(redis.WithChannelSize(1024))
	a.wg.Add(2)
	go a.receive(msgs)
	go a.publish()
	return a
}

func randomID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// UID returns the id that marks this node's messages.
func (a *Adapter) UID() string { return a.uid }

// Close ends the subscription and the adapter's goroutines; requests in
// flight end with their timeout.
func (a *Adapter) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	close(a.quit)
	err := a.ps.Close()
	a.wg.Wait()
	return err
}

// receive handles the subscription's messages, one at a time, in order.
// go-redis reconnects and subscribes again when the connection drops;
// what was published meanwhile is lost, as with Node.
func (a *Adapter) receive(msgs <-chan *redis.Message) {
	defer a.wg.Done()
	for m := range msgs {
		a.handle(m)
	}
}

func (a *Adapter) handle(m *redis.Message) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("panic handling a message", "channel", m.Channel, "panic", r)
		}
	}()
	var err error
	switch {
	case strings.HasPrefix(m.Channel, a.responseChannel):
		err = a.onResponse([]byte(m.Payload))
	case m.Channel == a.requestChannel:
		err = a.onRequest([]byte(m.Payload))
	case strings.HasPrefix(m.Channel, a.channel):
		err = a.onBroadcast(m.Channel, []byte(m.Payload))
	}
	if err != nil {
		a.log.Warn("skipping a malformed message", "channel", m.Channel, "err", err)
	}
}

// publish sends the queued answers, in order.
func (a *Adapter) publish() {
	defer a.wg.Done()
	for {
		select {
		case m := <-a.out:
			ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
			if err := a.rdb.Publish(ctx, m.channel, m.payload).Err(); err != nil {
				a.log.Warn("publishing an answer", "channel", m.channel, "err", err)
			}
			cancel()
		case <-a.quit:
			return
		}
	}
}

// answer queues a message for the publisher, without blocking.
func (a *Adapter) answer(channel string, payload []byte) {
	select {
	case a.out <- outMsg{channel, payload}:
	default:
		a.log.Warn("answer queue full: dropping an answer", "channel", channel)
	}
}

func (a *Adapter) answerJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log.Warn("encoding an answer", "err", err)
		return
	}
	a.answer(a.responseChannel, b)
}

// ---- broadcasts

// wireOpts is BroadcastOptions as the Node adapter sends them.
func wireOpts(opts sio.BroadcastOptions) orderedMap {
	flags := orderedMap{}
	if opts.Flags.Volatile {
		flags = append(flags, kv{"volatile", true})
	}
	if opts.Flags.Timeout > 0 {
		flags = append(flags, kv{"timeout", int64(opts.Flags.Timeout / time.Millisecond)})
	}
	return orderedMap{
		{"rooms", nonNil(opts.Rooms)},
		{"except", nonNil(dedup(opts.Except))},
		{"flags", flags},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dedup(s []string) []string {
	if len(s) < 2 {
		return s
	}
	out := make([]string, 0, len(s))
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// wirePacket is p as the Node adapter sends a packet: {type: 2, data:
// [event, ...args], nsp, id?}, with binary attachments back in place.
func wirePacket(p *parser.Packet) (orderedMap, error) {
	raw, err := parser.SplitArray(p.Data)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: packet data: %w", err)
	}
	data := make([]any, len(raw))
	for i, r := range raw {
		if data[i], err = parser.Value(r, p.Attachments); err != nil {
			return nil, fmt.Errorf("redisadapter: packet data: %w", err)
		}
	}
	// No id: as in Node, each node numbers its own acknowledgements.
	return orderedMap{{"type", int64(parser.Event)}, {"data", data}, {"nsp", p.Namespace}}, nil
}

// channelFor is where a broadcast to opts goes: the room's own channel when
// there is exactly one room, so that nodes without it can skip it.
func (a *Adapter) channelFor(opts sio.BroadcastOptions) string {
	if len(opts.Rooms) == 1 {
		return a.channel + opts.Rooms[0] + "#"
	}
	return a.channel
}

// Broadcast implements sio.Adapter: the packet is encoded once for Redis,
// published, and delivered to this node's sockets.
func (a *Adapter) Broadcast(ctx context.Context, p *parser.Packet, opts sio.BroadcastOptions) error {
	var err error
	if !opts.Flags.Local {
		err = a.publishBroadcast(ctx, p, opts)
	}
	a.nsp.Local().Broadcast(p, opts)
	return err
}

func (a *Adapter) publishBroadcast(ctx context.Context, p *parser.Packet, opts sio.BroadcastOptions) error {
	pkt, err := wirePacket(p)
	if err != nil {
		return err
	}
	msg, err := marshal([]any{a.uid, pkt, wireOpts(opts)})
	if err != nil {
		return err
	}
	if err := a.rdb.Publish(ctx, a.channelFor(opts), msg).Err(); err != nil {
		return fmt.Errorf("redisadapter: publishing a broadcast: %w", err)
	}
	return nil
}

// onBroadcast delivers another node's broadcast to this node's sockets.
func (a *Adapter) onBroadcast(channel string, payload []byte) error {
	room := strings.TrimSuffix(channel[len(a.channel):], "#")
	if room != "" && !a.hasRoom(room) {
		return nil // no socket of this node is in the room
	}
	v, err := unmarshal(payload)
	if err != nil {
		return err
	}
	msg, ok := v.([]any)
	if !ok || len(msg) < 3 {
		return errors.New("broadcast is not [uid, packet, opts]")
	}
	if uid, _ := msg[0].(string); uid == a.uid {
		return nil
	}
	p, err := a.packetFrom(msg[1])
	if err != nil || p == nil {
		return err
	}
	opts, err := optsFrom(msg[2])
	if err != nil {
		return err
	}
	opts.Flags.Local = true
	a.nsp.Local().Broadcast(p, opts)
	return nil
}

func (a *Adapter) hasRoom(room string) bool {
	// One lookup for the room's sockets would be cheaper; Rooms is sorted.
	_, found := slices.BinarySearch(a.Rooms(), room)
	return found
}

// packetFrom turns a packet as Node sends it into one for this namespace;
// it returns nil, nil for a packet of another namespace.
func (a *Adapter) packetFrom(v any) (*parser.Packet, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("packet is not an object")
	}
	nsp := "/"
	if s, ok := m["nsp"].(string); ok {
		nsp = s
	}
	if nsp != a.nsp.Name() {
		return nil, nil
	}
	data, ok := m["data"].([]any)
	if !ok || len(data) == 0 {
		return nil, errors.New("packet data is not [event, ...args]")
	}
	event, ok := data[0].(string)
	if !ok {
		return nil, errors.New("packet event name is not a string")
	}
	payload, atts, err := parser.MarshalEvent(event, data[1:])
	if err != nil {
		return nil, err
	}
	p := &parser.Packet{Type: parser.Event, Namespace: nsp, Data: payload, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryEvent
	}
	if id, ok := toInt(m["id"]); ok {
		p.HasID, p.ID = true, uint64(id)
	}
	return p, nil
}

// optsFrom reads {rooms, except, flags}.
func optsFrom(v any) (sio.BroadcastOptions, error) {
	var opts sio.BroadcastOptions
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return opts, nil
		}
		return opts, errors.New("opts is not an object")
	}
	var err error
	if opts.Rooms, err = stringsFrom(m["rooms"]); err != nil {
		return opts, fmt.Errorf("rooms: %w", err)
	}
	if opts.Except, err = stringsFrom(m["except"]); err != nil {
		return opts, fmt.Errorf("except: %w", err)
	}
	if f, ok := m["flags"].(map[string]any); ok {
		opts.Flags.Volatile, _ = f["volatile"].(bool)
		if ms, ok := toInt(f["timeout"]); ok && ms > 0 {
			opts.Flags.Timeout = time.Duration(ms) * time.Millisecond
		}
	}
	return opts, nil
}

// stringsFrom reads an array of room names; a number stands for its
// decimal form, as a room name is a string or a number in Node.
func stringsFrom(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, errors.New("not an array")
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case int64, uint64, float64:
			out = append(out, fmt.Sprint(x))
		default:
			return nil, fmt.Errorf("room name %T", x)
		}
	}
	return out, nil
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case uint64:
		return int64(v), true
	case float64:
		return int64(v), v == float64(int64(v))
	case json.Number:
		i, err := v.Int64()
		return i, err == nil
	}
	return 0, false
}
