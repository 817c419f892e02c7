package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
)

// scenario is one behaviour of the client, checked against a server that
// implements the fixture contract. Most mirror a scenario of
// interop/node/scenarios.mjs, where the official client checks the same.
type scenario struct {
	name   string
	serial bool // restarts the shared server: must run alone
	drops  int  // connection drops the scenario provokes (see runScenario)
	run    func(t tb, srv *target)
}

var scenarios = []scenario{
	{name: "connect-default", run: connectDefault},
	{name: "polling-only", run: func(t tb, srv *target) { onlyTransport(t, srv, client.TransportPolling) }},
	{name: "websocket-only", run: func(t tb, srv *target) { onlyTransport(t, srv, client.TransportWebSocket) }},
	{name: "events-mixed-args", run: eventsMixedArgs},
	{name: "acks-client-to-server", run: acksClientToServer},
	{name: "acks-server-to-client", run: acksServerToClient},
	{name: "emit-with-ack-timeout", run: emitWithAckTimeout},
	{name: "binary-both-ways", run: binaryBothWays},
	{name: "namespaces-multiplexed", run: namespacesMultiplexed},
	{name: "invalid-namespace", run: invalidNamespace},
	{name: "middleware-rejection", run: middlewareRejection},
	{name: "dynamic-namespaces", run: dynamicNamespaces},
	{name: "server-disconnect", run: serverDisconnect},
	{name: "server-close", run: serverClose},
	{name: "client-disconnect", run: clientDisconnect},
	{name: "reconnect-after-restart", serial: true, drops: 1, run: reconnectAfterRestart},
	{name: "ping-timeout", drops: 2, run: pingTimeout},
	{name: "upgrade-no-loss", run: upgradeNoLoss},
	{name: "emit-buffering", run: emitBuffering},
	{name: "handler-may-block", run: handlerMayBlock},
	{name: "handshake-details", run: handshakeDetails},
	{name: "oversized-message", drops: 2, run: oversizedMessage},
}

// TestScenarios runs every scenario against our Go fixture and against the
// official Node socket.io fixture: the same client code must pass both. The
// scenarios of one server run in parallel, one server after the other (the
// fixtures' 300 ms heartbeat does not like a starved CPU).
func TestScenarios(t *testing.T) {
	for _, kind := range servers {
		t.Run(kind, func(t *testing.T) {
			srv := startServer(t, kind)
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					if !sc.serial {
						t.Parallel()
					}
					runScenario(t, sc, srv)
				})
			}
		})
	}
}

var eachTransport = [][]string{{client.TransportPolling}, {client.TransportWebSocket}}

func connectDefault(t tb, srv *target) {
	s, r := dial(t, srv.url, "/", client.Options{})
	r.connected()
	equal(t, "auth without a CONNECT payload", r.next1("auth"), map[string]any{})
	// The connection opened over polling (the default), then upgraded.
	if up := r.next1("manager:upgrade"); up != client.TransportWebSocket {
		t.Fatalf("upgrade to %v, want websocket", up)
	}
	if tr := s.Manager().Engine().Transport(); tr != client.TransportWebSocket {
		t.Fatalf("transport after the upgrade: %q", tr)
	}
	equal(t, "echo after upgrade", ack1(t, s, "echo", "after upgrade ✓"), "after upgrade ✓")
	s.Emit("message", "m", 1)
	equal(t, "message-back", r.next("message-back", wait), []any{"m", float64(1)})
}

