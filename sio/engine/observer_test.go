package engine_test

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

func TestObserver(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, engine.Config{Observer: rec.observer()}, nil)
	p := e.handshake()
	s := e.h.session(t)
	p.mustPost("4hi\x1ebAQ==")
	p.mustGet("4hi\x1ebAQ==")
	get := p.pendingGet(t, s)
	ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
	ws.send("2probe")
	ws.mustRead("3probe")
	recv(t, get)
	ws.send("5")
	ws.send("4ws")
	ws.mustRead("4ws")
	ws.send("1")
	ws.expectClosed()
	e.h.waitClose(t, p.sid)

	opened, upgraded, closed, packets, debug := rec.snapshot()
	if !slices.Equal(opened, []string{p.sid}) {
		t.Errorf("opened = %v", opened)
	}
	if !slices.Equal(upgraded, []string{p.sid + " websocket"}) {
		t.Errorf("upgraded = %v", upgraded)
	}
	if !slices.Equal(closed, []string{p.sid + " transport close"}) {
		t.Errorf("closed = %v", closed)
	}
	sid := p.sid + " "
	wantPackets := []string{
		sid + "out polling open " + `{"sid":"` + p.sid + `","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		sid + "in polling message hi",
		sid + "in polling message \x01",
		sid + "out polling message hi",
		sid + "out polling message \x01",
		sid + "in websocket ping probe",
		sid + "out websocket pong probe",
		sid + "out polling noop ",
		sid + "in websocket upgrade ",
		sid + "in websocket message ws",
		sid + "out websocket message ws",
		sid + "in websocket close ",
	}
	if !slices.Equal(packets, wantPackets) {
		t.Errorf("packets:\n%s\nwant:\n%s", strings.Join(packets, "\n"), strings.Join(wantPackets, "\n"))
	}
	for _, want := range []string{
		"engine  handling \"GET\" http request",
		"engine " + sid + `handshaking client "` + p.sid + `"`,
		"engine:polling " + sid + "setting request",
		"engine:polling " + sid + `writing "4hi\x1ebAQ=="`,
		"engine:socket " + sid + "received packet message",
		"engine " + sid + "upgrading existing transport",
		"engine:socket " + sid + "got probe ping packet, sending pong",
		"engine:socket " + sid + "writing a noop packet to polling for fast upgrade",
		"engine:socket " + sid + "got upgrade packet - upgrading",
		"engine:ws " + sid + `writing "4ws"`,
		"engine:ws " + sid + `received "4ws"`,
		"engine:socket " + sid + "closing session - reason: transport close",
	} {
		if !slices.ContainsFunc(debug, func(d string) bool { return strings.HasPrefix(d, want) }) {
			t.Errorf("no debug line starting %q", want)
		}
	}
	if t.Failed() {
		t.Logf("debug lines:\n%s", strings.Join(debug, "\n"))
	}
}

func TestObserverHeartbeatDebug(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, engine.Config{Observer: rec.observer(), PingInterval: 50 * time.Millisecond, PingTimeout: 300 * time.Millisecond}, nil)
	ws, s := openWS(t, e)
	ws.mustRead("2")
	ws.send("3")
	ws.mustRead("2")
	e.h.waitClose(t, s.ID())
	_, _, closed, _, debug := rec.snapshot()
	for _, want := range []string{
		"engine:socket " + s.ID() + " writing ping packet - expecting pong within 300ms",
		"engine:socket " + s.ID() + " got pong",
		"engine:socket " + s.ID() + " closing session - reason: ping timeout",
	} {
		if !slices.Contains(debug, want) {
			t.Errorf("no debug line %q", want)
		}
	}
	if !slices.Equal(closed, []string{s.ID() + " ping timeout"}) {
		t.Errorf("closed = %v", closed)
	}
}

// TestDebugGate: while the observer wants no debug lines, the lines about
// each packet are not written, but the packets and the other lines are.
func TestDebugGate(t *testing.T) {
	rec := &recorder{}
	var closed atomic.Bool
	closed.Store(true)
	obs := rec.observer()
	obs.WantsDebug = func() bool { return !closed.Load() }
	e := newEnv(t, engine.Config{Observer: obs}, nil)
	ws, s := openWS(t, e)
	ws.send("4shut")
	ws.mustRead("4shut")
	closed.Store(false)
	ws.send("4open")
	ws.mustRead("4open")
	ws.send("1")
	ws.expectClosed()
	e.h.waitClose(t, s.ID())

	_, _, _, packets, _ := rec.snapshot()
	for _, want := range []string{"in websocket message shut", "out websocket message shut", "in websocket message open", "out websocket message open"} {
		if !slices.ContainsFunc(packets, func(p string) bool { return strings.HasSuffix(p, want) }) {
			t.Errorf("no packet %q in %v", want, packets)
		}
	}
	text := strings.Join(rec.debugTexts(), "\n")
	for _, absent := range []string{`received "4shut"`, `writing "4shut"`} {
		if strings.Contains(text, absent) {
			t.Errorf("%q written while the observer wanted none:\n%s", absent, text)
		}
	}
	for _, present := range []string{`received "4open"`, `writing "4open"`, "closing session - reason: transport close"} {
		if !strings.Contains(text, present) {
			t.Errorf("no %q:\n%s", present, text)
		}
	}
}

// TestObserverSomeHooks: an Observer sets only the hooks it needs; the
// others are skipped, and the server keeps the hooks it was given.
func TestObserverSomeHooks(t *testing.T) {
	rec := &recorder{}
	obs := &engine.Observer{Packet: rec.Packet}
	e := newEnv(t, engine.Config{Observer: obs}, nil)
	obs.Packet = nil // the server has its copy
	ws, s := openWS(t, e)
	ws.send("4hi")
	ws.mustRead("4hi")
	ws.send("1")
	ws.expectClosed()
	e.h.waitClose(t, s.ID())

	opened, _, closed, packets, debug := rec.snapshot()
	if len(opened) != 0 || len(closed) != 0 || len(debug) != 0 {
		t.Errorf("hooks not set were called: opened %v, closed %v, debug %v", opened, closed, debug)
	}
	for _, want := range []string{"in websocket message hi", "out websocket message hi", "in websocket close "} {
		if !slices.ContainsFunc(packets, func(p string) bool { return strings.HasSuffix(p, want) }) {
			t.Errorf("no packet %q in %v", want, packets)
		}
	}
}
