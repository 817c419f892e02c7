package inspector_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)

func msg(s string) engine.Packet { return engine.Packet{Type: engine.PacketMessage, Data: []byte(s)} }

func bin(b ...byte) engine.Packet {
	return engine.Packet{Type: engine.PacketMessage, Data: b, Binary: true}
}

// recordSession feeds rec a whole session: handshake over polling, connect,
// an event with an ack, a binary event with two attachments each way, an
// upgrade, a heartbeat, and the end.
func recordSession(rec *inspector.Recorder, sid string, start time.Time) {
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	rec.OpenAt(at(0), sid, "/lessons/a/socket.io/", "client-"+sid, "10.0.0.1", "Mozilla/5.0", "polling")
	rec.DebugAt(at(0), "engine", sid, "handshaking client \""+sid+"\"")
	rec.PacketAt(at(0), sid, engine.Out, "polling", engine.Packet{Type: engine.PacketOpen, Data: []byte(`{"sid":"` + sid + `"}`)})
	rec.PacketAt(at(1), sid, engine.In, "polling", msg(`0`))
	rec.PacketAt(at(2), sid, engine.Out, "polling", msg(`0{"sid":"s-`+sid+`"}`))
	rec.PacketAt(at(3), sid, engine.In, "polling", msg(`21["chat","hi",{"n":1}]`))
	rec.PacketAt(at(4), sid, engine.Out, "polling", msg(`31["ok"]`))
	rec.PacketAt(at(5), sid, engine.In, "websocket", engine.Packet{Type: engine.PacketPing, Data: []byte("probe")})
	rec.PacketAt(at(5), sid, engine.Out, "websocket", engine.Packet{Type: engine.PacketPong, Data: []byte("probe")})
	rec.PacketAt(at(6), sid, engine.Out, "polling", engine.Packet{Type: engine.PacketNoop})
	rec.PacketAt(at(7), sid, engine.In, "websocket", engine.Packet{Type: engine.PacketUpgrade})
	rec.UpgradeAt(at(7), sid, "websocket")
	// A binary event in, whose attachments interleave with one out.
	rec.PacketAt(at(8), sid, engine.In, "websocket", msg(`52-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`))
	rec.PacketAt(at(8), sid, engine.Out, "websocket", msg(`51-["down",{"_placeholder":true,"num":0}]`))
	rec.PacketAt(at(9), sid, engine.In, "websocket", bin(1, 2))
	rec.PacketAt(at(9), sid, engine.Out, "websocket", bin(0xff))
	rec.PacketAt(at(9), sid, engine.In, "websocket", bin(3))
	rec.PacketAt(at(10), sid, engine.Out, "websocket", engine.Packet{Type: engine.PacketPing})
	rec.PacketAt(at(11), sid, engine.In, "websocket", engine.Packet{Type: engine.PacketPong})
	rec.PacketAt(at(12), sid, engine.In, "websocket", msg(`1`))
	rec.DebugAt(at(12), "socket.io:socket", sid, "closing socket - reason client namespace disconnect")
	rec.CloseAt(at(13), sid, "transport close")
}

