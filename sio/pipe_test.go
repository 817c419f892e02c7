package sio_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/sio"
)

// pipeServer serves a sio.Server over in-memory connections (net.Pipe), so
// that a test can run it inside a testing/synctest bubble: no real network,
// and timers on the bubble's fake clock. It is meant for bubbles only (see
// close).
type pipeServer struct {
	io     *sio.Server
	http   *http.Server
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
	served chan struct{}
}

// newPipeServer starts io on in-memory connections; everything stops when
// t ends (or at close).
func newPipeServer(t testing.TB, cfg sio.Config) *pipeServer {
	t.Helper()
	p := &pipeServer{
		io:     sio.NewServer(cfg),
		conns:  make(chan net.Conn),
		closed: make(chan struct{}),
		served: make(chan struct{}),
	}
	p.http = &http.Server{Handler: p.io}
	go func() {
		defer close(p.served)
		_ = p.http.Serve(p)
	}()
	t.Cleanup(p.close)
	return p
}

// Accept, Close and Addr make the pipeServer the http.Server's listener.
func (p *pipeServer) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeServer) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

func (p *pipeServer) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// dial connects a client end to the server.
func (p *pipeServer) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.conns <- server:
		return client, nil
	case <-p.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dialRaw opens a raw WebSocket client on the server.
func (p *pipeServer) dialRaw(t testing.TB) *rawClient {
	t.Helper()
	d := &websocket.Dialer{NetDialContext: p.dial}
	return dialRawWith(t, d, "ws://pipe/socket.io/?EIO=4&transport=websocket")
}

// close stops the sio server, then the HTTP server, and waits for it. It
// then lets the bubble's clock run on for a second, so that goroutines that
// linger a while before they end (a drained mailbox's) do: a bubble's time
// stops with its root goroutine.
func (p *pipeServer) close() {
	p.io.Close()
	p.http.Close()
	<-p.served
	time.Sleep(time.Second)
}
