package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/admin"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/engine"
)

// wait bounds every wait of these tests; it is long because the machine is
// shared, and no test waits for it unless something is wrong.
const wait = 20 * time.Second

// server is a sio server with an Admin, served over HTTP for the test.
type server struct {
	io  *sio.Server
	adm *admin.Admin
	url string
}

func start(t *testing.T, opts admin.Options) *server {
	t.Helper()
	if opts.StatsInterval == 0 {
		opts.StatsInterval = 50 * time.Millisecond
	}
	adm, err := admin.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	io := sio.NewServer(adm.Config(sio.Config{}))
	if err := adm.Attach(io); err != nil {
		t.Fatal(err)
	}
	// The tests' own handler on the UI's namespace: "barrier" is
	// acknowledged once the UI's events before it have been handled.
	io.Of("/admin").OnConnection(func(s *sio.Socket) {
		s.On("barrier", func(e *sio.Event) { _ = e.Ack() })
	})
	hs := httptest.NewServer(io)
	t.Cleanup(func() {
		adm.Close()
		io.Close()
		hs.Close()
	})
	return &server{io: io, adm: adm, url: hs.URL}
}

// message is one event a UI received.
type message struct {
	name string
	args []any
	raw  []json.RawMessage
}

// ui is a Go client that plays the Admin UI: it records every event.
type ui struct {
	s    *client.Socket
	mu   sync.Mutex
	msgs []message
}

