package proxy_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/inspector/proxy"
)

// bomb returns enc's compression of n zero bytes: a few KB per 64 MiB.
func bomb(t *testing.T, enc string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	case "deflate":
		w, _ = zlib.NewWriterLevel(&buf, zlib.BestCompression)
	}
	zeros := make([]byte, 1<<20)
	for range n >> 20 {
		w.Write(zeros)
	}
	w.Close()
	return buf.Bytes()
}

// TestCompressionBombNotInflated: a target answering a polling GET with a
// gzip or deflate bomb gets it forwarded as it is, but the proxy inflates
// it no further than MaxBody to record it; the session goes on.
func TestCompressionBombNotInflated(t *testing.T) {
	const inflated = 64 << 20
	bombs := map[string][]byte{"gzip": bomb(t, "gzip", inflated), "deflate": bomb(t, "deflate", inflated)}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("sid") == "" {
			io.WriteString(w, `0{"sid":"Z1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`)
			return
		}
		enc := q.Get("enc")
		w.Header().Set("Content-Encoding", enc)
		w.Write(bombs[enc])
	}))
	t.Cleanup(target.Close)
	e := startProxyWith(t, target.URL, proxy.Config{MaxBody: 1 << 20})
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(c.CloseIdleConnections)
	get := func(q string) []byte {
		t.Helper()
		resp, err := c.Get(e.URL + "/socket.io/?EIO=4&transport=polling" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", q, resp.StatusCode, err)
		}
		return b
	}
	get("")
	for _, enc := range []string{"gzip", "deflate"} {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got := get("&sid=Z1&enc=" + enc)
		runtime.ReadMemStats(&after)
		if !bytes.Equal(got, bombs[enc]) {
			t.Errorf("%s: the answer was not forwarded as it came (%d bytes, want %d)", enc, len(got), len(bombs[enc]))
		}
		// The proxy (and this test's client) allocate a few times MaxBody;
		// inflating the bomb whole takes 64 MiB and more.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 24<<20 {
			t.Errorf("%s: %d MiB allocated to pass a %d KB answer that inflates to %d MiB", enc, alloc>>20, len(bombs[enc])>>10, inflated>>20)
		}
	}
	if e.Proxy.OpenSessions() != 1 {
		t.Errorf("open sessions: %d, want 1: an answer too large to record ends nothing", e.Proxy.OpenSessions())
	}
}

// wsTarget is an Engine.IO server of sorts on WebSocket: it opens a session
// per connection, echoes, answers "4big" with a message of big bytes, and
// counts the connections whose reading ended.
type wsTarget struct {
	big    int
	n      atomic.Int64
	closed chan int // the close code each connection's read ended with, -1 for another error
}

func (wt *wsTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	sid := fmt.Sprintf("W%d", wt.n.Add(1))
	c.WriteMessage(websocket.TextMessage, []byte(`0{"sid":"`+sid+`","upgrades":[],"pingInterval":25000,"pingTimeout":20000}`))
	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			code := -1
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code = ce.Code
			}
			wt.closed <- code
			return
		}
		if string(data) == "4big" {
			data = append([]byte("4"), bytes.Repeat([]byte{'x'}, wt.big)...)
		}
		if err := c.WriteMessage(typ, data); err != nil {
			return
		}
	}
}

// dialWS opens a WebSocket session through the proxy at base and returns
// it and its sid.
func dialWS(t *testing.T, base string) (*websocket.Conn, string) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, open, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	sid := strings.TrimPrefix(string(open), `0{"sid":"`)
	return c, sid[:strings.IndexByte(sid, '"')]
}

// echo checks that c's session still works.
func echo(t *testing.T, c *websocket.Conn, what string) {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte("4"+what)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if _, got, err := c.ReadMessage(); err != nil || string(got) != "4"+what {
		t.Fatalf("%s: got %q %v", what, got, err)
	}
}

