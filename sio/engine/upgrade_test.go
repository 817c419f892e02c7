package engine_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// pendingGet starts a GET and returns a channel with its body.
func (p *poller) pendingGet(t *testing.T, s *engine.Session) <-chan string {
	t.Helper()
	c := make(chan string, 1)
	go func() {
		status, body := p.get()
		if status != 200 {
			body = fmt.Sprintf("status %d: %s", status, body)
		}
		c <- body
	}()
	eventually(t, "a pending GET", s.Writable)
	return c
}

func recv(t *testing.T, c <-chan string) string {
	t.Helper()
	select {
	case s := <-c:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("timed out")
	}
	return ""
}

func TestUpgrade(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, engine.Config{Observer: rec.observer()}, nil)
	p := e.handshake()
	s := e.h.session(t)
	get := p.pendingGet(t, s)

	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	if body := recv(t, get); body != "6" {
		t.Fatalf("pending GET = %q, want noop", body)
	}
	// the noop repeats for every GET made during the upgrade (without it,
	// the GET would wait for the next ping, "2")
	for range 2 {
		p.mustGet("6")
	}
	if s.Transport() != "polling" {
		t.Errorf("transport switched before the upgrade packet")
	}
	ws.send("5")
	ws.send("4hello")
	ws.mustRead("4hello")
	if s.Transport() != "websocket" {
		t.Errorf("Transport = %q", s.Transport())
	}
	_, upgraded, _, _, _ := rec.snapshot()
	if len(upgraded) != 1 || upgraded[0] != p.sid+" websocket" {
		t.Errorf("observer upgraded = %v", upgraded)
	}

	// polling is over for this session
	status, body := p.get()
	checkError(t, status, body, 400, 3, "Bad request")
	status, body = p.post("4x")
	checkError(t, status, body, 400, 3, "Bad request")
	// and so are other WebSockets
	ws2 := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws2.expectClosed()

	ws.send("4still")
	ws.mustRead("4still")
}

func TestUpgradeWithoutPendingGet(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	ws.send("5")
	ws.send("4hello")
	ws.mustRead("4hello")
}

// A GET still waiting when the upgrade packet arrives (which a compliant
// client never leaves) is answered like any later GET, and what was queued
// goes out on the WebSocket.
func TestUpgradeWithGetInFlight(t *testing.T) {
	e := newEnv(t, engine.Config{}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.session(t)
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	// noops answer GETs every 100 ms during the upgrade: right after one,
	// there is time to make a GET that waits
	p.mustGet("6")
	get := p.pendingGet(t, s)
	ws.send("5")
	if body := recv(t, get); body != `status 400: {"code":3,"message":"Bad request"}` {
		t.Fatalf("GET pending at upgrade = %q", body)
	}
	s.Send(engine.Message{Data: []byte("after")})
	ws.mustRead("4after")
}

// Packets sent all through the upgrade window arrive exactly once and in
// order, over polling first and WebSocket after, as a real client sees them.
func TestUpgradeLosesNothing(t *testing.T) {
	for round := range 5 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			e := newEnv(t, engine.Config{}, newTestHandler(t, false))
			p := e.handshake()
			s := e.h.session(t)

			var sent int
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if s.Send(engine.Message{Data: []byte(strconv.Itoa(sent))}) != nil {
						t.Error("Send failed")
						return
					}
					sent++
					time.Sleep(100 * time.Microsecond)
				}
			}()

			var got []string
			take := func(body string) {
				for rec := range strings.SplitSeq(body, "\x1e") {
					switch {
					case rec == "6":
					case strings.HasPrefix(rec, "4"):
						got = append(got, rec[1:])
					default:
						t.Errorf("unexpected record %q", rec)
					}
				}
			}
			// poll a little, then upgrade as engine.io-client does
			for range 3 {
				_, body := p.get()
				take(body)
			}
			ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
			probed := make(chan struct{})
			go func() { // reads only until probed: then the test reads
				defer close(probed)
				ws.send("2probe")
				if msg, err := ws.read(); err != nil || msg != "3probe" {
					t.Errorf("probe answer = %q, %v", msg, err)
				}
			}()
			for paused := false; !paused; {
				select {
				case <-probed:
					paused = true // the GET in flight has returned: stop polling
				default:
				}
				status, body := p.get()
				if status != 200 {
					t.Fatalf("GET during upgrade = %d %s", status, body)
				}
				take(body)
			}
			ws.send("5")
			time.Sleep(20 * time.Millisecond)
			close(stop)
			wg.Wait()
			for len(got) < sent {
				msg, err := ws.read()
				if err != nil {
					t.Fatalf("after %d of %d: %v", len(got), sent, err)
				}
				if msg == "2" {
					continue
				}
				take(msg)
			}
			if len(got) != sent {
				t.Fatalf("got %d packets, sent %d", len(got), sent)
			}
			for i, g := range got {
				if g != strconv.Itoa(i) {
					t.Fatalf("packet %d = %s (lost, duplicated or reordered)", i, g)
				}
			}
		})
	}
}

func TestUpgradeRefusals(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	// a second WebSocket while the first is probing is closed
	ws2 := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws2.expectClosed()
	ws.send("5")
	ws.send("4ok")
	ws.mustRead("4ok")

	// a WebSocket-only session cannot be upgraded again
	ws3, s3 := openWS(t, e)
	ws4 := e.dial("EIO=4&transport=websocket&sid=" + s3.ID())
	ws4.expectClosed()
	ws3.send("4ok")
	ws3.mustRead("4ok")
}

func TestUpgradeTimeout(t *testing.T) {
	e := newEnv(t, engine.Config{UpgradeTimeout: 100 * time.Millisecond}, nil)
	p := e.handshake()
	s := e.h.session(t)
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	ws.expectClosed()
	if s.Transport() != "polling" {
		t.Errorf("Transport = %s", s.Transport())
	}
	p.mustPost("4polling goes on")
	p.mustGet("4polling goes on")
	// and it may try again
	ws = e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	ws.send("5")
	ws.send("4ws")
	ws.mustRead("4ws")
}

func TestUpgradeUnexpectedPacket(t *testing.T) {
	for _, frame := range []string{"4hello", "2", "abc", "3probe"} {
		e := newEnv(t, engine.Config{}, nil)
		p := e.handshake()
		ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
		ws.send("2probe")
		ws.mustRead("3probe")
		ws.send(frame)
		ws.expectClosed()
		p.mustPost("4polling goes on")
		p.mustGet("4polling goes on")
		if e.srv.Count() != 1 {
			t.Errorf("%q: Count = %d", frame, e.srv.Count())
		}
	}
}

func TestUpgradeProbeClosedByClient(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	ws.c.Close()
	// polling goes on, and a new probe is accepted
	p.mustPost("4x")
	p.mustGet("4x")
	eventually(t, "the probe to be released", func() bool {
		ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
		ws.send("2probe")
		msg, err := ws.read()
		return err == nil && msg == "3probe"
	})
}

func TestSessionClosedDuringUpgrade(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.session(t)
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	p.post("1")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
}
