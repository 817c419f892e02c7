package engine_test

import (
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio/engine"
)

// TestObserverNoDebugAllocatesNothing: a message that Send writes at once
// costs the same allocations with an observer that wants no debug lines
// (as the inspector's recorder) as without an observer. Before, telling
// the observer moved the packet to the heap, one allocation per delivery.
func TestObserverNoDebugAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	engine.SetWriteNowGap(t, 0)
	allocs := func(obs *engine.Observer) float64 {
		e := newEnv(t, engine.Config{Observer: obs}, newTestHandler(t, false))
		ws := e.dial("EIO=4&transport=websocket")
		if open, err := ws.read(); err != nil || !strings.HasPrefix(open, "0") {
			t.Fatalf("open = %q, %v", open, err)
		}
		s := e.h.session(t)
		msg := engine.Message{Data: []byte("hello")}.Prepared()
		send := func() {
			if err := s.Send(msg); err != nil {
				t.Fatal(err)
			}
			ws.mustRead("4hello")
		}
		for range 10 {
			send()
		}
		before := engine.NowWrites()
		n := testing.AllocsPerRun(200, send)
		if engine.NowWrites() == before {
			t.Fatal("no message was written at once by Send")
		}
		return n
	}
	bare := allocs(nil)
	var seen int
	observed := allocs(&engine.Observer{
		Packet:     func(*engine.Session, engine.Direction, string, engine.Packet) { seen++ },
		WantsDebug: func() bool { return false },
	})
	if seen == 0 {
		t.Fatal("the observer saw no packet")
	}
	if observed > bare {
		t.Errorf("%.0f allocations per message with an observer, %.0f without", observed, bare)
	}
}

// TestSendAtOnceAllocs: a message Send writes at once costs no allocation
// for its frame, whether it comes with one built (Message.Prepared, as a
// broadcast's) or not (a reply, an ack): the frame of the latter is built
// in a pooled buffer.
func TestSendAtOnceAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	engine.SetWriteNowGap(t, 0)
	allocs := func(msg engine.Message) float64 {
		e := newEnv(t, engine.Config{}, newTestHandler(t, false))
		ws := e.dial("EIO=4&transport=websocket")
		if open, err := ws.read(); err != nil || !strings.HasPrefix(open, "0") {
			t.Fatalf("open = %q, %v", open, err)
		}
		s := e.h.session(t)
		send := func() {
			if err := s.Send(msg); err != nil {
				t.Fatal(err)
			}
			ws.mustRead("4hello")
		}
		for range 10 {
			send()
		}
		return testing.AllocsPerRun(200, send)
	}
	prepared := allocs(engine.Message{Data: []byte("hello")}.Prepared())
	plain := allocs(engine.Message{Data: []byte("hello")})
	if plain > prepared {
		t.Errorf("%.0f allocations per message written at once without a frame, %.0f with one", plain, prepared)
	}
}