func TestRecorder_Rows(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	recordSession(rec, "S1", t0)
	rec.DebugAt(t0, "socket.io:server", "", "initializing namespace /")
	ctx := context.Background()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	s, err := db.Session(ctx, "S1")
	if err != nil {
		t.Fatal(err)
	}
	want := inspector.Session{ID: s.ID, SID: "S1", Path: "/lessons/a/socket.io/", Client: "client-S1",
		RemoteAddr: "10.0.0.1", UserAgent: "Mozilla/5.0", Transport: "polling", Upgraded: "websocket",
		UpgradedAt: t0.Add(7 * time.Millisecond), StartedAt: t0, EndedAt: t0.Add(13 * time.Millisecond),
		CloseReason: "transport close", LastAt: t0.Add(13 * time.Millisecond), Packets: 17}
	if !sameSession(*s, want) {
		t.Errorf("session\n got %+v\nwant %+v", *s, want)
	}

	ps, err := db.Packets(ctx, inspector.PacketFilter{SID: "S1"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, packetLine(p, ps))
	}
	wantLines := []string{
		`out polling open - - - - null 0{"sid":"S1"}`,
		`in polling message CONNECT / - - null 40`,
		`out polling message CONNECT / - - {"sid":"s-S1"} 40{"sid":"s-S1"}`,
		`in polling message EVENT / chat 1 ["hi",{"n":1}] 421["chat","hi",{"n":1}]`,
		`out polling message ACK / - 1 ["ok"] 431["ok"]`,
		`in websocket ping - - - - null 2probe`,
		`out websocket pong - - - - null 3probe`,
		`out polling noop - - - - null 6`,
		`in websocket upgrade - - - - null 5`,
		`in websocket message BINARY_EVENT / up - [{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}] 452-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`,
		`out websocket message BINARY_EVENT / down - [{"_placeholder":true,"num":0}] 451-["down",{"_placeholder":true,"num":0}]`,
		`in websocket message - - - - null 0102 binary of #9`,
		`out websocket message - - - - null ff binary of #10`,
		`in websocket message - - - - null 03 binary of #9`,
		`out websocket ping - - - - null 2`,
		`in websocket pong - - - - null 3`,
		`in websocket message DISCONNECT / - - null 41`,
	}
	if got, want := strings.Join(lines, "\n"), strings.Join(wantLines, "\n"); got != want {
		t.Errorf("packets:\n%s\nwant:\n%s", got, want)
	}
	for i, p := range ps {
		if p.SID != "S1" || p.SessionID != s.ID || p.Size != len(p.Raw) || p.At.Before(t0) {
			t.Errorf("packet %d: %+v", i, p)
		}
	}
	if !ps[3].At.Equal(t0.Add(3 * time.Millisecond)) {
		t.Errorf("time %v, want %v (microseconds kept)", ps[3].At, t0.Add(3*time.Millisecond))
	}

	all, err := db.DebugLines(ctx, inspector.PacketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The lines stored, and those derived from the packets (derived.go).
	var dl []inspector.DebugLine
	for _, l := range all {
		if !inspector.DerivableText(l.Namespace, l.Message) {
			dl = append(dl, l)
		}
	}
	if len(all) != 3+23 || len(dl) != 3 || dl[0].Namespace != "engine" || dl[0].SID != "S1" || dl[2].SID != "" ||
		dl[2].Message != "initializing namespace /" || !dl[2].At.Equal(t0) {
		t.Errorf("debug lines %+v", dl)
	}
	if rec.Dropped() != 0 || rec.Stored() != 17+3+3 { // packets, debug lines, session events
		t.Errorf("dropped %d stored %d", rec.Dropped(), rec.Stored())
	}
}

// packetLine shows p on one line; an attachment names its packet by its
// index in all.
func packetLine(p inspector.Packet, all []inspector.Packet) string {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	ack := "-"
	if p.AckID != nil {
		ack = fmt.Sprint(*p.AckID)
	}
	args := "null"
	if p.Args != nil {
		args = string(p.Args)
	}
	raw := string(p.Raw)
	if p.Binary {
		raw = fmt.Sprintf("%x binary", p.Raw)
		for i, q := range all {
			if p.AttachmentOf != 0 && q.ID == p.AttachmentOf {
				raw += fmt.Sprintf(" of #%d", i)
			}
		}
	}
	return strings.Join([]string{p.Dir, p.Transport, p.EIOType, dash(p.SIOType), dash(p.Nsp), dash(p.Event), ack, args, raw}, " ")
}

func sameSession(a, b inspector.Session) bool {
	return a.ID == b.ID && a.SID == b.SID && a.Path == b.Path && a.Client == b.Client &&
		a.RemoteAddr == b.RemoteAddr && a.UserAgent == b.UserAgent && a.Transport == b.Transport &&
		a.Upgraded == b.Upgraded && a.UpgradedAt.Equal(b.UpgradedAt) && a.StartedAt.Equal(b.StartedAt) &&
		a.EndedAt.Equal(b.EndedAt) && a.CloseReason == b.CloseReason && a.LastAt.Equal(b.LastAt) &&
		a.Packets == b.Packets
}

// A WebSocket session may write its open packet before Opened is called:
// the row made for the packet gets the handshake's details when they come.
func TestRecorder_PacketBeforeOpened(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	rec.PacketAt(t0.Add(time.Millisecond), "W", engine.Out, "websocket", engine.Packet{Type: engine.PacketOpen, Data: []byte(`{}`)})
	rec.Flush(ctx) // in a batch of its own: the row exists without the details
	rec.OpenAt(t0, "W", "/socket.io/", "c", "::1", "ua", "websocket")
	rec.Flush(ctx)
	ss, err := db.Sessions(ctx, inspector.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Path != "/socket.io/" || ss[0].Client != "c" || !ss[0].StartedAt.Equal(t0) ||
		ss[0].Packets != 1 || ss[0].Transport != "websocket" {
		t.Fatalf("sessions %+v", ss)
	}
}

// A closed session leaves the writer's cache; a packet that comes after
// the close (a polling response written late) still lands in it.
func TestRecorder_PacketAfterClosed(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	rec.OpenAt(t0, "C", "/socket.io/", "", "", "", "polling")
	rec.PacketAt(t0, "C", engine.Out, "polling", engine.Packet{Type: engine.PacketOpen, Data: []byte(`{}`)})
	rec.CloseAt(t0.Add(time.Second), "C", "forced close")
	rec.Flush(ctx)
	rec.PacketAt(t0.Add(time.Second), "C", engine.Out, "polling", engine.Packet{Type: engine.PacketClose})
	rec.Flush(ctx)
	s, err := db.Session(ctx, "C")
	if err != nil {
		t.Fatal(err)
	}
	if s.Packets != 2 || s.CloseReason != "forced close" {
		t.Fatalf("%+v", s)
	}
	if ss, _ := db.Sessions(ctx, inspector.SessionFilter{}); len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
}

// The writer is stuck (another process holds the write lock): the queue
// fills, the observer calls still return at once, and what does not fit is
// counted.
func TestRecorder_QueueFull(t *testing.T) {
	db := MustOpenDB(t)
	logs := &logCounter{}
	rec := MustRecorder(t, db, inspector.RecorderOptions{QueueSize: 100, Logger: slog.New(logs)})
	ctx := context.Background()
	rec.OpenAt(t0, "Q", "/socket.io/", "", "", "", "websocket")
	rec.Flush(ctx)

	other := mustRawDB(t, db.Path())
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	// The writer is stuck behind the other connection's lock until the
	// ROLLBACK below: observer calls that waited for room in the queue
	// would never return before it.
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range 1000 {
			rec.PacketAt(t0, "Q", engine.In, "websocket", msg(fmt.Sprintf(`2["n",%d]`, i)))
		}
	}()
	select {
	case <-sent:
	case <-time.After(60 * time.Second):
		conn.ExecContext(ctx, `ROLLBACK`)
		<-sent
		t.Fatal("observer calls blocked on a full queue while the database was locked")
	}
	if rec.Dropped() < 800 {
		t.Errorf("dropped %d, want at least 800", rec.Dropped())
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ := db.Session(ctx, "Q")
	if got := int64(s.Packets) + rec.Dropped(); got != 1000 {
		t.Errorf("stored %d + dropped %d != 1000", s.Packets, rec.Dropped())
	}
	if logs.warns() == 0 {
		t.Error("drops not logged")
	}
}

// A file the writer cannot write (read-only, or a full disk): every batch
// fails, every item is counted as dropped, the warning is logged once (not
// once per batch), and observer calls stay immediate.
func TestRecorder_ReadOnly(t *testing.T) {
	path := MustOpenDB(t).Path() // creates the schema
	db, err := inspector.OpenWriterReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	logs := &logCounter{}
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{Logger: slog.New(logs), FlushInterval: time.Millisecond})
	ctx := context.Background()
	rec.OpenAt(t0, "R", "/socket.io/", "", "", "", "websocket")
	for i := range 100 {
		rec.PacketAt(t0, "R", engine.In, "websocket", msg(fmt.Sprintf(`2["n",%d]`, i)))
		if i%10 == 0 {
			time.Sleep(2 * time.Millisecond) // several batches
		}
	}
	if err := rec.Flush(ctx); err == nil {
		t.Error("Flush: no error")
	}
	if err := rec.Close(); err == nil {
		t.Log("Close: nothing left to write")
	}
	if rec.Dropped() != 101 || rec.Stored() != 0 {
		t.Errorf("dropped %d stored %d, want 101 and 0", rec.Dropped(), rec.Stored())
	}
	if n := logs.warns(); n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
	if !strings.Contains(logs.last(), "readonly") {
		t.Errorf("warning %q does not say why", logs.last())
	}
}

func TestRecorder_FlushClose(t *testing.T) {
	db := MustOpenDB(t)
	rec := inspector.NewRecorder(db, inspector.RecorderOptions{FlushInterval: time.Hour})
	ctx := context.Background()
	rec.OpenAt(t0, "F", "/socket.io/", "", "", "", "polling")
	rec.PacketAt(t0, "F", engine.Out, "polling", engine.Packet{Type: engine.PacketOpen, Data: []byte(`{}`)})
	// FlushInterval is an hour: Flush does not wait for it.
	fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rec.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	rec.PacketAt(t0, "F", engine.Out, "polling", engine.Packet{Type: engine.PacketNoop})
	if err := rec.Close(); err != nil { // writes the noop
		t.Fatal(err)
	}
	if s, _ := db.Session(ctx, "F"); s == nil || s.Packets != 2 {
		t.Fatalf("session %+v", s)
	}
	if err := rec.Flush(ctx); !errors.Is(err, inspector.ErrRecorderClosed) {
		t.Errorf("Flush after Close: %v", err)
	}
	rec.PacketAt(t0, "F", engine.Out, "polling", engine.Packet{Type: engine.PacketNoop})
	if rec.Dropped() != 1 {
		t.Errorf("dropped %d after Close, want 1", rec.Dropped())
	}
	if err := rec.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRecorder_Subscribe(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	feed, stop := rec.Subscribe(0)
	slow, stopSlow := rec.Subscribe(1)
	defer stopSlow()
	recordSession(rec, "L", t0)
	rec.Flush(ctx)

	var sessions, packets, debug int
	var lastID int64
	for done := false; !done; {
		select {
		case l := <-feed:
			switch {
			case l.Session != nil:
				sessions++
				if l.Session.SID != "L" || l.Session.ID == 0 {
					t.Errorf("session %+v", l.Session)
				}
			case l.Packet != nil:
				packets++
				if l.Packet.ID <= lastID || l.Packet.SID != "L" {
					t.Errorf("packet %+v after id %d", l.Packet, lastID)
				}
				lastID = l.Packet.ID
			case l.Debug != nil:
				debug++
			}
		case <-time.After(200 * time.Millisecond):
			done = true
		}
	}
	// The feed carries each session once per batch with news about it, and
	// the lines derived from its packets (23) with the 2 stored.
	if sessions < 1 || packets != 17 || debug != 2+23 {
		t.Errorf("live: %d sessions, %d packets, %d debug lines", sessions, packets, debug)
	}
	// The feed gives what the file has.
	ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: "L", Last: true, Limit: 1})
	if len(ps) != 1 || ps[0].ID != lastID {
		t.Errorf("last packet %+v, live said %d", ps, lastID)
	}
	if rec.LiveLost() == 0 {
		t.Error("the slow subscriber lost nothing")
	}
	if len(slow) != 1 {
		t.Errorf("slow subscriber holds %d", len(slow))
	}
	stop()
	stop()
	if _, ok := <-feed; ok {
		t.Error("feed not closed")
	}
	rec.Close()
	<-slow
	if _, ok := <-slow; ok {
		t.Error("feed not closed by Close")
	}
	if c, _ := rec.Subscribe(0); c != nil {
		if _, ok := <-c; ok {
			t.Error("Subscribe after Close: open feed")
		}
	}
}

