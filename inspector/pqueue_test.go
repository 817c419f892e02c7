package inspector_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestRecorder_SharedBytes: the hook knows a broadcast by the address of
// its bytes, which every delivery shares, and stores it once; bytes
// changed in place at the same address (a buffer reused, as a reader's is)
// are a packet of their own, recorded as they were when the hook saw them.
func TestRecorder_SharedBytes(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	sids := []string{"SHA", "SHB", "SHC"}
	for _, sid := range sids {
		rec.OpenAt(t0, sid, "/socket.io/", "", "", "", "websocket")
	}
	bcast := msg(`2["news","one"]`)
	for _, sid := range sids {
		rec.PacketNow(sid, engine.Out, "websocket", bcast)
	}
	buf := []byte(`2["in","aaa"]`)
	rec.PacketNow("SHA", engine.In, "websocket", engine.Packet{Type: engine.PacketMessage, Data: buf})
	copy(buf, `2["in","bbb"]`)
	rec.PacketNow("SHA", engine.In, "websocket", engine.Packet{Type: engine.PacketMessage, Data: buf})
	// The same bytes as a ping: another packet.
	rec.PacketNow("SHB", engine.Out, "websocket", engine.Packet{Type: engine.PacketPing, Data: bcast.Data})
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	raw := mustRawDB(t, db.Path())
	got := map[string]string{}
	for _, sid := range sids {
		rows, err := raw.Query(`SELECT p.dir, p.raw FROM packets p JOIN sessions s ON s.id = p.session_id
			WHERE s.sid = ? ORDER BY p.id`, sid)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var dir, r string
			if err := rows.Scan(&dir, &r); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, dir+" "+r)
		}
		rows.Close()
		got[sid] = strings.Join(lines, " | ")
	}
	want := map[string]string{
		"SHA": `out 42["news","one"] | in 42["in","aaa"] | in 42["in","bbb"]`,
		"SHB": `out 42["news","one"] | out 22["news","one"]`,
		"SHC": `out 42["news","one"]`,
	}
	for sid, w := range want {
		if got[sid] != w {
			t.Errorf("%s: %s\nwant %s", sid, got[sid], w)
		}
	}
	var payloads int
	if err := raw.QueryRow(`SELECT count(*) FROM payloads`).Scan(&payloads); err != nil {
		t.Fatal(err)
	}
	if payloads != 4 {
		t.Errorf("%d payloads, want 4 (the broadcast once, the two reads, the ping)", payloads)
	}
}

// TestRecorder_HookAllocatesNothing: once the queue's buffers have grown,
// telling the recorder of a delivery allocates nothing.
func TestRecorder_HookAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	ctx := context.Background()
	sids := make([]string, 100)
	for i := range sids {
		sids[i] = fmt.Sprintf("ALLOC%03d", i)
		rec.OpenAt(t0, sids[i], "/socket.io/", "", "", "", "websocket")
	}
	p := msg(`2["news",{"n":1}]`)
	i := 0
	deliver := func() {
		rec.PacketNow(sids[i%len(sids)], engine.Out, "websocket", p)
		i++
	}
	// Both of the queues the writer swaps grow to 4,000 deliveries.
	for range 2 {
		for range 4000 {
			deliver()
		}
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(2000, deliver); n != 0 {
		t.Errorf("%.0f allocations per delivery", n)
	}
}

// TestRecorder_HalfQueueWakesWriter: the writer stops gathering a batch
// once half the queue waits, even when BatchSize and the flush interval are
// larger, so that a queue smaller than a batch does not fill while the
// writer waits for more.
func TestRecorder_HalfQueueWakesWriter(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{QueueSize: 1000, FlushInterval: time.Hour})
	p := msg(`2["n",1]`)
	for range 600 {
		rec.PacketAt(t0, "HALF", engine.In, "websocket", p)
	}
	deadline := time.Now().Add(30 * time.Second)
	for rec.Stored() < 500 {
		if time.Now().After(deadline) {
			t.Fatalf("%d stored, %d dropped: the writer waits for its interval", rec.Stored(), rec.Dropped())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
