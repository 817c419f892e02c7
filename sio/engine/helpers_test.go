package engine_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// event is something a testHandler saw.
type event struct {
	sid    string
	kind   string // "message" or "close"
	data   string
	binary bool
	reason engine.Reason
}

// testHandler records what the engine hands it and checks the
// SessionHandler contract (no concurrent calls, Close once and last).
type testHandler struct {
	t         testing.TB
	echo      bool
	onOpen    func(s *engine.Session)
	onMessage func(s *engine.Session, data []byte, binary bool)
	opened    chan *engine.Session
	events    chan event
}

func newTestHandler(t testing.TB, echo bool) *testHandler {
	return &testHandler{t: t, echo: echo, opened: make(chan *engine.Session, 1000), events: make(chan event, 10000)}
}

func (h *testHandler) Open(s *engine.Session) engine.SessionHandler {
	if h.onOpen != nil {
		h.onOpen(s)
	}
	h.opened <- s
	return &testSession{h: h, s: s}
}

type testSession struct {
	h      *testHandler
	s      *engine.Session
	busy   atomic.Bool
	closed atomic.Int32
}

func (ts *testSession) enter(what string) {
	if !ts.busy.CompareAndSwap(false, true) {
		ts.h.t.Errorf("%s called concurrently with another callback", what)
	}
	if ts.closed.Load() != 0 {
		ts.h.t.Errorf("%s called after Close", what)
	}
}

func (ts *testSession) Message(data []byte, binary bool) {
	ts.enter("Message")
	defer ts.busy.Store(false)
	ts.h.events <- event{sid: ts.s.ID(), kind: "message", data: string(data), binary: binary}
	if ts.h.echo {
		ts.s.Send(engine.Message{Data: data, Binary: binary})
	}
	if ts.h.onMessage != nil {
		ts.h.onMessage(ts.s, data, binary)
	}
}

func (ts *testSession) Close(reason engine.Reason) {
	ts.enter("Close")
	defer ts.busy.Store(false)
	if ts.closed.Add(1) != 1 {
		ts.h.t.Errorf("Close called twice")
	}
	ts.h.events <- event{sid: ts.s.ID(), kind: "close", reason: reason}
}

// next returns the next event, failing the test after a timeout.
func (h *testHandler) next(t testing.TB) event {
	t.Helper()
	select {
	case e := <-h.events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a handler event")
	}
	return event{}
}

// waitClose waits for the Close of sid, skipping messages.
func (h *testHandler) waitClose(t testing.TB, sid string) engine.Reason {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.kind == "close" && e.sid == sid {
				return e.reason
			}
		case <-deadline:
			t.Fatalf("timed out waiting for the close of %s", sid)
		}
	}
}

func (h *testHandler) session(t testing.TB) *engine.Session {
	t.Helper()
	select {
	case s := <-h.opened:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for Open")
	}
	return nil
}

// sessionByID returns the opened session sid, dropping others opened
// before it.
func (h *testHandler) sessionByID(t testing.TB, sid string) *engine.Session {
	t.Helper()
	for {
		if s := h.session(t); s.ID() == sid {
			return s
		}
	}
}

// env is an engine mounted on an httptest server at /engine.io/.
type env struct {
	t      testing.TB
	srv    *engine.Server
	ts     *httptest.Server
	h      *testHandler
	client *http.Client
}

func newEnv(t testing.TB, cfg engine.Config, h *testHandler) *env {
	t.Helper()
	if h == nil {
		h = newTestHandler(t, true)
	}
	srv := engine.NewServer(cfg, h)
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", srv)
	ts := httptest.NewServer(mux)
	e := &env{t: t, srv: srv, ts: ts, h: h, client: &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		srv.Close()
		e.client.CloseIdleConnections()
		ts.Close()
	})
	return e
}

func (e *env) url(query string) string { return e.ts.URL + "/engine.io/?" + query }

func (e *env) wsURL(query string) string {
	return "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/engine.io/?" + query
}

// do sends a request and returns the status, the body and the response.
func (e *env) do(method, url, body string, header http.Header) (int, string, *http.Response) {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return res.StatusCode, string(b), res
}

type openPacket struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int      `json:"pingInterval"`
	PingTimeout  int      `json:"pingTimeout"`
	MaxPayload   int      `json:"maxPayload"`
}

func parseOpen(t testing.TB, body string) openPacket {
	t.Helper()
	if !strings.HasPrefix(body, "0{") {
		t.Fatalf("open packet = %q", body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body[1:]), &raw); err != nil {
		t.Fatalf("open packet %q: %v", body, err)
	}
	if len(raw) != 5 {
		t.Errorf("open packet has keys %v, want exactly sid, upgrades, pingInterval, pingTimeout, maxPayload", raw)
	}
	var op openPacket
	json.Unmarshal([]byte(body[1:]), &op)
	return op
}

// poller is a raw polling client of one session.
type poller struct {
	e    *env
	sid  string
	open openPacket
}

func (e *env) handshake() *poller {
	e.t.Helper()
	status, body, _ := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	if status != 200 {
		e.t.Fatalf("handshake: %d %s", status, body)
	}
	op := parseOpen(e.t, body)
	return &poller{e: e, sid: op.SID, open: op}
}

func (p *poller) query() string { return "EIO=4&transport=polling&sid=" + p.sid }

