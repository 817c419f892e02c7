package inspector

import (
	"runtime"
	"time"
)

// governorWindow is how often the governor looks at the machine's idle
// time and renews the writer's budget.
const governorWindow = 100 * time.Millisecond

// DefaultCPUShare is the writer's share of the machine's CPU time while the
// machine has none idle (RecorderOptions.CPUShare): 1, the whole machine.
// The writer records every packet unless storage cannot keep up; a share
// below 1 is for a machine where the server's throughput matters more than
// the recording (what the writer has no time for is dropped and counted).
const DefaultCPUShare = 1.0

// governorProbe is how many windows pass, while the machine has CPU to
// spare, between two windows where the writer keeps to its budget to see
// whether the rest of the machine would use what it leaves.
const governorProbe = 10

// governor keeps the recorder's writer to a share of the machine's CPU time
// while the rest of the machine wants all of it, so that a saturated server
// loses about that share of its throughput to recording: once the writer
// has used its budget of a window, it waits for the next one, and the
// queue overflows instead (the items are counted as dropped). Otherwise the
// writer runs freely, on CPU nobody else wanted.
//
// Whether the rest of the machine wants every CPU can only be seen while
// the writer holds back (when it runs freely, it may be what leaves no
// CPU idle): windows where it keeps to its budget are probes, and a probe
// with no idle CPU means saturation. While saturated every window is such a
// probe, so the writer is freed as soon as CPU is left idle; otherwise one
// window in governorProbe is.
type governor struct {
	budget time.Duration // of writer CPU per window, while saturated
	clock  func() time.Time
	sleep  func(time.Duration)
	// busy returns a clock of the writer's work: the time spent between
	// before and after counts as the writer's CPU time. (Wall time: a
	// writer preempted by the server counts the wait against its budget,
	// which errs on the server's side.)
	busy func() time.Time
	// idle returns the machine's idle and total CPU time so far, in any
	// unit, ok false where it cannot be known.
	idle func() (idle, total uint64, ok bool)
	// stall returns the time so far during which some task of the machine
	// waited for a CPU (Linux's pressure stall information), ok false
	// where it cannot be known.
	stall func() (time.Duration, bool)

	start         time.Time     // of the window
	used          time.Duration // writer CPU in the window
	limited       bool          // the writer keeps to its budget in this window
	saturated     bool          // judged in the last limited window
	windows       int
	idle0, total0 uint64
	stall0        time.Duration
	mark          time.Time // at before
	enabled       bool
}

// newGovernor returns a governor for share (0: DefaultCPUShare; < 0 or
// >= 1: no limit) of the machine's CPUs.
func newGovernor(share float64) *governor {
	if share == 0 {
		share = DefaultCPUShare
	}
	g := &governor{clock: time.Now, sleep: time.Sleep, busy: time.Now, idle: machineIdle, stall: machineStall}
	if share > 0 && share < 1 { // 1 or more: the whole machine, no limit
		g.enabled = true
		g.budget = time.Duration(share * float64(runtime.NumCPU()) * float64(governorWindow))
	}
	return g
}

// limitedBatch is the most items the writer takes in one transaction while
// it keeps to its budget: a few milliseconds of work, so that the budget is
// checked often enough to hold.
const limitedBatch = 256

// batchSize returns how many items the writer may take in its next
// transaction, up to max.
func (g *governor) batchSize(max int) int {
	if g.limiting() {
		return min(max, limitedBatch)
	}
	return max
}

// limiting reports whether the writer keeps to its budget in this window.
func (g *governor) limiting() bool { return g.enabled && g.limited }

// before is called by the writer before a batch: it waits for the next
// window if the machine is saturated and this window's budget is spent.
func (g *governor) before() {
	if !g.enabled {
		return
	}
	now := g.clock()
	if g.start.IsZero() || now.Sub(g.start) >= governorWindow {
		g.roll(now)
	} else if g.limited && g.used >= g.budget {
		g.sleep(g.start.Add(governorWindow).Sub(now))
		g.roll(g.clock())
	}
	g.mark = g.busy()
}

// after is called by the writer once the batch is written.
func (g *governor) after() {
	if !g.enabled || g.mark.IsZero() {
		return
	}
	g.used += g.busy().Sub(g.mark)
	g.mark = time.Time{}
}

// roll starts a window at now. After a limited window it judges from the
// machine's idle time and CPU stalls whether the machine is saturated.
func (g *governor) roll(now time.Time) {
	idle, total, ok := g.idle()
	stall, stallOK := g.stall()
	if !ok {
		g.saturated = false
	} else if g.limited && total > g.total0 && g.total0 != 0 && !g.start.IsZero() {
		// While the writer held back: less than 2% of the CPU idle (the
		// server, or whatever shares the machine, wants every CPU), or
		// tasks kept waiting for a CPU more than 10% of the time (a
		// closed-loop load leaves CPUs idle between its waits, yet runs
		// faster with more).
		g.saturated = float64(idle-g.idle0) < 0.02*float64(total-g.total0) ||
			stallOK && g.stall0 != 0 && stall-g.stall0 > now.Sub(g.start)/10
	}
	g.idle0, g.total0, g.stall0 = idle, total, stall
	g.windows++
	g.limited = ok && (g.saturated || g.windows%governorProbe == 0)
	g.start, g.used = now, 0
}
