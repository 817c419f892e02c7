package engine_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Drop on WebSocket: the connection ends with no close frame, as a cut
// network would end it, and the handler hears "transport close".
func TestDropWebSocket(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	ws, s := openWS(t, e)
	ws.send("4before")
	ws.mustRead("4before")
	s.Faults().Drop()
	err := ws.expectClosed()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseAbnormalClosure {
		// gorilla reports a connection that ends with no close frame as 1006
		t.Errorf("read error %v; want the connection cut (1006, no close frame)", err)
	}
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	if err := s.Send(engine.Message{Data: []byte("late")}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Send after Drop = %v", err)
	}
	s.Faults().Drop() // harmless once closed
}

// Drop on polling: the pending GET is aborted with no response at all,
// and the session is gone for the next request.
func TestDropPolling(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	s := e.h.sessionByID(t, p.sid)
	got := make(chan error, 1)
	go func() {
		res, err := e.client.Get(e.url(p.query()))
		if err == nil {
			res.Body.Close()
			err = errors.New(res.Status)
		}
		got <- err
	}()
	eventually(t, "a pending GET", s.Writable)
	s.Faults().Drop()
	select {
	case err := <-got:
		if err == nil || err.Error() == "200 OK" {
			t.Errorf("pending GET = %v, want the connection cut", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the pending GET was not aborted")
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
	if status, _ := p.get(); status != http.StatusBadRequest {
		t.Errorf("GET after Drop = %d", status)
	}
}

// StopHeartbeat: no more pings, and no ping timeout on the server side;
// the session still carries messages until the client gives up.
func TestStopHeartbeat(t *testing.T) {
	e := newEnv(t, fastPings, nil)
	ws, s := openWS(t, e)
	ws.mustRead("2")
	ws.send("3")
	s.Faults().StopHeartbeat()
	// At most the ping already on its way comes; then none, for many
	// intervals, and the session stays.
	deadline := time.Now().Add(20 * fastPings.PingInterval)
	ws.c.SetReadDeadline(deadline)
	var frames []string
	for {
		_, data, err := ws.c.ReadMessage()
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); !ok || !ne.Timeout() {
				t.Fatalf("read: %v", err)
			}
			break
		}
		frames = append(frames, string(data))
	}
	if n := len(slices.DeleteFunc(frames, func(f string) bool { return f != "2" })); n > 1 {
		t.Errorf("%d pings after StopHeartbeat", n)
	}
	if !slices.Contains(e.srv.Sessions(), s) {
		t.Fatal("the session closed, want it open")
	}
	// A fresh connection is needed after a read timeout: gorilla's
	// connection is unusable. The server side still works: the session
	// ends when the client closes it.
	ws.c.Close()
	if r := e.h.waitClose(t, s.ID()); r != engine.ReasonTransportClose {
		t.Errorf("reason = %q", r)
	}
}

// StopHeartbeat on polling: pongs answered late are ignored, and the next
// GET waits without a ping.
func TestStopHeartbeatPolling(t *testing.T) {
	e := newEnv(t, fastPings, nil)
	p := e.handshake()
	s := e.h.sessionByID(t, p.sid)
	p.mustGet("2")
	s.Faults().StopHeartbeat()
	p.mustPost("3") // the answer to the last ping: it must not re-arm it
	p.mustPost("4x")
	p.mustGet("4x")
	get := p.pendingGet(t, s)
	time.Sleep(10 * fastPings.PingInterval) // lets a wrongly armed ping show up
	s.Send(engine.Message{Data: []byte("after")})
	if body := recv(t, get); body != "4after" {
		t.Errorf("GET = %q, want the message and no ping", body)
	}
}

func TestSessions(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	if n := len(e.srv.Sessions()); n != 0 {
		t.Fatalf("%d sessions at start", n)
	}
	p := e.handshake()
	_, s := openWS(t, e)
	got := e.srv.Sessions()
	ids := []string{got[0].ID()}
	if len(got) == 2 {
		ids = append(ids, got[1].ID())
	}
	slices.Sort(ids)
	want := []string{p.sid, s.ID()}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("Sessions = %v, want %v", ids, want)
	}
}
