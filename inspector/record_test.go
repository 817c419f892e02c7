package inspector_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestRecordAPI: the Record methods store what they are told; a zero time
// stands for now, and an empty binary attachment is a row with an empty
// raw, not a failed batch.
func TestRecordAPI(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	before := time.Now().Add(-time.Second)
	rec.RecordOpen(time.Time{}, "R", "/app/socket.io", "", "10.0.0.9", "node", "websocket")
	rec.RecordPacket(time.Time{}, "R", engine.Out, "websocket", msg(`51-["b",{"_placeholder":true,"num":0}]`))
	rec.RecordPacket(time.Time{}, "R", engine.Out, "websocket", bin())
	rec.RecordUpgrade(time.Time{}, "R", "websocket")
	rec.RecordClose(time.Time{}, "R", "transport close")
	if err := rec.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec.Dropped() != 0 {
		t.Fatalf("dropped %d", rec.Dropped())
	}
	s, err := db.Session(t.Context(), "R")
	if err != nil {
		t.Fatal(err)
	}
	if s.Path != "/app/socket.io/" || s.RemoteAddr != "10.0.0.9" || s.CloseReason != "transport close" ||
		s.StartedAt.Before(before) || s.Packets != 2 {
		t.Errorf("session %+v", s)
	}
	ps, err := db.Packets(t.Context(), inspector.PacketFilter{SID: "R"})
	if err != nil || len(ps) != 2 || !ps[1].Binary || len(ps[1].Raw) != 0 || ps[1].AttachmentOf != ps[0].ID {
		t.Errorf("packets %+v, %v", ps, err)
	}
}