func (p *poller) get() (int, string) {
	p.e.t.Helper()
	status, body, _ := p.e.do("GET", p.e.url(p.query()), "", nil)
	return status, body
}

func (p *poller) post(body string) (int, string) {
	p.e.t.Helper()
	status, b, _ := p.e.do("POST", p.e.url(p.query()), body, http.Header{"Content-Type": {"text/plain;charset=UTF-8"}})
	return status, b
}

// mustGet expects a 200 GET with exactly want.
func (p *poller) mustGet(want string) {
	p.e.t.Helper()
	status, body := p.get()
	if status != 200 || body != want {
		p.e.t.Fatalf("GET = %d %q, want 200 %q", status, body, want)
	}
}

func (p *poller) mustPost(body string) {
	p.e.t.Helper()
	status, b := p.post(body)
	if status != 200 || b != "ok" {
		p.e.t.Fatalf("POST %q = %d %q, want 200 ok", body, status, b)
	}
}

// dial opens a raw WebSocket.
func (e *env) dial(query string) *wsClient {
	e.t.Helper()
	c, res, err := websocket.DefaultDialer.Dial(e.wsURL(query), nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		e.t.Fatalf("dial %s: %v (status %d)", query, err, status)
	}
	e.t.Cleanup(func() { c.Close() })
	return &wsClient{t: e.t, c: c}
}

// wsClient is a raw WebSocket client. gorilla allows one writer at a time:
// send and sendBinary take wmu, so a test may write from several
// goroutines (answering pings on one while it sends on another). Reads
// (read, mustRead, expectClosed) must stay on one goroutine.
type wsClient struct {
	t   testing.TB
	c   *websocket.Conn
	wmu sync.Mutex
}

// read returns the next frame as text (binary frames are prefixed "bin:").
func (w *wsClient) read() (string, error) {
	w.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	mt, data, err := w.c.ReadMessage()
	if err != nil {
		return "", err
	}
	if mt == websocket.BinaryMessage {
		return "bin:" + string(data), nil
	}
	return string(data), nil
}

// mustRead expects the next frame to be want, skipping pings unless want
// is one.
func (w *wsClient) mustRead(want string) {
	w.t.Helper()
	got, err := w.read()
	for err == nil && got == "2" && want != "2" {
		got, err = w.read()
	}
	if err != nil || got != want {
		w.t.Fatalf("read = %q, %v; want %q", got, err, want)
	}
}

// send writes a text frame. It uses Errorf, not Fatalf, so that it may be
// called from a goroutine other than the test's.
func (w *wsClient) send(s string) {
	w.t.Helper()
	if err := w.write(websocket.TextMessage, []byte(s)); err != nil {
		w.t.Errorf("write %q: %v", s, err)
	}
}

func (w *wsClient) sendBinary(b []byte) {
	w.t.Helper()
	if err := w.write(websocket.BinaryMessage, b); err != nil {
		w.t.Errorf("write binary: %v", err)
	}
}

func (w *wsClient) write(mt int, data []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.c.WriteMessage(mt, data)
}

// expectClosed reads until the connection fails, skipping pings and other
// frames, and returns the close error.
func (w *wsClient) expectClosed() error {
	w.t.Helper()
	for {
		_, err := w.read()
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				w.t.Fatal("WebSocket not closed in time")
			}
			return err
		}
	}
}

// recorder keeps what its observer sees.
type recorder struct {
	mu         sync.Mutex
	opened     []string
	upgraded   []string
	closed     []string
	packets    []string    // "<sid> <dir> <transport> <type> <data>"
	debugLines []debugLine // formatted by snapshot: "<ns> <sid> <msg>"
}

// observer returns the hooks that feed r.
func (r *recorder) observer() *engine.Observer {
	return &engine.Observer{Opened: r.Opened, Upgraded: r.Upgraded, Closed: r.Closed, Packet: r.Packet, Debug: r.Debug}
}

func (r *recorder) Opened(s *engine.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, s.ID())
}

func (r *recorder) Upgraded(s *engine.Session, transport string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.upgraded = append(r.upgraded, s.ID()+" "+transport)
}

func (r *recorder) Closed(s *engine.Session, reason engine.Reason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = append(r.closed, s.ID()+" "+string(reason))
}

func (r *recorder) Packet(s *engine.Session, dir engine.Direction, transport string, p engine.Packet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packets = append(r.packets, s.ID()+" "+dir.String()+" "+transport+" "+p.Type.String()+" "+string(p.Data))
}

// Debug keeps the line unformatted, as the Recorder does, and formats it in
// snapshot: a debug argument that changed in the meantime shows.
func (r *recorder) Debug(ns, sid, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.debugLines = append(r.debugLines, debugLine{ns + " " + sid + " ", format, args})
}

type debugLine struct {
	prefix, format string
	args           []any
}

func (r *recorder) snapshot() (opened, upgraded, closed, packets, debug []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.opened...), append([]string(nil), r.upgraded...), append([]string(nil), r.closed...),
		append([]string(nil), r.packets...), r.debugTexts()
}

func (r *recorder) debugTexts() []string {
	var out []string
	for _, l := range r.debugLines {
		text := l.format // a line without arguments is not a format
		if len(l.args) > 0 {
			text = fmt.Sprintf(l.format, l.args...)
		}
		out = append(out, l.prefix+text)
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