func connectUI(t *testing.T, url string, auth any) (*ui, error) {
	t.Helper()
	s, err := client.New(url+"/admin", client.Options{ForceNew: true, NoAutoConnect: true, NoReconnection: true, Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	u := &ui{s: s}
	s.OnAny(func(e *client.Event) {
		u.mu.Lock()
		u.msgs = append(u.msgs, message{name: e.Name, args: e.Args(), raw: e.Raw()})
		u.mu.Unlock()
	})
	t.Cleanup(s.Disconnect)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return u, s.ConnectContext(ctx)
}

func mustUI(t *testing.T, url string, auth any) *ui {
	t.Helper()
	u, err := connectUI(t, url, auth)
	if err != nil {
		t.Fatalf("the UI could not connect: %v", err)
	}
	return u
}

// waitFor polls the UI's messages until one named name satisfies ok.
func (u *ui) waitFor(t *testing.T, name string, ok func(m message) bool) message {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		u.mu.Lock()
		for _, m := range u.msgs {
			if m.name == name && (ok == nil || ok(m)) {
				u.mu.Unlock()
				return m
			}
		}
		u.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %s message as expected in %v; got %s", name, wait, u.names())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (u *ui) names() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, m := range u.msgs {
		out = append(out, m.name)
	}
	return out
}

// connectApp connects an application client to namespace "/".
func connectApp(t *testing.T, url string) *client.Socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{ForceNew: true, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s
}

func hash(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestNewRefusesBadHash(t *testing.T) {
	for _, o := range []admin.Options{
		{Username: "admin", PasswordHash: "secret"},
		{Username: "admin"},
		{PasswordHash: hash(t, "secret")},
	} {
		if _, err := admin.New(o); !errors.Is(err, admin.ErrPasswordHash) {
			t.Errorf("New(%+v): %v, want ErrPasswordHash", o, err)
		}
	}
}

func TestAttachOrder(t *testing.T) {
	adm, err := admin.New(admin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	io := sio.NewServer(sio.Config{})
	defer io.Close()
	if err := adm.Attach(io); !errors.Is(err, admin.ErrNotConfigured) {
		t.Fatalf("Attach without Config: %v, want ErrNotConfigured", err)
	}
	io2 := sio.NewServer(adm.Config(sio.Config{}))
	defer io2.Close()
	if err := adm.Attach(io2); err != nil {
		t.Fatal(err)
	}
	if err := adm.Attach(io2); !errors.Is(err, admin.ErrAttached) {
		t.Fatalf("second Attach: %v, want ErrAttached", err)
	}
}

// TestAuth: a wrong password or username is refused with "invalid
// credentials" (the words the UI looks for); the right ones get a session
// id, which logs in again on its own; an unknown session id does not.
func TestAuth(t *testing.T) {
	srv := start(t, admin.Options{Username: "admin", PasswordHash: hash(t, "s3cret")})
	for _, auth := range []map[string]any{
		{"username": "admin", "password": "wrong"},
		{"username": "root", "password": "s3cret"},
		{},
		{"sessionId": "0123456789abcdef"},
	} {
		_, err := connectUI(t, srv.url, auth)
		var ce *client.ConnectError
		if !errors.As(err, &ce) || ce.Message != "invalid credentials" {
			t.Errorf("auth %v: %v, want a connect error \"invalid credentials\"", auth, err)
		}
	}
	u := mustUI(t, srv.url, map[string]any{"username": "admin", "password": "s3cret"})
	m := u.waitFor(t, "session", nil)
	id, _ := m.args[0].(string)
	if len(id) < 16 {
		t.Fatalf("session id %q", id)
	}
	u.waitFor(t, "config", nil)
	again := mustUI(t, srv.url, map[string]any{"sessionId": id})
	again.waitFor(t, "config", nil)
	if slices.Contains(again.names(), "session") {
		t.Error("a login by session id was given a new session")
	}
}

// TestConfig: the features the UI is told about, read-only or not,
// production or not.
func TestConfig(t *testing.T) {
	all := []string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"}
	for _, tc := range []struct {
		opts admin.Options
		want []string
	}{
		{admin.Options{}, all},
		{admin.Options{ReadOnly: true}, []string{"AGGREGATED_EVENTS", "ALL_EVENTS"}},
		{admin.Options{ReadOnly: true, Production: true}, []string{"AGGREGATED_EVENTS"}},
	} {
		srv := start(t, tc.opts)
		u := mustUI(t, srv.url, nil)
		m := u.waitFor(t, "config", nil)
		var cfg struct{ SupportedFeatures []string }
		if err := json.Unmarshal(m.raw[0], &cfg); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.SupportedFeatures, tc.want) {
			t.Errorf("%+v: features %v, want %v", tc.opts, cfg.SupportedFeatures, tc.want)
		}
		barrier(t, srv, u) // all_sockets, if sent, was sent before its ack
		if got := slices.Contains(u.names(), "all_sockets"); got == tc.opts.Production {
			t.Errorf("%+v: all_sockets sent: %v", tc.opts, got)
		}
	}
}

// TestServerStats: server_stats has the fields the UI reads, with the
// namespaces and their sockets, the clients and the aggregated events.
func TestServerStats(t *testing.T) {
	srv := start(t, admin.Options{ServerID: "node-7"})
	u := mustUI(t, srv.url, nil)
	app := connectApp(t, srv.url)
	if err := app.Emit("hello", "world"); err != nil {
		t.Fatal(err)
	}
	var stats map[string]json.RawMessage
	var events []struct {
		Timestamp int64
		Type      string
		SubType   string
		Count     int
	}
	seen := map[string]bool{}
	u.waitFor(t, "server_stats", func(m message) bool {
		stats = nil
		if json.Unmarshal(m.raw[0], &stats) != nil {
			return false
		}
		events = nil
		_ = json.Unmarshal(stats["aggregatedEvents"], &events)
		for _, e := range events {
			seen[e.Type] = true
			if e.Timestamp%1000 != 0 || e.Count <= 0 {
				t.Errorf("aggregated event %+v: want whole seconds and a count", e)
			}
		}
		var clients int
		_ = json.Unmarshal(stats["clientsCount"], &clients)
		var nsps []struct{ Name string }
		_ = json.Unmarshal(stats["namespaces"], &nsps)
		return clients == 2 && len(nsps) == 2 && bytes.Contains(stats["namespaces"], []byte(`{"name":"/","socketsCount":1}`)) && seen["rawConnection"] && seen["packetsIn"] && seen["bytesIn"] && seen["packetsOut"] && seen["bytesOut"]
	})
	var keys []string
	for k := range stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"aggregatedEvents", "clientsCount", "hostname", "namespaces", "pid", "pollingClientsCount", "serverId", "uptime"}
	if !slices.Equal(keys, want) {
		t.Errorf("server_stats keys %v, want %v", keys, want)
	}
	if string(stats["serverId"]) != `"node-7"` {
		t.Errorf("serverId %s", stats["serverId"])
	}
	var nsps []struct {
		Name         string
		SocketsCount int
	}
	if err := json.Unmarshal(stats["namespaces"], &nsps); err != nil {
		t.Fatal(err)
	}
	sort.Slice(nsps, func(i, j int) bool { return nsps[i].Name < nsps[j].Name })
	if fmt.Sprint(nsps) != "[{/ 1} {/admin 1}]" {
		t.Errorf("namespaces %v", nsps)
	}
}

// socketsIn decodes the sockets of an all_sockets message.
func socketsIn(t *testing.T, m message) []map[string]any {
	t.Helper()
	list, _ := m.args[0].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		s, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("all_sockets entry %v", v)
		}
		out = append(out, s)
	}
	return out
}