// closeCode reads c until it fails and returns the close code it got.
func closeCode(c *websocket.Conn) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, nil
			}
			return 0, err
		}
	}
}

// TestWebSocketMessageCap: a WebSocket message over MaxMessage, from the
// client or from the target, ends that session: the proxy closes both sides
// (1009 to the client, as the official server does), records the session as
// ended with the official server's reason, and reads no more of the
// message. Another session through the proxy sees nothing.
func TestWebSocketMessageCap(t *testing.T) {
	const limit = 64 << 10
	wt := &wsTarget{big: 2 * limit, closed: make(chan int, 8)}
	target := httptest.NewServer(wt)
	t.Cleanup(target.Close)
	e := startProxyWith(t, target.URL, proxy.Config{MaxMessage: limit})

	bystander, _ := dialWS(t, e.URL)
	echo(t, bystander, "before")

	for _, tc := range []struct {
		name string
		send string
	}{
		{"from the client", "4" + strings.Repeat("y", 2*limit)},
		{"from the target", "4big"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, sid := dialWS(t, e.URL)
			echo(t, c, "just under the cap "+strings.Repeat("z", limit-40))
			if err := c.WriteMessage(websocket.TextMessage, []byte(tc.send)); err != nil {
				t.Fatal(err)
			}
			if code, err := closeCode(c); code != websocket.CloseMessageTooBig {
				t.Errorf("the client's side closed with %d %v, want %d", code, err, websocket.CloseMessageTooBig)
			}
			c.Close() // as a client does once the close frames crossed: the proxy's drain ends
			select {
			case <-wt.closed:
			case <-time.After(10 * time.Second):
				t.Fatal("the target's side was not closed")
			}
			waitFor(t, "the session to end", func() bool {
				e.flush(t)
				s, err := e.DB.Session(t.Context(), sid)
				return err == nil && !s.EndedAt.IsZero()
			})
			if s, _ := e.DB.Session(t.Context(), sid); s.CloseReason != "transport error" {
				t.Errorf("session %s ended with %q, want \"transport error\"", sid, s.CloseReason)
			}
			echo(t, bystander, "after "+tc.name)
		})
	}
	bystander.Close()
	waitNoProxyGoroutines(t)
}

// TestPollingPostCap: a polling POST over MaxMessage, announced or sent
// chunked, is refused with 413 as the official server refuses it, never
// reaches the target, and ends its session; one at the cap goes through.
func TestPollingPostCap(t *testing.T) {
	const limit = 64 << 10
	f := &fakeTarget{}
	target := httptest.NewServer(f)
	t.Cleanup(target.Close)
	e := startProxyWith(t, target.URL, proxy.Config{MaxMessage: limit})
	post := func(body io.Reader) int {
		t.Helper()
		if resp, err := http.Get(e.URL + "/socket.io/?EIO=4&transport=polling"); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
		}
		resp, err := http.Post(e.URL+"/socket.io/?EIO=4&transport=polling&sid=S1", "text/plain", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(bytes.NewReader(bytes.Repeat([]byte{'4'}, limit))); code != http.StatusOK {
		t.Fatalf("a POST at the cap: %d", code)
	}
	for name, body := range map[string]func() io.Reader{
		"announced": func() io.Reader { return bytes.NewReader(bytes.Repeat([]byte{'4'}, limit+1)) },
		"chunked":   func() io.Reader { return io.MultiReader(strings.NewReader(strings.Repeat("4", 2*limit))) },
	} {
		if code := post(body()); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s POST over the cap: %d, want 413", name, code)
		}
		e.flush(t)
		if s, err := e.DB.Session(t.Context(), "S1"); err != nil || s.EndedAt.IsZero() || s.CloseReason != "transport error" {
			t.Errorf("%s: session after the refused POST: %+v %v", name, s, err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.posts) != 1 {
		t.Errorf("the target got %d POSTs, want only the one at the cap", len(f.posts))
	}
}
