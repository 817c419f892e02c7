package sio_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// pollingClient is an Engine.IO polling session driven by hand: no GET is
// pending unless the test makes one, so the server cannot write to it.
type pollingClient struct {
	t   testing.TB
	url string // with the sid
}

func dialPolling(t testing.TB, srv *httptest.Server) *pollingClient {
	t.Helper()
	base := srv.URL + "/socket.io/?EIO=4&transport=polling"
	body := httpDo(t, "GET", base, "")
	var open struct{ SID string }
	if !strings.HasPrefix(body, "0") || json.Unmarshal([]byte(body[1:]), &open) != nil {
		t.Fatalf("open packet %q", body)
	}
	return &pollingClient{t: t, url: base + "&sid=" + open.SID}
}

func (p *pollingClient) post(payload string) { p.t.Helper(); httpDo(p.t, "POST", p.url, payload) }
func (p *pollingClient) poll() string        { p.t.Helper(); return httpDo(p.t, "GET", p.url, "") }

func httpDo(t testing.TB, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %q %v", method, url, res.StatusCode, b, err)
	}
	return string(b)
}

// A broadcast's EmitWithAck returns ctx.Err() when its context is
// cancelled, as Socket.EmitWithAck does; ErrAckTimeout is for deadlines.
func TestBroadcastEmitWithAckCancelled(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	c := dialRaw(t, srv)
	c.connect("/", "")
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		_, err := io.MainNamespace().EmitWithAck(ctx, "question")
		errs <- err
	}()
	c.expect(`42`) // asked, and never answers
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// A volatile broadcast dropped for a socket that cannot take it now (a
// polling client with no GET waiting) expects no acknowledgement from it:
// the call returns with the answers of those that got it, not at the
// deadline.
func TestBroadcastEmitWithAckVolatileDropped(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	p := dialPolling(t, srv)
	p.post("40")
	waitFor(t, func() bool { return io.MainNamespace().Len() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := io.Volatile().EmitWithAck(ctx, "question")
	if err != nil || len(res) != 0 {
		t.Fatalf("EmitWithAck = %v, %v; want no answers and no error", res, err)
	}
	if got := p.poll(); strings.Contains(got, "question") {
		t.Fatalf("the dropped event was sent after all: %q", got)
	}
}

// When the packet cannot be queued (the session is closing), Emit returns
// the error and the acknowledgement callback never runs; a broadcast's
// EmitWithAck does not wait for that socket.
func TestEmitAckCallbackNotCalledAfterSendError(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	sockets := make(chan *sio.Socket, 1)
	gone := make(chan struct{})
	io.OnConnection(func(s *sio.Socket) {
		s.OnDisconnect(func(sio.Reason) { close(gone) })
		sockets <- s
	})
	p := dialPolling(t, srv)
	p.post("40")
	s := <-sockets
	// Closing a polling session with no GET waiting leaves it closing
	// until the next GET: the socket is still connected, its session
	// refuses packets.
	for _, sess := range io.Engine().Sessions() {
		sess.Close("forced close")
	}
	called := make(chan error, 1)
	err := s.Emit("question", sio.AckFunc(func(_ []any, err error) { called <- err }))
	if err == nil {
		t.Fatal("Emit to a closing session returned no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if res, err := io.MainNamespace().EmitWithAck(ctx, "question"); err != nil || len(res) != 0 {
		t.Fatalf("broadcast EmitWithAck = %v, %v; want no answers and no error", res, err)
	}
	p.poll() // takes the close packet: the session ends
	<-gone   // disconnect handlers run after any acknowledgement callback
	select {
	case err := <-called:
		t.Fatalf("the callback ran (with %v) though Emit had returned an error", err)
	default:
	}
}
