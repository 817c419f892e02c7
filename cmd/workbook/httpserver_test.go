package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// shortIdleTimeout sets httpIdleTimeout to d for the test.
func shortIdleTimeout(t *testing.T, d time.Duration) {
	old := httpIdleTimeout
	httpIdleTimeout = d
	t.Cleanup(func() { httpIdleTimeout = old })
}

// keepAlive opens a connection to addr, makes one keep-alive request on it
// and returns the connection and its reader, idle.
func keepAlive(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /nothing-here HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.Close {
		t.Fatalf("the server closes after one request: %s", res.Status)
	}
	return c, br
}

// waitClosedByServer waits until the server closes c, and fails if it has
// not within the deadline (which bounds a hang: the close comes much sooner).
func waitClosedByServer(c net.Conn, br *bufio.Reader, deadline time.Time) error {
	_ = c.SetReadDeadline(deadline)
	b, err := br.ReadByte()
	switch {
	case err == nil:
		return fmt.Errorf("the server sent %q on an idle connection", b)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return nil
	case strings.Contains(err.Error(), "connection reset"):
		return nil
	}
	return fmt.Errorf("still open: %w", err)
}

// TestIdleKeepAliveClosed: serve, testserver and proxy close keep-alive
// connections that stay idle, as Node closes them after its keepAliveTimeout;
// 100 real idle connections per command, all closed.
func TestIdleKeepAliveClosed(t *testing.T) {
	shortIdleTimeout(t, 300*time.Millisecond)
	app, err := newWorkbook(workbookConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	target := httptest.NewServer(app)
	t.Cleanup(func() { app.closeSockets(); target.Close(); app.close() })
	dir := t.TempDir()
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "serve.db")},
		{"testserver", "--addr", "127.0.0.1:0"},
		{"proxy", "--target", target.URL, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "proxy.db")},
	} {
		t.Run(args[0], func(t *testing.T) {
			wb := startWorkbook(t, args...)
			u, err := url.Parse(wb.URL)
			if err != nil {
				t.Fatal(err)
			}
			const n = 100
			conns := make([]net.Conn, n)
			readers := make([]*bufio.Reader, n)
			for i := range n {
				conns[i], readers[i] = keepAlive(t, u.Host)
			}
			deadline := time.Now().Add(30 * time.Second)
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { errs[i] = waitClosedByServer(conns[i], readers[i], deadline) })
			}
			wg.Wait()
			open, first := 0, error(nil)
			for _, err := range errs {
				if err != nil {
					open++
					first = cmp.Or(first, err)
				}
			}
			if open > 0 {
				t.Errorf("%d of %d idle keep-alive connections not closed by the server; the first: %v", open, n, first)
			}
		})
	}
}

// TestIdleTimeoutSparesLongRequests: the idle timeout closes idle
// keep-alive connections only. A WebSocket (hijacked) and a long-polling GET
// that waits for the next ping, both longer than the idle timeout, go on.
func TestIdleTimeoutSparesLongRequests(t *testing.T) {
	shortIdleTimeout(t, 100*time.Millisecond)
	wb := startWorkbook(t, "testserver", "--addr", "127.0.0.1:0", "--ping-interval", "1s", "--ping-timeout", "2s")
	u, err := url.Parse(wb.URL)
	if err != nil {
		t.Fatal(err)
	}

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+u.Host+"/engine.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, open, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(open), "0{") {
		t.Fatalf("open: %q %v", open, err)
	}

	// A long-polling GET of a new session: it waits for the first ping, a
	// second after the handshake.
	res, err := http.Get(wb.URL + "/engine.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	hs, _ := io.ReadAll(res.Body)
	res.Body.Close()
	sid := between(string(hs), `"sid":"`, `"`)
	if sid == "" {
		t.Fatalf("handshake: %q", hs)
	}
	type answer struct {
		code int
		body string
		err  error
	}
	poll := make(chan answer, 1)
	go func() {
		res, err := http.Get(wb.URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid)
		if err != nil {
			poll <- answer{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		poll <- answer{res.StatusCode, string(b), err}
	}()

	// The idle timeout has passed once an idle connection opened after
	// both is closed.
	c, br := keepAlive(t, u.Host)
	if err := waitClosedByServer(c, br, time.Now().Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}

	if a := <-poll; a.err != nil || a.code != http.StatusOK || a.body != "2" {
		t.Errorf("the long-polling GET: %d %q %v, want 200 \"2\" (the ping)", a.code, a.body, a.err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("4still here")); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("the WebSocket after the idle timeout: %v", err)
		}
		if string(msg) == "2" {
			_ = ws.WriteMessage(websocket.TextMessage, []byte("3"))
			continue
		}
		if string(msg) != "4still here" {
			t.Fatalf("the WebSocket after the idle timeout: %q", msg)
		}
		break
	}
}

// between returns what s holds between the first from and the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	j := strings.Index(s, to)
	if j < 0 {
		return ""
	}
	return s[:j]
}
