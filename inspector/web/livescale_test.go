package web_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/engine"
)

type countsBatch struct {
	Items   []item         `json:"items"`
	Counts  map[string]int `json:"counts"`
	Packets int            `json:"packets"`
	Opened  int            `json:"opened"`
}

// TestLiveSessionsBounded: the sessions room sends aggregates and a page,
// never a row per session per event: with 250 sessions opening and talking
// at once, no batch holds more than a page of rows or counts more than the
// newest sessions, the totals add up, and a page that shows an older
// session gets its count alone in a "counts" event.
func TestLiveSessionsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	// An old session, then more than a page of newer ones.
	e.rec.RecordOpen(t0, "old", "/socket.io/", "", "10.0.0.1", "ua", "websocket")
	for i := range 150 {
		e.rec.RecordOpen(t0.Add(time.Millisecond), fmt.Sprintf("pre%03d", i), "/socket.io/", "", "10.0.0.1", "ua", "websocket")
	}
	e.flush()

	all, err := e.watcher("", nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var batches []countsBatch
	all.s.On("batch", func(ev *client.Event) {
		var b countsBatch
		if err := ev.Bind(&b); err == nil {
			mu.Lock()
			batches = append(batches, b)
			mu.Unlock()
		}
	})
	all.watch(map[string]any{"room": "sessions"})
	deep, err := e.watcher("", nil)
	if err != nil {
		t.Fatal(err)
	}
	var shown []map[string]int
	deep.s.On("counts", func(ev *client.Event) {
		var c map[string]int
		if err := ev.Bind(&c); err == nil {
			mu.Lock()
			shown = append(shown, c)
			mu.Unlock()
		}
	})
	deep.watch(map[string]any{"room": "sessions", "sids": []string{"old"}})

	const n = 250
	for i := range n {
		sid := fmt.Sprintf("n%03d", i)
		e.rec.RecordOpen(t0.Add(time.Second), sid, "/socket.io/", "", "10.0.0.2", "ua", "websocket")
		e.rec.RecordPacket(t0.Add(time.Second), sid, engine.In, "websocket", msg(`2["hi"]`))
	}
	e.rec.RecordPacket(t0.Add(time.Second), "old", engine.In, "websocket", msg(`2["old news"]`))
	e.flush()

	waitFor(t, "every packet counted", func() bool {
		mu.Lock()
		defer mu.Unlock()
		packets, opened := 0, 0
		for _, b := range batches {
			packets += b.Packets
			opened += b.Opened
		}
		// Opened may count some of the first sessions too: their batch
		// may come after the watch.
		return packets == n+1 && opened >= n && len(shown) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	for _, b := range batches {
		if len(b.Items) > 100 || len(b.Counts) > 100 {
			t.Errorf("a batch of %d rows and %d counts", len(b.Items), len(b.Counts))
		}
		if b.Counts["old"] != 0 {
			t.Error("the room counted an old session")
		}
	}
	if len(shown) != 1 || len(shown[0]) != 1 || shown[0]["old"] != 1 {
		t.Errorf("the deep page's counts: %v", shown)
	}
}
