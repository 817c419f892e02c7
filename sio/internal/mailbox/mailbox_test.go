package mailbox_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/sioworkbook/workbook/sio/internal/mailbox"
)

func TestOrderAndPanic(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	m := &mailbox.Mailbox{Log: slog.New(slog.NewTextHandler(&logs, nil)), Name: "test"}
	var got []int
	var wg sync.WaitGroup
	wg.Add(100)
	for i := 0; i < 100; i++ {
		m.Post(func() {
			defer wg.Done()
			if i == 50 {
				panic("boom")
			}
			got = append(got, i) // one at a time: no lock needed
		})
	}
	wg.Wait()
	if len(got) != 99 || got[0] != 0 || got[98] != 99 {
		t.Fatalf("ran %d functions, first %d, last %d", len(got), got[0], got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("out of order at %d: %v", i, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "test: panic in handler") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
}
