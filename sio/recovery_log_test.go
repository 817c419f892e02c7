package sio

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/sioworkbook/workbook/sio/parser"
)

func logged(r *recoveryState, rooms ...string) string {
	var off string
	p := &parser.Packet{Type: parser.Event, Data: []byte(`["e",1]`)}
	r.logAndDeliver(p, BroadcastOptions{Rooms: rooms}, func(q *parser.Packet) { off = string(q.Data[8 : len(q.Data)-2]) })
	return off
}

// TestRecoveryExpiry: on fake time, a session can be restored until
// MaxDisconnectionDuration has passed and not after; the sweeps forget
// sessions and events once they expire, and stop when nothing is left.
func TestRecoveryExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryState(&RecoveryConfig{MaxDisconnectionDuration: 10 * time.Second})
		off := logged(r)
		r.persist(Session{SID: "s", PID: "p1", Rooms: []string{"s"}})
		r.persist(Session{SID: "t", PID: "p2", Rooms: []string{"t"}})
		time.Sleep(9 * time.Second)
		if r.restore("p1", off) == nil {
			t.Fatal("not restored before the deadline")
		}
		time.Sleep(time.Second)
		if r.restore("p2", off) != nil {
			t.Fatal("restored at the deadline")
		}
		r.persist(Session{SID: "u", PID: "p3"})
		logged(r)
		time.Sleep(20 * time.Second) // two sweeps
		synctest.Wait()
		if p, s := r.counts(); p != 0 || s != 0 {
			t.Fatalf("%d events and %d sessions kept after they expired", p, s)
		}
		r.mu.Lock()
		armed := r.timer != nil
		r.mu.Unlock()
		if armed {
			t.Fatal("a sweep is still coming with nothing kept")
		}
	})
}

// TestRecoveryLogBounds: the log keeps at most MaxLoggedPackets events and
// MaxLoggedBytes bytes, forgetting the oldest; a session whose offset was
// forgotten cannot be restored.
func TestRecoveryLogBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecoveryState(&RecoveryConfig{MaxLoggedPackets: 3})
		first := logged(r)
		for range 3 {
			logged(r)
		}
		if p, _ := r.counts(); p != 3 {
			t.Fatalf("%d events kept, want 3", p)
		}
		r.persist(Session{SID: "s", PID: "p"})
		if r.restore("p", first) != nil {
			t.Fatal("restored from a forgotten offset")
		}
		r.close()

		size := int64(len(`["e",1,"0000000000000"]`))
		r = newRecoveryState(&RecoveryConfig{MaxLoggedBytes: 2 * size})
		for range 5 {
			logged(r)
		}
		if p, _ := r.counts(); p != 2 {
			t.Fatalf("%d events kept, want 2", p)
		}
		r.close()

		r = newRecoveryState(&RecoveryConfig{MaxSessions: 2})
		for _, pid := range []string{"a", "b", "c"} {
			r.persist(Session{PID: pid})
		}
		if _, s := r.counts(); s != 2 {
			t.Fatalf("%d sessions kept, want 2", s)
		}
		off := logged(r)
		if r.restore("a", off) != nil || r.restore("c", off) == nil {
			t.Fatal("the oldest session should be the one forgotten")
		}
		r.close()
	})
}

// TestRecoveryReplayRooms: the events replayed are those to everyone or to
// one of the session's rooms, not excluded, after the offset, in order.
func TestRecoveryReplayRooms(t *testing.T) {
	r := newRecoveryState(&RecoveryConfig{})
	defer r.close()
	start := logged(r)
	var want []string
	log := func(keep bool, opts BroadcastOptions) {
		p := &parser.Packet{Type: parser.Event, Data: []byte(`["e"]`)}
		r.logAndDeliver(p, opts, func(q *parser.Packet) {
			if keep {
				want = append(want, string(q.Data))
			}
		})
	}
	log(true, BroadcastOptions{})
	log(true, BroadcastOptions{Rooms: []string{"x", "id"}})
	log(false, BroadcastOptions{Rooms: []string{"y"}})
	log(false, BroadcastOptions{Except: []string{"a"}})
	log(false, BroadcastOptions{Rooms: []string{"id"}, Except: []string{"a"}})
	log(true, BroadcastOptions{Except: []string{"b"}})
	var got []string
	if !r.replay(start, []string{"id", "a", "x"}, func(m []*parser.Packet) {
		for _, p := range m {
			got = append(got, string(p.Data))
		}
	}) {
		t.Fatal("offset not found")
	}
	if len(got) != len(want) {
		t.Fatalf("replayed %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("replayed %q, want %q", got, want)
		}
	}
	if r.replay("ZZZZZZZZZZZZZ", nil, func([]*parser.Packet) {}) || r.replay(start+"0", nil, func([]*parser.Packet) {}) {
		t.Fatal("found an offset never given")
	}
}
