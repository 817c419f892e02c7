package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/engine"
)

// managerEvents returns the names of the Manager events r saw, pings and
// upgrades left out.
func managerEvents(r *rec) []string {
	var out []string
	for _, n := range r.names() {
		if strings.HasPrefix(n, "manager:") && n != "manager:ping" && n != "manager:upgrade" {
			out = append(out, strings.TrimPrefix(n, "manager:"))
		}
	}
	return out
}

// deadURL is a loopback address where nothing listens.
const deadURL = "http://127.0.0.1:1"

// After ReconnectionAttempts failed attempts the Manager gives up, with the
// official client's events in its order, and ConnectContext returns.
func TestReconnectFailed(t *testing.T) {
	m := client.NewManager(deadURL, client.Options{
		NoAutoConnect:        true,
		ReconnectionAttempts: 2,
		ReconnectionDelay:    10 * time.Millisecond,
		ReconnectionDelayMax: 20 * time.Millisecond,
	})
	t.Cleanup(m.Close)
	s := m.Socket("/", client.SocketOptions{})
	r := record(t, s)
	err := s.ConnectContext(context.Background())
	var ce *client.ConnectError
	var te *client.TransportError
	if !errors.As(err, &ce) || !errors.As(err, &te) || te.Op != "xhr poll error" {
		t.Fatalf("ConnectContext: %v", err)
	}
	r.next("manager:reconnect_failed", wait)
	r.next("manager:reconnect_error", wait)
	equal(t, "events", managerEvents(r), []string{
		"error",
		"reconnect_attempt", "error", "reconnect_error",
		"reconnect_attempt", "error", "reconnect_failed", "reconnect_error",
	})
	if n := r.count("connect_error"); n != 3 {
		t.Fatalf("%d connect_error, want one per failed open (3)", n)
	}
}

// With reconnection off, a failed open is final.
func TestNoReconnection(t *testing.T) {
	s, err := client.Connect(context.Background(), deadURL, client.Options{ForceNew: true, NoReconnection: true})
	var ce *client.ConnectError
	if s != nil || !errors.As(err, &ce) || ce.Err == nil {
		t.Fatalf("Connect: %v, %v", s, err)
	}
}

// Options.Timeout bounds each attempt to open.
func TestOpenTimeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	// The context's deadline is far off: an attempt that ignored the
	// option would end with it, not with ErrTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := client.Connect(ctx, hang.URL, client.Options{
		ForceNew: true, NoReconnection: true, Timeout: 100 * time.Millisecond,
	})
	if !errors.Is(err, client.ErrTimeout) {
		t.Fatalf("err %v, want ErrTimeout", err)
	}
}

// fakeServer is a scripted Socket.IO server on our Engine.IO server: each
// text message of a client goes to reply, which answers with raw packets.
func fakeServer(t *testing.T, reply func(send func(packets ...string), msg string)) string {
	t.Helper()
	eng := engine.NewServer(engine.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond},
		fakeHandler{reply})
	srv := httptest.NewServer(eng)
	t.Cleanup(func() {
		eng.Close()
		srv.Close()
	})
	return srv.URL
}

type fakeHandler struct {
	reply func(send func(packets ...string), msg string)
}

func (f fakeHandler) Open(s *engine.Session) engine.SessionHandler { return fakeSession{s, f.reply} }

type fakeSession struct {
	s     *engine.Session
	reply func(send func(packets ...string), msg string)
}

func (f fakeSession) Message(data []byte, binary bool) {
	if binary {
		return
	}
	f.reply(func(packets ...string) {
		for _, p := range packets {
			f.s.Send(engine.Message{Data: []byte(p)})
		}
	}, string(data))
}

func (fakeSession) Close(engine.Reason) {}

// rawScript accepts every namespace, replies to ["raw", p...] with the
// packets p, and to a CONNECT of "/v2" as a Socket.IO v2 server would.
func rawScript(send func(packets ...string), msg string) {
	switch {
	case msg == "0/v2,":
		send("0/v2,")
	case strings.HasPrefix(msg, "0"):
		nsp := strings.TrimSuffix(strings.TrimPrefix(msg, "0"), ",")
		prefix := ""
		if nsp != "" {
			prefix = nsp + ","
		}
		send("0" + prefix + `{"sid":"sid-of-` + strings.TrimPrefix(nsp, "/") + `"}`)
	case strings.HasPrefix(msg, "2"):
		body := strings.TrimLeft(msg[1:], "0123456789")
		id := msg[1 : len(msg)-len(body)]
		var args []string
		if json.Unmarshal([]byte(body), &args) == nil && len(args) > 0 && args[0] == "raw" {
			send(args[1:]...)
		}
		if id != "" {
			send("3" + id + "[]")
		}
	}
}

// On, Once, Off and OnAny, and events named by numbers.
func TestListeners(t *testing.T) {
	url := fakeServer(t, rawScript)
	s, r := dial(t, url, "/", client.Options{})
	r.connected()
	var got []string
	seen := make(chan struct{}, 10)
	add := func(name string) client.EventHandler {
		return func(e *client.Event) {
			got = append(got, name+":"+e.Name+":"+string(e.Raw()[0]))
			seen <- struct{}{}
		}
	}
	remove1 := s.On("a", add("on1"))
	s.On("a", add("on2"))
	s.Once("a", add("once"))
	s.OnAny(add("any"))
	step := func(packet string, want ...string) {
		t.Helper()
		got = nil
		s.Emit("raw", packet)
		for range want {
			<-seen
		}
		ack(t, s, "raw") // a barrier: nothing else comes
		slices.Sort(got)
		slices.Sort(want)
		equal(t, packet, got, want)
	}
	step(`2["a",1]`, "any:a:1", "on1:a:1", "on2:a:1", "once:a:1")
	remove1()
	step(`2["a",2]`, "any:a:2", "on2:a:2")
	s.Off("a")
	step(`2["a",3]`, "any:a:3")
	step(`2[42,"n"]`, `any:42:"n"`)
}

// Events that arrive before the CONNECT reply (a server restoring a
// session sends the missed ones first) are handled after it, before the
// OnConnect handlers.
func TestEventsBeforeConnect(t *testing.T) {
	url := fakeServer(t, func(send func(...string), msg string) {
		if msg == "0" {
			send(`2["missed",1]`, `2["missed",2]`, `0{"sid":"x","pid":"p"}`)
		}
	})
	_, r := dial(t, url, "/", client.Options{Transports: []string{client.TransportWebSocket}})
	r.connected()
	equal(t, "order", r.names()[:4], []string{"manager:open", "missed", "missed", "connect"})
}

// A server that speaks Socket.IO v2 (a CONNECT reply without sid) is
// refused with the official client's message.
func TestV2Server(t *testing.T) {
	url := fakeServer(t, rawScript)
	_, r := dial(t, url, "/v2", client.Options{})
	ce := r.next1("connect_error").(*client.ConnectError)
	if !strings.Contains(ce.Message, "v2.x") {
		t.Fatalf("message %q", ce.Message)
	}
}

// A packet the parser refuses closes the connection with "parse error";
// the Manager reconnects.
func TestParseErrorReconnects(t *testing.T) {
	url := fakeServer(t, rawScript)
	s, r := dial(t, url, "/", client.Options{})
	r.connected()
	s.Emit("raw", `2{"not":"an array"}`)
	equal(t, "disconnect", r.next1("disconnect"), "parse error")
	equal(t, "manager close", r.next1("manager:close"), "parse error")
	r.next("connect", wait)
	equal(t, "events", managerEvents(r), []string{"open", "close", "reconnect_attempt", "open", "reconnect"})
}