// TestSocketsAndEvents: what the UI is told of an application's socket: in
// all_sockets with its rooms and handshake, then its rooms, its events both
// ways, its upgrade and its disconnection.
func TestSocketsAndEvents(t *testing.T) {
	srv := start(t, admin.Options{})
	srv.io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("hello", func(e *sio.Event) {
			_ = s.Emit("welcome", e.String(0), []byte{1, 2, 3})
			_ = e.Ack("ok")
		})
	})
	app := connectApp(t, srv.url)
	u := mustUI(t, srv.url, nil)

	m := u.waitFor(t, "all_sockets", nil)
	var found map[string]any
	for _, s := range socketsIn(t, m) {
		if s["id"] == app.ID() {
			found = s
		}
	}
	if found == nil {
		t.Fatalf("the app's socket %s is not in all_sockets: %v", app.ID(), m.args)
	}
	if found["nsp"] != "/" || len(found["clientId"].(string)) != 12 || found["transport"] == "" {
		t.Errorf("socket %v", found)
	}
	rooms := fmt.Sprint(found["rooms"])
	if rooms != fmt.Sprint([]any{app.ID(), "lobby"}) && rooms != fmt.Sprint([]any{"lobby", app.ID()}) {
		t.Errorf("rooms %s, want the socket's own and lobby", rooms)
	}
	hs, _ := found["handshake"].(map[string]any)
	for _, k := range []string{"address", "headers", "query", "issued", "secure", "time", "url", "xdomain"} {
		if _, ok := hs[k]; !ok {
			t.Errorf("handshake has no %s: %v", k, hs)
		}
	}
	if q, _ := hs["query"].(map[string]any); q["EIO"] != "4" {
		t.Errorf("handshake query %v", hs["query"])
	}

	// A second application socket: socket_connected, its rooms, its events.
	app2 := connectApp(t, srv.url)
	u.waitFor(t, "socket_connected", func(m message) bool {
		s, _ := m.args[0].(map[string]any)
		_, isDate := m.args[1].(string)
		return s["id"] == app2.ID() && isDate
	})
	u.waitFor(t, "room_joined", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", "lobby", app2.ID()})
	})
	u.waitFor(t, "socket_updated", func(m message) bool {
		return fmt.Sprint(m.args[0]) == fmt.Sprint(map[string]any{"id": app2.ID(), "nsp": "/", "transport": "websocket"})
	})
	got, err := app2.Timeout(wait).EmitWithAck(context.Background(), "hello", "ana")
	if err != nil || fmt.Sprint(got) != "[ok]" {
		t.Fatalf("hello: %v %v", got, err)
	}
	u.waitFor(t, "event_received", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", app2.ID(), []any{"hello", "ana"}})
	})
	u.waitFor(t, "event_sent", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", app2.ID(), []any{"welcome", "ana", []byte{1, 2, 3}}})
	})
	// The UI's own traffic is not shown.
	for _, name := range []string{"event_received", "event_sent"} {
		u.mu.Lock()
		for _, m := range u.msgs {
			if m.name == name && m.args[0] == "/admin" {
				t.Errorf("%s of the UI's own namespace: %v", name, m.args)
			}
		}
		u.mu.Unlock()
	}
	id2 := app2.ID() // "" once disconnected
	app2.Disconnect()
	u.waitFor(t, "socket_disconnected", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", id2, "client namespace disconnect"})
	})
	u.waitFor(t, "room_left", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", "lobby", id2})
	})
}

// TestCommands: emit, join, leave and _disconnect from the UI reach the
// sockets they name, by id or by room.
func TestCommands(t *testing.T) {
	srv := start(t, admin.Options{})
	app := connectApp(t, srv.url)
	got := make(chan []any, 4)
	app.On("news", func(e *client.Event) { got <- e.Args() })
	u := mustUI(t, srv.url, nil)
	u.waitFor(t, "config", nil)
	sock := srv.io.Of("/").Socket(app.ID())

	if err := u.s.Emit("emit", "/", app.ID(), "news", "to one", map[string]any{"n": 1.0}); err != nil {
		t.Fatal(err)
	}
	expectNews := func(want string) {
		t.Helper()
		select {
		case args := <-got:
			if fmt.Sprint(args) != want {
				t.Errorf("news %v, want %s", args, want)
			}
		case <-time.After(wait):
			t.Fatalf("the emit of %s did not arrive", want)
		}
	}
	expectNews("[to one map[n:1]]")
	if err := u.s.Emit("join", "/", "blue", app.ID()); err != nil {
		t.Fatal(err)
	}
	waitRooms(t, sock, true, "blue")
	if err := u.s.Emit("emit", "/", "blue", "news", "to the room"); err != nil {
		t.Fatal(err)
	}
	expectNews("[to the room]")
	if err := u.s.Emit("leave", "/", "blue"); err != nil { // no filter: every socket
		t.Fatal(err)
	}
	waitRooms(t, sock, false, "blue")
	gone := make(chan client.Reason, 1)
	app.OnDisconnect(func(r client.Reason) { gone <- r })
	if err := u.s.Emit("_disconnect", "/", false, app.ID()); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-gone:
		if r != "io server disconnect" {
			t.Errorf("disconnected with %q", r)
		}
	case <-time.After(wait):
		t.Fatal("the socket was not disconnected")
	}
	// A command for a namespace that does not exist does not create it.
	if err := u.s.Emit("join", "/nowhere", "blue", nil); err != nil {
		t.Fatal(err)
	}
	barrier(t, srv, u)
	for _, n := range srv.io.Namespaces() {
		if n.Name() == "/nowhere" {
			t.Error("a command created namespace /nowhere")
		}
	}
}