func onlyTransport(t tb, srv *target, transport string) {
	s, r := dial(t, srv.url, "/", client.Options{Transports: []string{transport}})
	r.connected()
	if tr := s.Manager().Engine().Transport(); tr != transport {
		t.Fatalf("transport %q, want %q", tr, transport)
	}
	equal(t, "auth", r.next1("auth"), map[string]any{})
	equal(t, "echo", ack1(t, s, "echo", "one"), "one")
	s.Emit("message", "hi", map[string]any{"n": 1})
	equal(t, "message-back", r.next("message-back", wait), []any{"hi", map[string]any{"n": float64(1)}})
	r.next("manager:ping", wait)
	r.next("manager:ping", wait)
	time.Sleep(1400 * time.Millisecond) // longer than pingInterval + pingTimeout
	if !s.Connected() || r.count("disconnect") != 0 {
		t.Fatalf("disconnected during a heartbeat cycle: %v %v", r.names(), r.seenArgs("disconnect"))
	}
	if eng := s.Manager().Engine(); eng == nil || eng.Transport() != transport {
		t.Fatalf("engine %v, events %v %v", eng, r.names(), r.seenArgs("disconnect"))
	}
	equal(t, "echo", ack1(t, s, "echo", "two"), "two")
}

func eventsMixedArgs(t tb, srv *target) {
	nested := map[string]any{"a": 1.0, "b": map[string]any{"c": []any{1.0, "two", nil, map[string]any{"d": false}}},
		"ключ": "значение", "🔑": "🗝", "e": map[string]any{}}
	var deep any = map[string]any{"leaf": "bottom"}
	for i := 0; i < 20; i++ {
		deep = map[string]any{"level": float64(i), "child": deep, "list": []any{float64(i)}}
	}
	cases := [][]any{
		{1.0, -2.5, 0.0, 9007199254740991.0, -9007199254740991.0, 1.5e-7, 1e21, 3.141592653589793},
		{"plain", "héllo wörld", "日本語テキスト", "emoji 😀👍🏽🇫🇷👨‍👩‍👧", "", "q \" \\ / \n\t\r\b\f", "\u0000\u001e\u001f\u2028\u2029"},
		{nil, true, false, nil},
		{nested, []any{[]any{}, map[string]any{}, []any{1.0, []any{2.0, []any{3.0, []any{4.0}}}}}, deep},
		{},
		{"single"},
		{map[string]any{"only": "object"}},
		{strings.Repeat("é", 1500) + strings.Repeat("😀", 200)},
		{0.0, "0", false, "", nil, []any{}, map[string]any{}},
	}
	for _, transports := range eachTransport {
		s, r := dial(t, srv.url, "/", client.Options{Transports: transports})
		r.connected()
		for _, args := range cases {
			s.Emit("message", args...)
			equal(t, "message-back over "+transports[0], r.next("message-back", wait), args)
		}
		s.Disconnect()
	}
}

func acksClientToServer(t tb, srv *target) {
	for _, transports := range eachTransport {
		s, r := dial(t, srv.url, "/", client.Options{Transports: transports})
		r.connected()
		equal(t, "several", ack(t, s, "message-with-ack", 1, "2", map[string]any{"3": []any{false}}),
			[]any{1.0, "2", map[string]any{"3": []any{false}}})
		equal(t, "none", ack(t, s, "message-with-ack"), []any{})
		equal(t, "null", ack(t, s, "message-with-ack", nil), []any{nil})
		obj := map[string]any{"text": "zoë 😀", "list": []any{1.0, []any{2.0, map[string]any{"three": 3.0}}}, "t": true}
		equal(t, "nested", ack(t, s, "message-with-ack", obj, "x"), []any{obj, "x"})
		equal(t, "echo acks its first arg only", ack(t, s, "echo", obj, "ignored", 2), []any{obj})

		// An AckFunc as the last argument of Emit.
		got := make(chan []any, 1)
		s.Timeout(wait).Emit("echo", 42, client.AckFunc(func(args []any, err error) {
			if err != nil {
				t.Error(err)
			}
			got <- args
		}))
		select {
		case args := <-got:
			equal(t, "AckFunc", args, []any{42.0})
		case <-time.After(wait):
			t.Fatal("AckFunc not called")
		}

		// 20 concurrent acks, each matched by its id.
		var wg sync.WaitGroup
		res := make([]any, 20)
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := s.Timeout(wait).EmitWithAck(context.Background(), "echo", map[string]any{"i": i})
				if err != nil {
					t.Error(err)
					return
				}
				res[i] = out[0]
			}()
		}
		wg.Wait()
		for i, v := range res {
			equal(t, fmt.Sprint("ack ", i), v, map[string]any{"i": float64(i)})
		}
		s.Disconnect()
	}
}