// Many goroutines record many sessions at once (run with -race); nothing is
// lost and every count adds up.
func TestRecorder_Concurrent(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{QueueSize: 1 << 20, BatchSize: 500})
	ctx := context.Background()
	feed, stop := rec.Subscribe(1 << 16)
	defer stop()
	const workers, perWorker = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sid := fmt.Sprintf("C%d", w)
			rec.OpenAt(t0, sid, "/socket.io/", "", "", "", "websocket")
			for i := range perWorker {
				rec.PacketAt(t0.Add(time.Duration(i)), sid, engine.Direction(i%2), "websocket", msg(fmt.Sprintf(`2["n",%d]`, i)))
				rec.DebugAt(t0, "engine:ws", sid, "writing")
				if i%100 == 0 {
					db.Packets(ctx, inspector.PacketFilter{SID: sid, Last: true, Limit: 10})
				}
			}
			rec.CloseAt(t0.Add(time.Second), sid, "transport close")
		}()
	}
	wg.Wait()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The lines stored, and those derived from the packets: 3 for each
	// message in over WebSocket, 2 for each out.
	if st.Sessions != workers || st.Packets != workers*perWorker ||
		st.DebugLines != workers*perWorker+workers*(perWorker/2)*(3+2) || st.OpenSessions != 0 {
		t.Errorf("stats %+v", st)
	}
	ss, _ := db.Sessions(ctx, inspector.SessionFilter{})
	for _, s := range ss {
		if s.Packets != perWorker {
			t.Errorf("session %s: %d packets", s.SID, s.Packets)
		}
		ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: s.SID, Limit: -1})
		for i, p := range ps {
			if want := fmt.Sprintf(`["n",%d]`, i); string(p.Raw[1:]) != "2"+want {
				t.Fatalf("session %s packet %d: %s (order lost)", s.SID, i, p.Raw)
			}
		}
	}
	if rec.Dropped() != 0 {
		t.Errorf("dropped %d", rec.Dropped())
	}
	live := 0
	for len(feed) > 0 {
		if l := <-feed; l.Packet != nil {
			live++
		}
	}
	if live != workers*perWorker {
		t.Errorf("live feed: %d packets", live)
	}
}

