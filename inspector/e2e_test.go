package inspector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// recordedServer is a sio.Server recording into a fresh database, with an
// "echo" event that acknowledges with its arguments and a "bin" event that
// answers with a binary event.
func recordedServer(t *testing.T) (*inspector.DB, *inspector.Recorder, *httptest.Server) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	io := sio.NewServer(sio.Config{Observer: rec.Observer()})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(e *sio.Event) { e.Ack(e.Args()...) })
		s.On("bin", func(e *sio.Event) { s.Emit("bin", []byte{1, 2, 3}, "x") })
	})
	srv := httptest.NewServer(io)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { io.Close() }) // before the recorder closes: cleanups run last first
	return db, rec, srv
}

// waitClosed flushes the recorder until session sid has ended.
func waitClosed(t *testing.T, db *inspector.DB, rec *inspector.Recorder, sid string) *inspector.Session {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := db.Session(ctx, sid)
		if err == nil && !s.EndedAt.IsZero() {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s did not end: %+v %v", sid, s, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRecordServer records a real server talking to our Go client (polling
// then WebSocket: an upgrade, an event with an ack, binary attachments) and
// reads the traffic back through Packets and Export.
func TestRecordServer(t *testing.T) {
	db, rec, srv := recordedServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, srv.URL, client.Options{
		Header: http.Header{"Cookie": {"wb_client=browser-1"}, "User-Agent": {"workbook-test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sid := c.Manager().Engine().ID()
	// The upgrade first, so that the events go over the WebSocket.
	for c.Manager().Engine().Transport() != "websocket" {
		if ctx.Err() != nil {
			t.Fatal("no upgrade")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := make(chan []byte, 1)
	c.On("bin", func(e *client.Event) { got <- e.Arg(0).([]byte) })
	if _, err := c.EmitWithAck(ctx, "echo", map[string]any{"hello": "world"}); err != nil {
		t.Fatal(err)
	}
	c.Emit("bin")
	<-got
	c.Disconnect()

	s := waitClosed(t, db, rec, sid)
	if s.Path != "/socket.io/" || s.Client != "browser-1" || s.RemoteAddr != "127.0.0.1" ||
		s.UserAgent != "workbook-test" || s.Transport != "polling" || s.CloseReason == "" {
		t.Errorf("session %+v", s)
	}
	ps, err := db.Packets(ctx, inspector.PacketFilter{SID: sid})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != s.Packets {
		t.Errorf("%d packets, session counts %d", len(ps), s.Packets)
	}
	var seen []string
	var binEvent int64
	upgrades := 0
	for _, p := range ps {
		switch {
		case p.EIOType == "open":
			seen = append(seen, "open")
			if p.Dir != "out" || !bytes.Contains(p.Raw, []byte(sid)) {
				t.Errorf("open %+v", p)
			}
		case p.SIOType == "EVENT" && p.Event == "echo":
			seen = append(seen, "echo")
			if p.Dir != "in" || p.AckID == nil || string(p.Args) != `[{"hello":"world"}]` {
				t.Errorf("echo %+v", p)
			}
		case p.SIOType == "ACK":
			seen = append(seen, "ack")
			if p.Dir != "out" || p.AckID == nil || string(p.Args) != `[{"hello":"world"}]` {
				t.Errorf("ack %+v", p)
			}
		case p.SIOType == "BINARY_EVENT":
			seen = append(seen, "binary event")
			binEvent = p.ID
		case p.Binary:
			seen = append(seen, "attachment")
			if p.AttachmentOf != binEvent || !bytes.Equal(p.Raw, []byte{1, 2, 3}) || p.Transport != "websocket" {
				t.Errorf("attachment %+v", p)
			}
		case p.EIOType == "upgrade":
			upgrades++
		}
	}
	if got := strings.Join(seen, ","); got != "open,echo,ack,binary event,attachment" {
		t.Errorf("saw %s", got)
	}
	if upgrades != 1 || s.Upgraded != "websocket" {
		t.Errorf("%d upgrade packets, session upgraded to %q", upgrades, s.Upgraded)
	}
	if s.Upgraded == "websocket" && s.UpgradedAt.Before(s.StartedAt) {
		t.Errorf("upgraded at %v, before the start %v", s.UpgradedAt, s.StartedAt)
	}
	dl, err := db.DebugLines(ctx, inspector.PacketFilter{SID: sid, Limit: -1})
	if err != nil || len(dl) < len(ps) {
		t.Errorf("%d debug lines for %d packets, %v", len(dl), len(ps), err)
	}

	var buf bytes.Buffer
	n, err := db.Export(ctx, &buf, inspector.PacketFilter{SID: sid}, nil)
	if err != nil || int(n) != len(ps) {
		t.Fatalf("export: %d, %v", n, err)
	}
	if !strings.Contains(buf.String(), `"event":"echo"`) || !strings.Contains(buf.String(), `"raw":"AQID","raw_base64":true,"binary":true`) {
		t.Errorf("export:\n%s", buf.String())
	}
}

// TestRecordNodeClient records the official socket.io-client (Node) against
// our server, over polling then WebSocket.
func TestRecordNodeClient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	db, rec, srv := recordedServer(t)
	out := nodetest.Run(t, "record-client.mjs", "--url", srv.URL)
	var sid string
	for _, l := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(l, "DONE "); ok {
			sid = strings.TrimSpace(s)
		}
	}
	if sid == "" {
		t.Fatalf("no DONE line in %q", out)
	}
	s := waitClosed(t, db, rec, sid)
	if s.Transport != "polling" || s.Upgraded != "websocket" || !strings.Contains(s.UserAgent, "node") && s.UserAgent == "" {
		t.Errorf("session %+v", s)
	}
	ctx := context.Background()
	ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: sid})
	var events []string
	for _, p := range ps {
		if p.Event != "" {
			events = append(events, p.Dir+" "+p.SIOType+" "+p.Event+" "+string(p.Args))
		}
	}
	want := []string{
		`in EVENT hello ["world",1]`,
		`in BINARY_EVENT upload [{"_placeholder":true,"num":0}]`,
		`in BINARY_EVENT echo ["ping",{"_placeholder":true,"num":0}]`,
	}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	var acks []inspector.Packet
	for _, p := range ps {
		if p.SIOType == "BINARY_ACK" || p.SIOType == "ACK" {
			acks = append(acks, p)
		}
	}
	if len(acks) != 1 || acks[0].Dir != "out" || acks[0].AckID == nil {
		t.Fatalf("acks %+v", acks)
	}
	var args []any
	if err := json.Unmarshal(acks[0].Args, &args); err != nil || len(args) != 2 || args[0] != "ping" {
		t.Errorf("ack args %s", acks[0].Args)
	}
}
