package engine_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// stalledPost sends the headers of a POST announcing 1,000,000 bytes, and
// 900 KB of it, then nothing: the probe's slow body.
func stalledPost(t *testing.T, e *env, sid string) net.Conn {
	t.Helper()
	c, addr := dialTCP(t, e)
	fmt.Fprintf(c, "POST /engine.io/?EIO=4&transport=polling&sid=%s HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000000\r\n\r\n", sid, addr)
	if _, err := c.Write(bytes.Repeat([]byte("x"), 900_000)); err != nil {
		t.Fatal(err)
	}
	return c
}

// A POST body slower than HTTPRequestBodyTimeout gets 408, its connection
// is closed and the session ends, as with the official server.
func TestPollingSlowPostTimesOut(t *testing.T) {
	e := newEnv(t, engine.Config{HTTPRequestBodyTimeout: 200 * time.Millisecond}, nil)
	p := e.handshake()
	c := stalledPost(t, e, p.sid)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a stalled POST: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("stalled POST = %d, want 408", res.StatusCode)
	}
	if _, err := br.ReadByte(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after the 408: %v, want the connection closed", err)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
}

// A POST still reading its body when its session ends is aborted, so that
// its buffer and connection go with the session (the official server
// destroys the request): here the session ends by ping timeout, as the
// client that stalls its POST answers no ping.
func TestPollingPostAbortedWhenSessionCloses(t *testing.T) {
	e := newEnv(t, fastHeartbeat, nil)
	p := e.handshake()
	c := stalledPost(t, e, p.sid)
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonPingTimeout {
		t.Errorf("reason = %q", r)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(make([]byte, 1024))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the POST of a closed session is still held")
	}
	if n > 0 {
		t.Errorf("the aborted POST got an answer; want the connection cut")
	}
}