func waitRooms(t *testing.T, s *sio.Socket, in bool, room string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for slices.Contains(s.Rooms(), room) != in {
		if time.Now().After(deadline) {
			t.Fatalf("rooms %v: want %s in them: %v", s.Rooms(), room, in)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// barrier returns once the UI's events sent so far have been handled: the
// server handles a socket's events in order, and the test's own handler
// acknowledges "barrier" after the commands before it.
func barrier(t *testing.T, srv *server, u *ui) {
	t.Helper()
	if _, err := u.s.Timeout(wait).EmitWithAck(context.Background(), "barrier"); err != nil {
		t.Fatalf("barrier: %v", err)
	}
}

// TestReadOnly: a read-only Admin ignores every command; the same commands
// work on one that is not (so the test can tell).
func TestReadOnly(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("readOnly=", readOnly), func(t *testing.T) {
			srv := start(t, admin.Options{ReadOnly: readOnly})
			srv.io.OnConnection(func(s *sio.Socket) {
				s.On("echo", func(e *sio.Event) { _ = e.Ack() })
			})
			app := connectApp(t, srv.url)
			news := make(chan struct{}, 1)
			app.On("news", func(*client.Event) { news <- struct{}{} })
			u := mustUI(t, srv.url, nil)
			u.waitFor(t, "config", nil)
			sock := srv.io.Of("/").Socket(app.ID())
			for _, cmd := range [][]any{
				{"join", "/", "red", app.ID()},
				{"emit", "/", app.ID(), "news"},
			} {
				if err := u.s.Emit(cmd[0].(string), cmd[1:]...); err != nil {
					t.Fatal(err)
				}
			}
			barrier(t, srv, u)
			// The emit, had it been made, was queued for the app before the
			// barrier's ack was: the app's echo comes back after it.
			// (An AckFunc runs on the handler goroutine, after the handlers
			// of what arrived before the ack: EmitWithAck may return first.)
			echoed := make(chan error, 1)
			if err := app.Timeout(wait).Emit("echo", client.AckFunc(func(_ []any, err error) { echoed <- err })); err != nil {
				t.Fatal(err)
			}
			if err := <-echoed; err != nil {
				t.Fatal(err)
			}
			var arrived bool
			select {
			case <-news:
				arrived = true
			default:
			}
			inRed := slices.Contains(sock.Rooms(), "red")
			if inRed == readOnly || arrived == readOnly {
				t.Errorf("read-only %v: joined %v, emit arrived %v", readOnly, inRed, arrived)
			}
			if err := u.s.Emit("_disconnect", "/", true, app.ID()); err != nil {
				t.Fatal(err)
			}
			barrier(t, srv, u)
			if sock.Connected() == !readOnly {
				t.Errorf("read-only %v: connected %v after _disconnect", readOnly, sock.Connected())
			}
		})
	}
}

// TestCORS: the UI's origin is echoed with credentials allowed on polling
// requests (the UI connects withCredentials, and "*" would be refused);
// other origins get nothing unless the server's own CORS let them in.
func TestCORS(t *testing.T) {
	handshake := func(t *testing.T, url, origin string) http.Header {
		t.Helper()
		req, err := http.NewRequest("GET", url+"/socket.io/?EIO=4&transport=polling", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("handshake: %s", res.Status)
		}
		return res.Header
	}
	srv := start(t, admin.Options{Origins: []string{"http://ui.test:8080"}})
	h := handshake(t, srv.url, "http://ui.test:8080")
	if h.Get("Access-Control-Allow-Origin") != "http://ui.test:8080" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("the UI's origin: %v", h)
	}
	if h := handshake(t, srv.url, "https://elsewhere.test"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin was let in: %v", h)
	}

	// A server that let every origin in lets every origin in still, each
	// echoed, with credentials.
	adm, err := admin.New(admin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := adm.Config(sio.Config{CORS: &engine.CORS{Origins: []string{"*"}}})
	if cfg.CORS.Credentials != true || !slices.Contains(cfg.CORS.Origins, "*") {
		t.Errorf("CORS %+v", cfg.CORS)
	}
	io := sio.NewServer(cfg)
	defer io.Close()
	hs := httptest.NewServer(io)
	defer hs.Close()
	if h := handshake(t, hs.URL, "https://elsewhere.test"); h.Get("Access-Control-Allow-Origin") != "https://elsewhere.test" ||
		h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("any origin: %v", h)
	}
}

