package inspector

import (
	"testing"
	"time"
)

// fakeMachine is a 2-CPU machine whose other processes want `others` of
// its CPU time (0..1) and whose writer wants all it can get.
type fakeMachine struct {
	now       time.Time
	cpu       time.Duration // the writer's
	idle, tot float64       // in ms of CPU time
	others    float64
	slept     time.Duration
	// stall: time some task waited for a CPU; stalling: the fraction of
	// time others wait, whatever the writer does (a closed-loop load).
	stall    time.Duration
	stalling float64
}

func (m *fakeMachine) governor(budget time.Duration) *governor {
	return &governor{
		enabled: true, budget: budget,
		clock: func() time.Time { return m.now },
		sleep: func(d time.Duration) { m.pass(d, false); m.slept += d },
		busy:  func() time.Time { return time.Unix(0, 0).Add(m.cpu) },
		idle:  func() (uint64, uint64, bool) { return uint64(m.idle), uint64(m.tot), true },
		stall: func() (time.Duration, bool) { return m.stall, true },
	}
}

// pass lets d go by, the writer running on one CPU or sleeping.
func (m *fakeMachine) pass(d time.Duration, writing bool) {
	ms := float64(d) / float64(time.Millisecond)
	m.now = m.now.Add(d)
	m.tot += 2 * ms
	busy := m.others * 2 * ms
	if writing {
		m.cpu += d
		busy = min(2*ms, busy+ms) // the writer takes one CPU, others the rest
	}
	m.idle += 2*ms - busy
	m.stall += time.Duration(m.stalling * float64(d))
}

// run lets the writer write 5 ms batches for span and returns its share of
// one CPU over that time.
func (m *fakeMachine) run(g *governor, span time.Duration) float64 {
	start, cpu0 := m.now, m.cpu
	for m.now.Sub(start) < span {
		g.before()
		m.pass(5*time.Millisecond, true)
		g.after()
	}
	return float64(m.cpu-cpu0) / float64(m.now.Sub(start))
}

func TestGovernor(t *testing.T) {
	m := &fakeMachine{now: time.Unix(1000, 0), tot: 1, idle: 1}
	g := m.governor(10 * time.Millisecond) // 10% of a window of one CPU
	// Others want 60% of the machine: the writer may have the rest, but
	// for its probes, one window in governorProbe.
	m.others = 0.6
	if share := m.run(g, 3*time.Second); share < 0.8 {
		t.Fatalf("writer share %.2f of a CPU with 40%% of the machine idle", share)
	}
	// Others want it all: after its next probe the writer keeps to about
	// its budget.
	m.others = 1
	m.run(g, time.Second)
	if share := m.run(g, 3*time.Second); share > 0.15 {
		t.Fatalf("writer share %.2f of a CPU on a saturated machine", share)
	}
	// A closed-loop load that leaves CPU idle but waits for CPU a third
	// of the time: saturated too.
	m.others, m.stalling = 0.8, 0.3
	m.run(g, time.Second)
	if share := m.run(g, 3*time.Second); share > 0.15 {
		t.Fatalf("writer share %.2f of a CPU with tasks waiting for a CPU", share)
	}
	// Idle CPU again: free after the next window.
	m.others, m.stalling = 0.3, 0
	m.run(g, 300*time.Millisecond)
	if share := m.run(g, 2*time.Second); share < 0.8 {
		t.Fatalf("writer share %.2f of a CPU once the load went", share)
	}
}

func TestGovernorDisabled(t *testing.T) {
	for _, share := range []float64{-1, 1, 2} {
		if g := newGovernor(share); g.enabled {
			t.Fatalf("a share of %v limits", share)
		}
	}
	// The default records everything: no limit.
	if g := newGovernor(0); g.enabled {
		t.Fatalf("default governor %+v", g)
	}
	g := newGovernor(0.03)
	if !g.enabled || g.budget <= 0 {
		t.Fatalf("3%% governor %+v", g)
	}
	// The real source works on this machine (or says it cannot).
	if idle, total, ok := machineIdle(); ok && (total == 0 || idle > total) {
		t.Fatalf("idle %d of %d", idle, total)
	}
}
