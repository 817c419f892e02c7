package inspector_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestRecordServer records a real server talking to our Go client (polling
// then WebSocket: an upgrade, events, an ack, binary attachments) and reads
// the traffic back.
func TestRecordServer(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	io := sio.NewServer(sio.Config{Observer: rec})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(e *sio.Event) { e.Ack(e.Raw()[0]) })
		s.On("bin", func(e *sio.Event) { s.Emit("bin", []byte{1, 2, 3}, "x") })
	})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Connect(ctx, srv.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	c.On("bin", func(e *client.Event) { got <- e.Arg(0).([]byte) })
	if _, err := c.EmitWithAck(ctx, "echo", map[string]any{"hello": "world"}); err != nil {
		t.Fatal(err)
	}
	c.Emit("bin")
	<-got
	c.Disconnect()
	time.Sleep(50 * time.Millisecond)
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	ss, err := db.Sessions(ctx, inspector.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 {
		t.Fatalf("sessions: %+v", ss)
	}
	ps, err := db.Packets(ctx, inspector.PacketFilter{SID: ss[0].SID})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Logf("%d %s %s %s %s %s %s %v %s %q", p.ID, p.Dir, p.Transport, p.EIOType, p.SIOType, p.Nsp, p.Event, p.AckID, p.Args, p.Raw)
	}
	t.Logf("%+v dropped %d", ss[0], rec.Dropped())
}
