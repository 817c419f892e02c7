package engine_test

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// A WebSocket text frame that is not UTF-8 closes its sender with 1007, as
// the official server does; the message reaches no handler, and other
// sessions see nothing.
func TestWebSocketInvalidUTF8(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	bad, bs := openWS(t, e)
	_, other := openWS(t, e)
	bad.send("4\xff\xfe")
	var ce *websocket.CloseError
	if err := bad.expectClosed(); !errors.As(err, &ce) || ce.Code != websocket.CloseInvalidFramePayloadData {
		t.Errorf("close = %v, want 1007", err)
	}
	for {
		ev := e.h.next(t)
		if ev.kind == "message" {
			t.Fatalf("a message reached the handler: %+v", ev)
		}
		if ev.sid != bs.ID() {
			t.Fatalf("another session heard something: %+v", ev)
		}
		if ev.reason != engine.ReasonTransportError {
			t.Errorf("reason = %q", ev.reason)
		}
		break
	}
	if err := other.Send(engine.Message{Data: []byte("fine")}); err != nil {
		t.Errorf("the other session: %v", err)
	}
	// binary frames carry any bytes
	ws, _ := openWS(t, newEnv(t, engine.Config{}, nil))
	ws.sendBinary([]byte{0xff, 0xfe})
	ws.mustRead("bin:\xff\xfe")
}

// A polling body is text: invalid UTF-8 in it becomes U+FFFD, as the
// official server decodes it, and the session goes on.
func TestPollingInvalidUTF8(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	p.mustPost("4a\xffb\x1e4\xe2\x82")
	p.mustGet("4a\uFFFDb\x1e4\uFFFD")
	for _, want := range []string{"a\uFFFDb", "\uFFFD"} {
		if ev := e.h.next(t); ev.data != want {
			t.Errorf("message %q, want %q", ev.data, want)
		}
	}
	// base64 records are ASCII: bytes outside it spoil them as before
	status, _ := p.post("bAQ\xffID")
	if status != 200 {
		t.Errorf("POST = %d", status)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonParseError {
		t.Errorf("reason = %q", r)
	}
}

// A frame over MaxHTTPBufferSize is closed with 1009, and the client that
// is still sending it is not reset: the server reads and drops the rest
// for a while, as the official server does, rather than closing a
// connection with unread data, which resets it. A client that notices the
// reset on its write (Node's ws does) reports 1006 and never sees the 1009.
func TestWebSocketOversizedFrameAlways1009(t *testing.T) {
	e := newEnv(t, engine.Config{MaxHTTPBufferSize: 1000}, nil)
	big := bytes.Repeat([]byte("x"), 16<<20) // more than the loopback buffers hold
	big[0] = '4'
	for i := range 3 {
		ws, s := openWS(t, e)
		if err := ws.c.WriteMessage(websocket.TextMessage, big); err != nil {
			t.Errorf("run %d: writing the oversized frame: %v, want it read and dropped", i, err)
		}
		var ce *websocket.CloseError
		if err := ws.expectClosed(); !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
			t.Errorf("run %d: close = %v, want 1009", i, err)
		}
		if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
			t.Errorf("reason = %q", r)
		}
		ws.c.Close()
	}
}

// Each maximal ill-formed subsequence becomes one U+FFFD, as in Node's
// Buffer.toString and the WHATWG decoder.
func TestToValidUTF8(t *testing.T) {
	const r = "\uFFFD"
	for in, want := range map[string]string{
		"ok €":              "ok €",
		"\xff\xfe":          r + r,
		"\xe2\x82":          r,             // a truncated euro sign
		"\xe2\x82x":         r + "x",       // the same, followed
		"\xf0\x80\x80":      r + r + r,     // overlong: F0 needs 90..BF next
		"\xed\xa0\x80":      r + r + r,     // a surrogate
		"\xf4\x90\x80\x80":  r + r + r + r, // past U+10FFFF
		"\xf0\x9f\x98":      r,             // a truncated emoji
		"a\xc3\x28b":        "a" + r + "(b",
		"\xc0\xaf":          r + r,
		"4\x1e4\xff\x1e4ok": "4\x1e4" + r + "\x1e4ok",
	} {
		if got := string(engine.ToValidUTF8([]byte(in))); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func FuzzToValidUTF8(f *testing.F) {
	for _, s := range []string{"4hello", "4\xff\xfe", "4\xe2\x82", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "42[\"bcast\",\"\xff\xfe\"]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := engine.ToValidUTF8(in)
		if !utf8.Valid(out) {
			t.Fatalf("%q -> %q, not UTF-8", in, out)
		}
		if utf8.Valid(in) && !bytes.Equal(in, out) {
			t.Fatalf("valid %q changed to %q", in, out)
		}
		// ASCII, the record separator among it, stays where it was
		if bytes.Count(in, []byte{0x1e}) != bytes.Count(out, []byte{0x1e}) {
			t.Fatalf("%q -> %q: record separators changed", in, out)
		}
	})
}