// TestDropResync: when notifications overflow the queue, they are dropped,
// and the UIs are sent every socket again once it has drained.
func TestDropResync(t *testing.T) {
	srv := start(t, admin.Options{MaxQueued: 1, Logger: slog.New(slog.DiscardHandler)})
	srv.io.OnConnection(func(s *sio.Socket) {
		s.On("burst", func(e *sio.Event) {
			for i := range 200 {
				_ = s.Emit("tick", i)
			}
			_ = e.Ack()
		})
	})
	u := mustUI(t, srv.url, nil)
	u.waitFor(t, "all_sockets", nil)
	app := connectApp(t, srv.url)
	if _, err := app.Timeout(wait).EmitWithAck(context.Background(), "burst"); err != nil {
		t.Fatal(err)
	}
	n := 0
	u.waitFor(t, "all_sockets", func(m message) bool {
		n++
		for _, s := range socketsIn(t, m) {
			if s["id"] == app.ID() {
				return n > 1
			}
		}
		return false
	})
}

// TestRoomsOwnAdapter: rooms are reported with an adapter of the
// application's own too.
func TestRoomsOwnAdapter(t *testing.T) {
	adm, err := admin.New(admin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	io := sio.NewServer(adm.Config(sio.Config{NewAdapter: func(*sio.Namespace) sio.Adapter {
		made++
		return sio.NewMemoryAdapter()
	}}))
	if err := adm.Attach(io); err != nil {
		t.Fatal(err)
	}
	io.OnConnection(func(s *sio.Socket) { s.Join("own") })
	hs := httptest.NewServer(io)
	t.Cleanup(func() {
		adm.Close()
		io.Close()
		hs.Close()
	})
	u := mustUI(t, hs.URL, nil)
	u.waitFor(t, "all_sockets", nil)
	app := connectApp(t, hs.URL)
	u.waitFor(t, "room_joined", func(m message) bool {
		return fmt.Sprint(m.args[:3]) == fmt.Sprint([]any{"/", "own", app.ID()})
	})
	if made < 2 {
		t.Errorf("the application's NewAdapter made %d adapters, want one per namespace", made)
	}
}

// logs is a slog handler that keeps its records' messages and attributes.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logs) WithGroup(string) slog.Handler            { return l }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	return nil
}

func (l *logs) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestBadCommands: commands with the wrong arguments, or a reserved event,
// are ignored and logged with what was wrong; the UI stays connected.
func TestBadCommands(t *testing.T) {
	rec := &logs{}
	srv := start(t, admin.Options{Logger: slog.New(rec)})
	app := connectApp(t, srv.url)
	u := mustUI(t, srv.url, nil)
	u.waitFor(t, "config", nil)
	for _, cmd := range [][]any{
		{"join", 1, 2, 3},
		{"leave", "/"},
		{"_disconnect", "/", "yes", app.ID()},
		{"emit", "/", app.ID()},
		{"emit", "/", app.ID(), "connect"},
		{"emit", "/nowhere", nil, "news"},
		{"join", "/nowhere", "red", nil},
	} {
		if err := u.s.Emit(cmd[0].(string), cmd[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	barrier(t, srv, u)
	got := rec.text()
	for _, want := range []string{
		"command=join reason=want (namespace, room, room or null)",
		"command=leave reason=want (namespace, room, room or null)",
		"command=_disconnect reason=want (namespace, close, room or null)",
		"command=emit reason=want (namespace, room or null, event, ...args)",
		"command=emit reason=sio: reserved event name",
		"command=emit reason=no namespace /nowhere",
		"command=join reason=no namespace /nowhere",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no log with %s in:\n%s", want, got)
		}
	}
	if !u.s.Connected() || !srv.io.Of("/").Socket(app.ID()).Connected() {
		t.Error("a bad command disconnected someone")
	}
}