func acksServerToClient(t tb, srv *target) {
	s, r := dial(t, srv.url, "/", client.Options{})
	var mu sync.Mutex
	var received []any
	s.On("question", func(e *client.Event) {
		mu.Lock()
		received = append(received, e.Arg(0))
		mu.Unlock()
		if !e.HasAck() {
			t.Error("the server did not ask for an ack")
		}
		if err := e.Ack(map[string]any{"answer": e.Arg(0), "from": "client"}); err != nil {
			t.Error(err)
		}
		if err := e.Ack("twice"); !errors.Is(err, client.ErrAckSent) {
			t.Errorf("second Ack: %v, want ErrAckSent", err)
		}
	})
	r.connected()
	// The last value makes the client answer with a BINARY_ACK.
	values := []any{"hello", map[string]any{"x": []any{1.0, 2.0}, "s": "ünï"}, map[string]any{"bin": []byte{1, 2, 3}}}
	for _, v := range values {
		s.Emit("ask", v)
		equal(t, "answer", r.next1("answer"), map[string]any{"answer": v, "from": "client"})
	}
	mu.Lock()
	defer mu.Unlock()
	equal(t, "questions received", received, values)
}

func emitWithAckTimeout(t tb, srv *target) {
	s, r := dial(t, srv.url, "/", client.Options{})
	silent := make(chan *client.Event, 2)
	s.On("question-silent", func(e *client.Event) { silent <- e })
	r.connected()

	t0 := time.Now()
	_, err := s.Timeout(200*time.Millisecond).EmitWithAck(context.Background(), "no-such-event", 1)
	took := time.Since(t0)
	if !errors.Is(err, client.ErrAckTimeout) || err.Error() != "operation has timed out" {
		t.Fatalf("err = %v, want operation has timed out", err)
	}
	if took < 190*time.Millisecond {
		t.Fatalf("client ack timeout took %v, want ~200ms", took)
	}
	// The same with a context deadline, and with an AckFunc.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "no-such-event"); !errors.Is(err, client.ErrAckTimeout) {
		t.Fatalf("ctx deadline: %v", err)
	}
	errc := make(chan error, 1)
	s.Timeout(100*time.Millisecond).Emit("no-such-event", client.AckFunc(func(_ []any, err error) { errc <- err }))
	if err := <-errc; !errors.Is(err, client.ErrAckTimeout) {
		t.Fatalf("AckFunc: %v", err)
	}

	s.Emit("ask-silent")
	equal(t, "server ack timeout", r.next1("answer"), "operation has timed out")
	select {
	case e := <-silent:
		if e.Len() != 0 || !e.HasAck() {
			t.Fatalf("question-silent: %d args, HasAck %v", e.Len(), e.HasAck())
		}
	default:
		t.Fatal("question-silent not received")
	}
	equal(t, "still alive", ack1(t, s, "echo", "still alive"), "still alive")
}

func binaryBothWays(t tb, srv *target) {
	random := make([]byte, 1024)
	rand.Read(random)
	args := []any{
		[]byte{1, 2, 3},
		map[string]any{"nested": map[string]any{"deep": []byte("héllo")}, "arr": []any{[]byte{0}, "text", 5.0}, "n": nil},
		[]any{[]byte{}, random, []any{[]byte{255, 254}}},
		"plain text",
		42.0,
	}
	for _, transports := range eachTransport {
		s, r := dial(t, srv.url, "/", client.Options{Transports: transports})
		r.connected()
		s.Emit("message", args...)
		equal(t, "message-back over "+transports[0], r.next("message-back", wait), args)
		equal(t, "message-with-ack over "+transports[0], ack(t, s, "message-with-ack", args...), args)
		s.Emit("message", random)
		equal(t, "single binary arg", r.next("message-back", wait), []any{random})
		equal(t, "get-binary over "+transports[0], ack(t, s, "get-binary"),
			[]any{[]byte{1, 2, 3}, map[string]any{"nested": map[string]any{"data": []byte{4, 5}}, "list": []any{[]byte{6}}}})
		// Bind decodes attachments into []byte fields.
		var got struct {
			Nested struct{ Data []byte } `json:"nested"`
		}
		done := make(chan error, 1)
		s.Once("message-back", func(e *client.Event) { done <- e.Bind(nil, &got) })
		s.Emit("message", 0, map[string]any{"nested": map[string]any{"data": []byte{9, 8}}})
		if err := <-done; err != nil || !bytes.Equal(got.Nested.Data, []byte{9, 8}) {
			t.Fatalf("Bind: %v %v", err, got)
		}
		s.Disconnect()
	}
}

