package jsserver_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
)

func TestManagerBounds(t *testing.T) {
	m := &jsserver.Manager{PerBrowser: 2, Total: 3}
	t.Cleanup(func() { m.Close() })
	start := func(browser, stepKey string) *jsserver.Instance {
		t.Helper()
		in, err := m.Start(jsserver.Key{Browser: browser, Step: stepKey}, jsserver.Config{Source: hostile, Log: step.NewLog(nil)})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	stopped := func(in *jsserver.Instance) bool {
		select {
		case <-in.Done():
			return true
		default:
			return false
		}
	}
	a1 := start("ann", "s1")
	// a1 has a client: it is not idle, so a2, though newer, goes first.
	srv := httptest.NewServer(a1)
	t.Cleanup(srv.Close)
	pong(t, dial(t, srv.URL, nil))
	a2 := start("ann", "s2")
	a3 := start("ann", "s3")
	if !stopped(a2) || stopped(a1) || stopped(a3) {
		t.Fatalf("a third instance for ann: stopped a1 %v a2 %v a3 %v, want a2 only (idle, oldest)", stopped(a1), stopped(a2), stopped(a3))
	}
	b1 := start("bob", "s1")
	b2 := start("bob", "s2") // 4 in all: the oldest idle one goes, a3
	if !stopped(a3) || stopped(a1) || stopped(b1) || stopped(b2) || m.Len() != 3 {
		t.Fatalf("a fourth instance: stopped a1 %v a3 %v b1 %v b2 %v, %d running; want a3 only", stopped(a1), stopped(a3), stopped(b1), stopped(b2), m.Len())
	}
	if m.Get(jsserver.Key{Browser: "bob", Step: "s1"}) != b1 || m.Get(jsserver.Key{Browser: "ann", Step: "s3"}) != nil {
		t.Error("Get does not return the running instances")
	}
}

func TestManagerKeepsTheRunningServerOnASyntaxError(t *testing.T) {
	var m jsserver.Manager
	t.Cleanup(func() { m.Close() })
	key := jsserver.Key{Browser: "ann", Step: "hello/connect"}
	in, err := m.Start(key, jsserver.Config{Source: hostile, Log: step.NewLog(nil)})
	if err != nil {
		t.Fatal(err)
	}
	var e *jsserver.Error
	if _, err := m.Start(key, jsserver.Config{Source: "io.on(", Log: step.NewLog(nil)}); !errors.As(err, &e) {
		t.Fatalf("Start of a broken script: %v", err)
	}
	if m.Get(key) != in || in.Err() != nil {
		t.Fatal("a broken edit stopped the running server")
	}
	if !m.Stop(key) || m.Get(key) != nil || !errors.Is(in.Err(), jsserver.ErrStopped) {
		t.Fatal("Stop did not stop the instance")
	}
	if m.Stop(key) {
		t.Error("Stop of nothing reported an instance")
	}
}
