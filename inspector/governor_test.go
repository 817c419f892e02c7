package inspector

import (
	"testing"
	"time"
)

// fakeMachine drives a governor with a clock, a thread CPU counter and an
// idle counter of its own.
type fakeMachine struct {
	now       time.Time
	cpu       time.Duration
	idle, tot uint64
	slept     time.Duration
}

func (m *fakeMachine) governor(budget time.Duration) *governor {
	return &governor{
		enabled: true, budget: budget,
		clock: func() time.Time { return m.now },
		sleep: func(d time.Duration) { m.slept += d; m.now = m.now.Add(d) },
		cpu:   func() (time.Duration, bool) { return m.cpu, true },
		idle:  func() (uint64, uint64, bool) { return m.idle, m.tot, true },
	}
}

// batch is the writer writing a batch that takes d of CPU and of time,
// while the machine is idle for the given fraction of that time.
func (m *fakeMachine) batch(g *governor, d time.Duration, idleFrac float64) {
	g.before()
	m.cpu += d
	m.now = m.now.Add(d)
	m.tot += uint64(d / time.Millisecond * 2)
	m.idle += uint64(float64(d/time.Millisecond*2) * idleFrac)
	g.after()
}

func TestGovernor(t *testing.T) {
	m := &fakeMachine{now: time.Unix(1000, 0), tot: 1, idle: 1}
	g := m.governor(10 * time.Millisecond)
	// With idle CPU, the writer is never held back.
	for range 100 {
		m.batch(g, 20*time.Millisecond, 0.3)
	}
	if m.slept != 0 {
		t.Fatalf("slept %v with idle CPU", m.slept)
	}
	// Saturated: once its 10 ms of a 100 ms window are spent, the writer
	// waits for the next window; over a second it gets ~10% of the time.
	m.batch(g, 100*time.Millisecond, 0) // a window with no idle time
	start, cpu0 := m.now, m.cpu
	for m.now.Sub(start) < time.Second {
		m.batch(g, 5*time.Millisecond, 0)
	}
	share := float64(m.cpu-cpu0) / float64(m.now.Sub(start))
	if share > 0.15 || share < 0.05 || m.slept == 0 {
		t.Fatalf("writer share %.2f while saturated (slept %v)", share, m.slept)
	}
	// Idle CPU again: free after the next window.
	slept := m.slept
	for range 50 {
		m.batch(g, 20*time.Millisecond, 0.5)
	}
	if m.slept > slept+governorWindow {
		t.Fatalf("still held back with idle CPU: slept %v more", m.slept-slept)
	}
}

func TestGovernorDisabled(t *testing.T) {
	if g := newGovernor(-1); g.enabled {
		t.Fatal("a negative share limits")
	}
	g := newGovernor(0)
	if !g.enabled || g.budget <= 0 {
		t.Fatalf("default governor %+v", g)
	}
	// The real sources work on this machine (or say they cannot).
	if _, ok := threadCPU(); !ok {
		t.Log("no thread CPU time here: the governor never limits")
	}
	if idle, total, ok := machineIdle(); ok && (total == 0 || idle > total) {
		t.Fatalf("idle %d of %d", idle, total)
	}
}
