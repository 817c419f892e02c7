package inspector_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// fillDB records three sessions of recordSession, a minute apart, for
// clients c-A, c-B, c-C on paths under /lessons/a/ and /other/.
func fillDB(t *testing.T) *inspector.DB {
	t.Helper()
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	for i, sid := range []string{"A", "B", "C"} {
		recordSession(rec, sid, t0.Add(time.Duration(i)*time.Minute))
	}
	// A session on another path, still open, with an event of its own.
	rec.OpenAt(t0.Add(3*time.Minute), "D", "/other/socket.io/", "client-D", "10.0.0.2", "curl", "websocket")
	rec.PacketAt(t0.Add(3*time.Minute), "D", engine.In, "websocket", msg(`2/admin,["stats"]`))
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSessions(t *testing.T) {
	db := fillDB(t)
	ctx := context.Background()
	sids := func(f inspector.SessionFilter) string {
		t.Helper()
		ss, err := db.Sessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, x := range ss {
			s += x.SID
		}
		return s
	}
	for _, tt := range []struct {
		name string
		f    inspector.SessionFilter
		want string
	}{
		{"All", inspector.SessionFilter{}, "DCBA"}, // newest first
		{"Limit", inspector.SessionFilter{Limit: 2}, "DC"},
		{"PathPrefix", inspector.SessionFilter{PathPrefix: "/lessons/"}, "CBA"},
		{"PathPrefixExact", inspector.SessionFilter{PathPrefix: "/other/socket.io/"}, "D"},
		{"Client", inspector.SessionFilter{Client: "client-B"}, "B"},
		{"Addr", inspector.SessionFilter{Addr: "10.0.0.2"}, "D"},
		{"Since", inspector.SessionFilter{Since: t0.Add(time.Minute)}, "DCB"},
		{"Until", inspector.SessionFilter{Until: t0.Add(time.Minute)}, "A"},
		{"OpenOnly", inspector.SessionFilter{OpenOnly: true}, "D"},
		{"None", inspector.SessionFilter{Client: "nobody"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sids(tt.f); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPackets(t *testing.T) {
	db := fillDB(t)
	ctx := context.Background()
	count := func(f inspector.PacketFilter) int {
		t.Helper()
		ps, err := db.Packets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(ps); i++ {
			if ps[i].ID <= ps[i-1].ID {
				t.Fatalf("not in id order: %d then %d", ps[i-1].ID, ps[i].ID)
			}
		}
		return len(ps)
	}
	all, _ := db.Packets(ctx, inspector.PacketFilter{})
	if len(all) != 3*17+1 {
		t.Fatalf("%d packets", len(all))
	}
	for _, tt := range []struct {
		name string
		f    inspector.PacketFilter
		want int
	}{
		{"SID", inspector.PacketFilter{SID: "B"}, 17},
		{"Client", inspector.PacketFilter{Client: "client-C"}, 17},
		{"Event", inspector.PacketFilter{Event: "chat"}, 3},
		{"EventSID", inspector.PacketFilter{Event: "chat", SID: "A"}, 1},
		{"Nsp", inspector.PacketFilter{Nsp: "/admin"}, 1},
		{"Dir", inspector.PacketFilter{Dir: "out", SID: "A"}, 8},
		{"Since", inspector.PacketFilter{Since: t0.Add(2 * time.Minute)}, 18},
		{"Until", inspector.PacketFilter{Until: t0.Add(time.Minute)}, 17},
		{"AfterID", inspector.PacketFilter{AfterID: all[40].ID}, len(all) - 41},
		{"Limit", inspector.PacketFilter{Limit: 5}, 5},
		{"NoLimit", inspector.PacketFilter{Limit: -1}, len(all)},
		{"UnknownSID", inspector.PacketFilter{SID: "nope"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.f); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("Last", func(t *testing.T) {
		ps, err := db.Packets(ctx, inspector.PacketFilter{SID: "B", Last: true, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := db.Packets(ctx, inspector.PacketFilter{SID: "B"})
		if len(ps) != 3 || ps[0].ID != b[14].ID || ps[2].ID != b[16].ID {
			t.Errorf("last 3: %v", ids(ps))
		}
	})
	t.Run("EmptyIsNotNil", func(t *testing.T) {
		ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: "nope"})
		if ps == nil {
			t.Error("nil slice") // pages encode it as [] rather than null
		}
	})
}

func ids(ps []inspector.Packet) string {
	s := ""
	for _, p := range ps {
		s += fmt.Sprint(p.ID, " ")
	}
	return s
}

func TestDebugLines(t *testing.T) {
	db := fillDB(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		f    inspector.PacketFilter
		want int
	}{
		{"All", inspector.PacketFilter{}, 6},
		{"SID", inspector.PacketFilter{SID: "A"}, 2},
		{"Client", inspector.PacketFilter{Client: "client-B"}, 2},
		{"Since", inspector.PacketFilter{Since: t0.Add(time.Minute)}, 4},
		{"LastOne", inspector.PacketFilter{Last: true, Limit: 1}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ls, err := db.DebugLines(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			stored := 0 // the others are derived from the packets
			for _, l := range ls {
				if !inspector.DerivableText(l.Namespace, l.Message) {
					stored++
				}
			}
			if stored != tt.want && tt.f.Limit == 0 {
				t.Errorf("got %d stored, want %d", stored, tt.want)
			}
			if tt.f.Limit > 0 && len(ls) != tt.f.Limit {
				t.Errorf("got %d, want %d", len(ls), tt.f.Limit)
			}
		})
	}
	all, _ := db.DebugLines(ctx, inspector.PacketFilter{Limit: -1})
	ls, _ := db.DebugLines(ctx, inspector.PacketFilter{Last: true, Limit: 2})
	if len(ls) != 2 || ls[0].ID > ls[1].ID || ls[0] != all[len(all)-2] || ls[1] != all[len(all)-1] {
		t.Errorf("last two: %+v", ls)
	}
}

func TestStats(t *testing.T) {
	db := fillDB(t)
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Every line DebugLines gives: 6 stored, and those derived from the
	// packets.
	lines, err := db.DebugLines(context.Background(), inspector.PacketFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 4 || st.OpenSessions != 1 || st.Packets != 3*17+1 || st.DebugLines != int64(len(lines)) ||
		len(lines) <= 6 || st.FileBytes == 0 || st.Version != db.Version() {
		t.Errorf("%+v, %d lines", st, len(lines))
	}
}
