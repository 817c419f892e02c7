package engine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sioworkbook/workbook/sio/engine"
)

// The outbound queue is bounded in bytes as well as in packets: a client
// that asks for big answers and never collects them is dropped once the
// bytes held for it would pass MaxBufferedBytes, however few packets that
// is.
func TestQueueBytesBoundPolling(t *testing.T) {
	const mb = 1 << 20
	e := newEnv(t, engine.Config{MaxBufferedBytes: 4 * mb}, newTestHandler(t, false))
	p := e.handshake()
	s := e.h.sessionByID(t, p.sid)
	big := bytes.Repeat([]byte("x"), mb)
	for i := range 4 { // exactly the bound: held
		if err := s.Send(engine.Message{Data: big}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := s.Send(engine.Message{Data: []byte("one byte too many")}); !errors.Is(err, engine.ErrQueueFull) {
		t.Fatalf("Send past MaxBufferedBytes = %v, want ErrQueueFull", err)
	}
	if r := e.h.waitClose(t, p.sid); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	// another session is not affected, and a message bigger than the
	// bound alone is accepted: the bound is not a message size limit
	p2 := e.handshake()
	s2 := e.h.sessionByID(t, p2.sid)
	huge := bytes.Repeat([]byte("y"), 5*mb)
	if err := s2.Send(engine.Message{Data: huge}); err != nil {
		t.Fatalf("a lone message over the bound: %v", err)
	}
	p2.mustGet("4" + string(huge))
	// what a GET took no longer counts
	for range 4 {
		if err := s2.Send(engine.Message{Data: big}); err != nil {
			t.Fatalf("Send after the GET: %v", err)
		}
	}
}

// On WebSocket, the bytes the writer is still writing to a client that does
// not read count too.
func TestQueueBytesBoundWebSocket(t *testing.T) {
	const mb = 1 << 20
	e := newEnv(t, engine.Config{MaxBufferedBytes: 4 * mb}, newTestHandler(t, false))
	_, stuck := openWS(t, e)
	fast, fs := openWS(t, e)
	big := bytes.Repeat([]byte("x"), mb)
	var err error
	sent := 0
	// The socket buffers of the loopback connection take some megabytes
	// before the writer blocks; 4096 packets (the packet bound) would be
	// 4 GiB.
	for ; sent < 256 && err == nil; sent++ {
		err = stuck.Send(engine.Message{Data: big})
	}
	if !errors.Is(err, engine.ErrQueueFull) {
		t.Fatalf("after %d sends of 1 MiB to a client that does not read: %v, want ErrQueueFull", sent, err)
	}
	if r := e.h.waitClose(t, stuck.ID()); r != engine.ReasonTransportError {
		t.Errorf("reason = %q", r)
	}
	fs.Send(engine.Message{Data: []byte("still here")})
	fast.mustRead("4still here")
}