// logCounter is a slog.Handler that counts warnings.
type logCounter struct {
	mu   sync.Mutex
	n    int
	errs int // records at level Error and above
	text string
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelError {
		h.errs++
	}
	if r.Level >= slog.LevelWarn {
		h.n++
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
		h.text = b.String()
	}
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }
func (h *logCounter) warns() int                         { h.mu.Lock(); defer h.mu.Unlock(); return h.n }
func (h *logCounter) errors() int                        { h.mu.Lock(); defer h.mu.Unlock(); return h.errs }
func (h *logCounter) last() string                       { h.mu.Lock(); defer h.mu.Unlock(); return h.text }

// TestGatherWindow: the writer's batch window stays at the flush interval
// with few sessions, and grows with the sessions a batch touched, up to 2
// seconds (or the interval, when that is longer).
func TestGatherWindow(t *testing.T) {
	for _, c := range []struct {
		interval time.Duration
		chunks   int
		want     time.Duration
	}{
		{100 * time.Millisecond, 0, 100 * time.Millisecond},
		{100 * time.Millisecond, 30, 100 * time.Millisecond},
		{100 * time.Millisecond, 250, 500 * time.Millisecond},
		{100 * time.Millisecond, 1000, 2 * time.Second},
		{100 * time.Millisecond, 100000, 2 * time.Second},
		{3 * time.Second, 1000, 3 * time.Second},
	} {
		if got := inspector.GatherWindow(c.interval, c.chunks); got != c.want {
			t.Errorf("GatherWindow(%v, %d) = %v, want %v", c.interval, c.chunks, got, c.want)
		}
	}
}
