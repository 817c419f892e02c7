package inspector_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// sids lists the sessions' ids, in their order.
func sids(ss []inspector.Session) []string {
	out := make([]string, len(ss))
	for i := range ss {
		out[i] = ss[i].SID
	}
	return out
}

// recordSearchable records sessions A (a lesson, events join and an ack,
// closed cleanly), B (a CONNECT_ERROR, then a ping timeout) and C (open,
// event chat), one after the other.
func recordSearchable(t *testing.T, db *inspector.DB) {
	t.Helper()
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	rec.RecordOpen(at(0), "A", "/lessons/rooms/join/socket.io/", "c1", "10.0.0.1", "ua", "polling")
	rec.RecordPacket(at(3), "A", engine.In, "polling", msg(`21["join","r1"]`))
	rec.RecordPacket(at(9), "A", engine.Out, "polling", msg(`31[true]`))
	rec.RecordClose(at(20), "A", "transport close")
	rec.RecordOpen(at(30), "B", "/socket.io/", "c2", "10.0.0.2", "ua", "websocket")
	rec.RecordPacket(at(32), "B", engine.Out, "websocket", msg(`4/admin,{"message":"no"}`))
	rec.RecordPacket(at(33), "B", engine.In, "websocket", msg(`2["chat","hi"]`))
	rec.RecordClose(at(40), "B", "ping timeout")
	rec.RecordOpen(at(50), "C", "/socket.io/", "c2", "10.0.0.2", "ua", "websocket")
	rec.RecordPacket(at(51), "C", engine.In, "websocket", msg(`2["chat","yo"]`))
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// checkSearch runs the sessions list's filters over the sessions
// recordSearchable wrote (or testdata/v3.db holds).
func checkSearch(t *testing.T, db *inspector.DB) {
	t.Helper()
	for _, c := range []struct {
		name string
		f    inspector.SessionFilter
		want []string
	}{
		{"all", inspector.SessionFilter{}, []string{"C", "B", "A"}},
		{"path", inspector.SessionFilter{PathPrefix: "/lessons/"}, []string{"A"}},
		{"client", inspector.SessionFilter{Client: "c2"}, []string{"C", "B"}},
		{"addr", inspector.SessionFilter{Addr: "10.0.0.1"}, []string{"A"}},
		{"reason", inspector.SessionFilter{Reason: "ping timeout"}, []string{"B"}},
		{"error", inspector.SessionFilter{HasError: true}, []string{"B"}},
		{"event chat", inspector.SessionFilter{Event: "chat"}, []string{"C", "B"}},
		{"event join", inspector.SessionFilter{Event: "join"}, []string{"A"}},
		{"event none", inspector.SessionFilter{Event: "nope"}, []string{}},
		{"open", inspector.SessionFilter{OpenOnly: true}, []string{"C"}},
		{"closed", inspector.SessionFilter{ClosedOnly: true}, []string{"B", "A"}},
		{"since", inspector.SessionFilter{Since: t0.Add(30 * time.Millisecond)}, []string{"C", "B"}},
		{"until", inspector.SessionFilter{Until: t0.Add(30 * time.Millisecond)}, []string{"A"}},
		{"two", inspector.SessionFilter{Client: "c2", HasError: true}, []string{"B"}},
	} {
		ss, err := db.Sessions(t.Context(), c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := sids(ss); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	b, err := db.Session(t.Context(), "B")
	if err != nil || b.Errors != 1 || !b.HasError() {
		t.Errorf("B: %+v, %v", b, err)
	}
}

// TestSessionsSearch: every filter of the sessions list selects what it
// says, from what the recorder wrote.
func TestSessionsSearch(t *testing.T) {
	db := MustOpenDB(t)
	recordSearchable(t, db)
	checkSearch(t, db)
	// Again, with every event common: the list walked in order.
	defer inspector.SetCommonEvent(1)()
	checkSearch(t, db)
}

// TestSessionsKeyset: pages of two, back to the oldest and forward again,
// see every session once, in order, sessions started at the same time
// included.
func TestSessionsKeyset(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	var want []string
	for i := range 7 {
		sid := string(rune('a' + i))
		// Two sessions each millisecond: the id breaks the tie.
		rec.RecordOpen(t0.Add(time.Duration(i/2)*time.Millisecond), sid, "/socket.io/", "", "10.0.0.1", "ua", "polling")
		want = append([]string{sid}, want...)
	}
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got []string
	var pages [][]inspector.Session
	f := inspector.SessionFilter{Limit: 2}
	for {
		ss, err := db.Sessions(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) == 0 {
			break
		}
		pages = append(pages, ss)
		got = append(got, sids(ss)...)
		c := ss[len(ss)-1].Cursor()
		f.Before = &c
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paging back: %v, want %v", got, want)
	}
	// Forward from the last page: the page before it, newest first.
	c := pages[len(pages)-1][0].Cursor()
	ss, err := db.Sessions(t.Context(), inspector.SessionFilter{Limit: 2, After: &c})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sids(ss), sids(pages[len(pages)-2]); !slices.Equal(got, want) {
		t.Errorf("paging forward: %v, want %v", got, want)
	}
}

// TestMigrateV3: testdata/v3.db was written by the workbook of schema 3 (no
// error counts, no event names per session), with the sessions
// recordSearchable writes now. Opened now, it is migrated in place and
// every filter finds what it finds in a new file; a recording goes on.
func TestMigrateV3(t *testing.T) {
	_, db := openOld(t, "v3.db")
	defer MustCloseDB(t, db)
	if db.Version() < 4 {
		t.Fatalf("version %d after Open", db.Version())
	}
	checkSearch(t, db)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	rec.RecordPacket(t0.Add(time.Second), "C", engine.Out, "websocket", msg(`2["news"]`))
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	ss, err := db.Sessions(t.Context(), inspector.SessionFilter{Event: "news"})
	if err != nil || !slices.Equal(sids(ss), []string{"C"}) {
		t.Errorf("after migration, event news: %v, %v", sids(ss), err)
	}
}

// TestPacketFilters: a session page's table filters: by type (Engine.IO or
// Socket.IO), by text in the arguments, without heartbeats (the probe
// stays), and pages back by id.
func TestPacketFilters(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	pkt := func(typ engine.PacketType, data string) engine.Packet {
		return engine.Packet{Type: typ, Data: []byte(data)}
	}
	rec.RecordOpen(at(0), "S", "/socket.io/", "", "10.0.0.1", "ua", "polling")
	rec.RecordPacket(at(1), "S", engine.Out, "polling", pkt(engine.PacketPing, ""))
	rec.RecordPacket(at(2), "S", engine.In, "polling", pkt(engine.PacketPong, ""))
	rec.RecordPacket(at(3), "S", engine.In, "websocket", pkt(engine.PacketPing, "probe"))
	rec.RecordPacket(at(4), "S", engine.Out, "websocket", pkt(engine.PacketPong, "probe"))
	rec.RecordPacket(at(5), "S", engine.Out, "polling", pkt(engine.PacketNoop, ""))
	rec.RecordPacket(at(6), "S", engine.In, "websocket", msg(`21["say","hello world"]`))
	rec.RecordPacket(at(7), "S", engine.Out, "websocket", msg(`31["said"]`))
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	raws := func(f inspector.PacketFilter) []string {
		t.Helper()
		f.SID = "S"
		ps, err := db.Packets(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, p := range ps {
			out = append(out, string(p.Raw))
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    inspector.PacketFilter
		want []string
	}{
		{"no heartbeats", inspector.PacketFilter{NoHeartbeats: true}, []string{"2probe", "3probe", `421["say","hello world"]`, `431["said"]`}},
		{"eio type", inspector.PacketFilter{Type: "ping"}, []string{"2", "2probe"}},
		{"sio type", inspector.PacketFilter{Type: "ACK"}, []string{`431["said"]`}},
		{"text", inspector.PacketFilter{Text: "hello"}, []string{`421["say","hello world"]`}},
		{"text in raw", inspector.PacketFilter{Text: "said"}, []string{`431["said"]`}},
		{"before", inspector.PacketFilter{Last: true, Limit: 2, BeforeID: 3}, []string{"2", "3"}},
		{"before, no heartbeats", inspector.PacketFilter{Last: true, Limit: 2, BeforeID: 6, NoHeartbeats: true}, []string{"2probe", "3probe"}},
	} {
		if got := raws(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestSessionActivity: connects and disconnects per bucket of time, and the
// close reasons, of the sessions a filter selects.
func TestSessionActivity(t *testing.T) {
	db := MustOpenDB(t)
	recordSearchable(t, db)
	a, err := db.SessionActivity(t.Context(), inspector.SessionFilter{}, t0, t0.Add(60*time.Millisecond), 6)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Opened, []int{1, 0, 0, 1, 0, 1}) || !slices.Equal(a.Closed, []int{0, 0, 1, 0, 1, 0}) {
		t.Errorf("opened %v, closed %v", a.Opened, a.Closed)
	}
	if want := []inspector.ReasonCount{{"ping timeout", 1}, {"transport close", 1}}; !slices.Equal(a.Reasons, want) {
		t.Errorf("reasons %v, want %v", a.Reasons, want)
	}
	a, err = db.SessionActivity(t.Context(), inspector.SessionFilter{Client: "c2"}, t0, t0.Add(60*time.Millisecond), 2)
	if err != nil || !slices.Equal(a.Opened, []int{0, 2}) || !slices.Equal(a.Closed, []int{0, 1}) || len(a.Reasons) != 1 {
		t.Errorf("client c2: %+v, %v", a, err)
	}
	if first, err := db.FirstSessionAt(t.Context(), inspector.SessionFilter{Client: "c2"}); err != nil || !first.Equal(t0.Add(30*time.Millisecond)) {
		t.Errorf("first session of c2: %v, %v", first, err)
	}
}