func namespacesMultiplexed(t tb, srv *target) {
	// No ForceNew: the Manager of the server is shared.
	opts := client.Options{ReconnectionDelay: 100 * time.Millisecond, Timeout: wait, NoAutoConnect: true}
	opts.Auth = map[string]any{"who": "main"}
	a, err := client.New(srv.url, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Auth = map[string]any{"who": "custom"}
	b, err := client.New(srv.url+"/custom", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Manager().Close)
	if a.Manager() != b.Manager() {
		t.Fatal("two Managers for one server")
	}
	ra, rb := record(t, a), record(t, b)
	a.Connect()
	b.Connect()
	idA, idB := ra.connected(), rb.connected()
	if idA == idB {
		t.Fatal("one socket id for two namespaces")
	}
	equal(t, "auth of /", ra.next1("auth"), map[string]any{"who": "main"})
	equal(t, "auth of /custom", rb.next1("auth"), map[string]any{"who": "custom"})
	engineID := a.Manager().Engine().ID()

	b.Disconnect()
	equal(t, "/custom reason", rb.next1("disconnect"), "io client disconnect")
	equal(t, "echo on /", ack1(t, a, "echo", "main still here"), "main still here")
	if id := a.Manager().Engine().ID(); id != engineID {
		t.Fatalf("engine changed after leaving /custom: %s, was %s", id, engineID)
	}
	b.Connect()
	rb.connected()
	equal(t, "auth of /custom again", rb.next1("auth"), map[string]any{"who": "custom"})
	if id := a.Manager().Engine().ID(); id != engineID {
		t.Fatalf("/custom rejoined on another engine")
	}
	if n := ra.count("disconnect"); n != 0 {
		t.Fatalf("/ disconnected %d times", n)
	}
	// A third New for "/" gets a Manager of its own (the namespace is taken).
	c, _ := client.New(srv.url, client.Options{NoAutoConnect: true})
	if c.Manager() == a.Manager() {
		t.Fatal("New reused a Manager whose namespace is taken")
	}
}

func invalidNamespace(t tb, srv *target) {
	a, r := dial(t, srv.url, "/nope", client.Options{})
	ce := r.next1("connect_error").(*client.ConnectError)
	if ce.Message != "Invalid namespace" || ce.Err != nil {
		t.Fatalf("connect_error %+v", ce)
	}
	if a.Active() {
		t.Fatal("active after a CONNECT_ERROR: it would retry")
	}
	// On a shared Manager the refusal leaves the connection open.
	m := client.NewManager(srv.url, quick(client.Options{}))
	t.Cleanup(m.Close)
	bad := m.Socket("/nope", client.SocketOptions{})
	good := m.Socket("/", client.SocketOptions{})
	rbad, rgood := record(t, bad), record(t, good)
	bad.Connect()
	good.Connect()
	if msg := rbad.next1("connect_error").(*client.ConnectError).Message; msg != "Invalid namespace" {
		t.Fatalf("shared: %q", msg)
	}
	rgood.connected()
	equal(t, "echo", ack1(t, good, "echo", "ok"), "ok")
	// ConnectContext reports the refusal.
	err := bad.ConnectContext(context.Background())
	var ce2 *client.ConnectError
	if !errors.As(err, &ce2) || ce2.Message != "Invalid namespace" {
		t.Fatalf("ConnectContext: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	if r.count("connect")+rbad.count("connect") != 0 || rgood.count("disconnect") != 0 {
		t.Fatalf("refused sockets connected, or / was disturbed: %v %v", rbad.names(), rgood.names())
	}
	// Connect reports it too, and leaves nothing behind.
	if _, err := client.Connect(context.Background(), srv.url+"/nope", quick(client.Options{})); !errors.As(err, &ce2) {
		t.Fatalf("Connect: %v", err)
	}
}

func middlewareRejection(t tb, srv *target) {
	a, r := dial(t, srv.url, "/admin", client.Options{})
	ce := r.next1("connect_error").(*client.ConnectError)
	if ce.Message != "not authorized" {
		t.Fatalf("message %q", ce.Message)
	}
	equal(t, "data", ce.Data, map[string]any{"reason": "bad token"})
	if a.Active() {
		t.Fatal("active after a middleware refusal")
	}
	a.SetAuth(map[string]any{"token": "secret"})
	a.Connect()
	r.connected()
	equal(t, "welcome", r.next1("welcome"), "admin")

	_, wrong := dial(t, srv.url, "/admin", client.Options{Auth: map[string]any{"token": "nope"}})
	ce = wrong.next1("connect_error").(*client.ConnectError)
	if ce.Message != "not authorized" {
		t.Fatalf("wrong token: %q", ce.Message)
	}
	equal(t, "data", ce.Data, map[string]any{"reason": "bad token"})

	// Auth as a function, as a struct.
	calls := 0
	_, fn := dial(t, srv.url, "/admin", client.Options{Auth: func() any { calls++; return map[string]string{"token": "secret"} }})
	fn.connected()
	equal(t, "welcome", fn.next1("welcome"), "admin")
	if calls != 1 {
		t.Fatalf("auth func called %d times", calls)
	}
	type creds struct {
		Token string `json:"token"`
	}
	_, st := dial(t, srv.url, "/admin", client.Options{Auth: creds{"secret"}})
	st.connected()
	equal(t, "welcome", st.next1("welcome"), "admin")
}

func dynamicNamespaces(t tb, srv *target) {
	for _, nsp := range []string{"/dyn-abc1", "/dyn-zz9"} {
		_, r := dial(t, srv.url, nsp, client.Options{})
		r.connected()
		equal(t, "nsp", r.next1("nsp"), nsp)
	}
	for _, nsp := range []string{"/dyn-ABC", "/dyn-"} {
		_, r := dial(t, srv.url, nsp, client.Options{})
		if msg := r.next1("connect_error").(*client.ConnectError).Message; msg != "Invalid namespace" {
			t.Fatalf("%s: %q", nsp, msg)
		}
	}
}

func serverDisconnect(t tb, srv *target) {
	m := client.NewManager(srv.url, quick(client.Options{}))
	t.Cleanup(m.Close)
	a, side := m.Socket("/", client.SocketOptions{}), m.Socket("/custom", client.SocketOptions{})
	ra, rside := record(t, a), record(t, side)
	a.Connect()
	side.Connect()
	obs, robs := dial(t, srv.url, "/", client.Options{})
	id := ra.connected()
	rside.connected()
	robs.connected()
	a.Emit("server-disconnect")
	equal(t, "reason", ra.next1("disconnect"), "io server disconnect")
	if a.Active() {
		t.Fatal("active after io server disconnect")
	}
	time.Sleep(500 * time.Millisecond)
	if ra.count("connect") != 1 || ra.count("manager:reconnect_attempt") != 0 {
		t.Fatalf("reconnected: %v", ra.names())
	}
	if rside.count("disconnect") != 0 || !side.Connected() {
		t.Fatal("/custom on the same engine was disconnected")
	}
	equal(t, "server reason", reasonOf(t, obs, id), "server namespace disconnect")
}

func serverClose(t tb, srv *target) {
	m := client.NewManager(srv.url, quick(client.Options{}))
	t.Cleanup(m.Close)
	a, side := m.Socket("/", client.SocketOptions{}), m.Socket("/custom", client.SocketOptions{})
	ra, rside := record(t, a), record(t, side)
	a.Connect()
	side.Connect()
	obs, robs := dial(t, srv.url, "/", client.Options{})
	id := ra.connected()
	rside.connected()
	robs.connected()
	a.Emit("server-close")
	equal(t, "reason", ra.next1("disconnect"), "io server disconnect")
	equal(t, "/custom reason", rside.next1("disconnect"), "io server disconnect")
	if a.Active() || side.Active() {
		t.Fatal("active after io server disconnect")
	}
	time.Sleep(500 * time.Millisecond)
	if ra.count("connect") != 1 || rside.count("connect") != 1 {
		t.Fatalf("reconnected: %v", ra.names())
	}
	equal(t, "server reason", reasonOf(t, obs, id), "server namespace disconnect")
}

func clientDisconnect(t tb, srv *target) {
	a, r := dial(t, srv.url, "/", client.Options{})
	obs, robs := dial(t, srv.url, "/", client.Options{})
	id := r.connected()
	robs.connected()
	// An acknowledgement pending at disconnect fails.
	errc := make(chan error, 1)
	a.Emit("no-such-event", client.AckFunc(func(_ []any, err error) { errc <- err }))
	a.Disconnect()
	equal(t, "reason", r.next1("disconnect"), "io client disconnect")
	if a.Active() || a.Connected() || a.ID() != "" {
		t.Fatal("still active or connected after Disconnect")
	}
	if err := <-errc; !errors.Is(err, client.ErrDisconnected) || err.Error() != "socket has been disconnected" {
		t.Fatalf("pending ack: %v", err)
	}
	equal(t, "server reason", reasonOf(t, obs, id), "client namespace disconnect")
	// The Manager closed its connection, its last socket gone.
	equal(t, "manager close", r.next1("manager:close"), "forced close")
	if a.Manager().Engine() != nil {
		t.Fatal("engine still open")
	}
}

func reconnectAfterRestart(t tb, srv *target) {
	s, r := dial(t, srv.url, "/", client.Options{RandomizationFactor: -1})
	oldID := r.connected()
	equal(t, "echo before", ack1(t, s, "echo", "before"), "before")
	srv.restart(t)
	reason := r.next1("disconnect").(string)
	t.Logf("disconnect reason on restart: %s (manager errors: %v)", reason, r.seenArgs("manager:error"))
	if !client.Reason(reason).Reconnects() {
		t.Fatalf("reason %q is not one the client reconnects after", reason)
	}
	// Emitted while disconnected: buffered, sent after reconnecting.
	pending := make(chan error, 1)
	s.Emit("echo", "buffered", client.AckFunc(func(args []any, err error) {
		if err == nil && (len(args) != 1 || args[0] != "buffered") {
			err = fmt.Errorf("ack %v", args)
		}
		pending <- err
	}))
	r.next("connect", 5*time.Second)
	if err := <-pending; err != nil {
		// Under heavy load the client may reach the old server while it shuts
		// down, and lose that connection too; then the ack fails.
		if !errors.Is(err, client.ErrDisconnected) || r.count("manager:reconnect") < 2 {
			t.Fatalf("buffered emit: %v", err)
		}
	}
	eventually(t, "a stable new connection", 5*time.Second, func() bool {
		id := s.ID()
		if id == "" || id == oldID {
			return false
		}
		v, err := s.Timeout(wait).EmitWithAck(context.Background(), "echo", "after")
		return err == nil && v[0] == "after"
	})
	// Events reach the recorder through the Manager's handler goroutine,
	// acks on the reader: the "auth" sent before that ack may still be
	// on its way to r.
	eventually(t, "auth again after reconnecting", 5*time.Second, func() bool { return r.count("auth") >= 2 })

	// The Manager's events of the last reconnection, in order: close (after
	// an error for "transport error"), the socket's disconnect, then
	// reconnect_attempt 1..n with error and reconnect_error after each failed
	// attempt, then open, reconnect n, and the socket's connect.
	var seq []recEvent
	for _, e := range r.events() {
		if strings.HasPrefix(e.name, "manager:") && e.name != "manager:ping" && e.name != "manager:upgrade" || e.name == "connect" || e.name == "disconnect" {
			seq = append(seq, e)
		}
	}
	last := 0
	for i, e := range seq {
		if e.name == "manager:close" {
			last = i
		}
	}
	seq = seq[last:]
	names := make([]string, len(seq))
	for i, e := range seq {
		names[i] = e.name
	}
	if len(seq) > 1 && seq[1].name == "disconnect" {
		seq = append(seq[:1], seq[2:]...)
	}
	bad := func() { t.Fatalf("Manager events of the last reconnection: %v", names) }
	if len(seq) < 5 || seq[1].name != "manager:reconnect_attempt" {
		bad()
	}
	at := func(i int) string {
		if i < len(seq) {
			return seq[i].name
		}
		return ""
	}
	attempt, i := 0, 1
	for at(i) == "manager:reconnect_attempt" {
		attempt++
		if seq[i].args[0] != attempt {
			bad()
		}
		if at(i+1) == "manager:open" {
			i++
			break
		}
		if at(i+1) != "manager:error" || at(i+2) != "manager:reconnect_error" {
			bad()
		}
		i += 3
	}
	if at(i) != "manager:open" || at(i+1) != "manager:reconnect" || seq[i+1].args[0] != attempt || at(i+2) != "connect" {
		bad()
	}
	t.Logf("reconnected after %d attempts: %v", attempt, names)
}

func pingTimeout(t tb, srv *target) {
	for _, transports := range eachTransport {
		p := startProxy(t, srv.url)
		s, r := dial(t, p.URL(), "/", client.Options{Transports: transports})
		r.connected()
		r.next("manager:ping", wait)
		p.freeze()
		frozen := time.Now()
		ev := r.nextEvent("disconnect", wait)
		equal(t, "reason over "+transports[0], ev.args[0], "ping timeout")
		if took := ev.at.Sub(frozen); took > 2300*time.Millisecond {
			t.Fatalf("ping timeout after %v, want about pingInterval+pingTimeout (1300ms)", took)
		}
		equal(t, "manager close", r.next1("manager:close"), "ping timeout")
		r.next("connect", wait) // reconnected through new connections
		equal(t, "echo", ack1(t, s, "echo", "back"), "back")
		s.Manager().Close()
	}
}

func upgradeNoLoss(t tb, srv *target) {
	const n = 300
	// Start emitting before the connection opens and keep going through
	// the upgrade: every message must come back once, in order.
	s, r := dial(t, srv.url, "/", client.Options{})
	got := make(chan float64, n)
	s.On("message-back", func(e *client.Event) { got <- e.Arg(0).(float64) })
	go func() {
		for i := 0; i < n; i++ {
			s.Emit("message", i)
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	for i := 0; i < n; i++ {
		select {
		case v := <-got:
			if v != float64(i) {
				t.Fatalf("message %d came back as %v", i, v)
			}
		case <-time.After(wait):
			t.Fatalf("message %d never came back; seen %v", i, r.names())
		}
	}
	r.next1("manager:upgrade")
	select {
	case v := <-got:
		t.Fatalf("extra message %v", v)
	case <-time.After(100 * time.Millisecond):
	}
}

func emitBuffering(t tb, srv *target) {
	s, err := client.New(srv.url, quick(client.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Manager().Close)
	r := record(t, s)
	// Emitted before connecting: kept, then sent in order once connected.
	ackc := make(chan []any, 1)
	s.Emit("message", "first")
	s.Emit("echo", "acked", client.AckFunc(func(args []any, err error) { ackc <- args }))
	s.Emit("message", "second")
	// A volatile emit while disconnected is dropped.
	s.Volatile().Emit("message", "volatile")
	// An EmitWithAck that gives up is never sent.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	if _, err := s.EmitWithAck(ctx, "message", "given up"); !errors.Is(err, client.ErrAckTimeout) {
		t.Fatalf("EmitWithAck while disconnected: %v", err)
	}
	cancel()
	if err := s.ConnectContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	equal(t, "first", r.next("message-back", wait), []any{"first"})
	equal(t, "second", r.next("message-back", wait), []any{"second"})
	equal(t, "ack of a buffered emit", <-ackc, []any{"acked"})
	s.Emit("message", "barrier")
	equal(t, "barrier", r.next("message-back", wait), []any{"barrier"})
	if n := r.count("message-back"); n != 3 {
		t.Fatalf("%d message-back, want 3 (volatile and given-up emits dropped): %v", n, r.names())
	}
	if err := s.Emit("disconnect"); !errors.Is(err, client.ErrReservedEvent) {
		t.Fatalf("reserved name: %v", err)
	}
}

func handlerMayBlock(t tb, srv *target) {
	quiet := slog.New(slog.DiscardHandler) // the panic below is logged there
	s, r := dial(t, srv.url, "/", client.Options{Logger: quiet})
	res := make(chan any, 1)
	// A handler waits for an acknowledgement: the handler goroutine is not
	// the one reading the network.
	s.On("auth", func(e *client.Event) {
		out, err := e.Socket.Timeout(wait).EmitWithAck(context.Background(), "echo", "from a handler")
		if err != nil {
			res <- err
			return
		}
		res <- out[0]
	})
	r.connected()
	select {
	case v := <-res:
		equal(t, "ack inside a handler", v, "from a handler")
	case <-time.After(wait):
		t.Fatal("EmitWithAck inside a handler never returned")
	}
	// A panicking handler does not break the client.
	s.On("message-back", func(e *client.Event) { panic("boom (expected by the test)") })
	s.Emit("message", 1)
	r.next("message-back", wait)
	equal(t, "after a panic", ack1(t, s, "echo", "fine"), "fine")
}

func handshakeDetails(t tb, srv *target) {
	for _, transports := range eachTransport {
		s, r := dial(t, srv.url+"/?foo=bar", "", client.Options{
			Transports: transports,
			Query:      url.Values{"ünï": {"cödé"}},
			Header:     http.Header{"X-Test": {"1"}},
		})
		r.connected()
		h := ack1(t, s, "handshake").(map[string]any)
		q := h["query"].(map[string]any)
		if q["foo"] != "bar" || q["ünï"] != "cödé" || q["EIO"] != "4" || q["transport"] != transports[0] {
			t.Fatalf("query %v", q)
		}
		equal(t, "headers", h["headers"], map[string]any{"x-test": "1"})
		if a := h["address"]; a != "127.0.0.1" && a != "::ffff:127.0.0.1" && a != "::1" {
			t.Fatalf("address %v", a)
		}
		s.Disconnect()
	}
}

func oversizedMessage(t tb, srv *target) {
	want := map[string][]string{
		client.TransportWebSocket: {"transport close"},
		client.TransportPolling:   {"transport close", "transport error"},
	}
	obs, robs := dial(t, srv.url, "/", client.Options{})
	robs.connected()
	for _, transports := range eachTransport {
		s, r := dial(t, srv.url, "/", client.Options{Transports: transports})
		id := r.connected()
		s.Emit("message", strings.Repeat("x", 20000))
		reason := r.next1("disconnect").(string)
		if !slices.Contains(want[transports[0]], reason) {
			t.Fatalf("reason %q over %s, want one of %v", reason, transports[0], want[transports[0]])
		}
		r.next("connect", wait)
		if s.ID() == id {
			t.Fatal("same id after reconnecting")
		}
		equal(t, "echo", ack1(t, s, "echo", "back"), "back")
		equal(t, "server reason", reasonOf(t, obs, id), "transport error")
		s.Disconnect()
	}
	if robs.count("disconnect") != 0 {
		t.Fatal("the observer was disconnected")
	}
}
