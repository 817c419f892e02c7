package engine_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// fastHeartbeat makes sessions that do not answer die quickly.
var fastHeartbeat = engine.Config{PingInterval: 50 * time.Millisecond, PingTimeout: 50 * time.Millisecond}

// fastPings pings quickly but gives the client time to answer, even on a
// busy machine.
var fastPings = engine.Config{PingInterval: 50 * time.Millisecond, PingTimeout: time.Second}

func TestHeartbeatWebSocket(t *testing.T) {
	e := newEnv(t, fastPings, nil)
	ws, _ := openWS(t, e)
	for range 3 {
		ws.mustRead("2")
		ws.send("3")
	}
	ws.send("4alive")
	ws.mustRead("4alive")
}

func TestPingTimeoutWebSocket(t *testing.T) {
	e := newEnv(t, fastHeartbeat, nil)
	ws, s := openWS(t, e)
	ws.mustRead("2")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonPingTimeout {
		t.Errorf("reason = %q", r)
	}
}

// Only a pong counts as liveness: messages alone do not keep a session.
func TestMessagesAreNotPongs(t *testing.T) {
	e := newEnv(t, fastHeartbeat, nil)
	ws, s := openWS(t, e)
	stop := time.After(300 * time.Millisecond)
loop:
	for {
		select {
		case <-stop:
			break loop
		default:
		}
		ws.c.WriteMessage(1, []byte("4x"))
		if _, err := ws.read(); err != nil {
			break
		}
	}
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonPingTimeout {
		t.Errorf("reason = %q", r)
	}
}

func TestWrongHeartbeatDirection(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	p.post("2")
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("polling: reason = %q", r)
	}
	ws, s := openWS(t, e)
	ws.send("2")
	ws.expectClosed()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportError {
		t.Errorf("websocket: reason = %q", r)
	}
}

// An unsolicited pong is ignored: it neither closes the session nor delays
// the next ping.
func TestUnsolicitedPong(t *testing.T) {
	e := newEnv(t, fastPings, nil)
	ws, _ := openWS(t, e)
	ws.send("3")
	ws.mustRead("2")
	ws.send("3")
	ws.mustRead("2")
	ws.send("3")
}
