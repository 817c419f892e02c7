package inspector

import (
	"runtime"
	"time"
)

// governorWindow is how often the governor looks at the machine's idle
// time and renews the writer's budget.
const governorWindow = 100 * time.Millisecond

// DefaultCPUShare is the writer's share of the machine's CPU time while the
// machine has none idle (RecorderOptions.CPUShare).
const DefaultCPUShare = 0.05

// governor keeps the recorder's writer to a share of the machine's CPU time
// while the machine has no idle CPU, so that a saturated server loses at
// most that share of its throughput to recording: once the writer has used
// its budget of a window, it waits for the next one, and the queue
// overflows instead (the items are counted as dropped). While some CPU is
// idle the writer runs freely, on CPU nobody else wanted.
type governor struct {
	budget time.Duration // of writer CPU per window, while saturated
	clock  func() time.Time
	sleep  func(time.Duration)
	// cpu returns the CPU time the calling thread has used, ok false where
	// it cannot be known (the governor then never limits).
	cpu func() (time.Duration, bool)
	// idle returns the machine's idle and total CPU time so far, in any
	// unit, ok false where it cannot be known.
	idle func() (idle, total uint64, ok bool)

	start           time.Time     // of the window
	used            time.Duration // writer CPU in the window
	saturated       bool          // no idle CPU in the last window
	idle0, total0   uint64
	mark            time.Duration // thread CPU at before
	marked, enabled bool
}

// newGovernor returns a governor for share (0: DefaultCPUShare; < 0: no
// limit) of the machine's CPUs.
func newGovernor(share float64) *governor {
	if share == 0 {
		share = DefaultCPUShare
	}
	g := &governor{clock: time.Now, sleep: time.Sleep, cpu: threadCPU, idle: machineIdle}
	if share > 0 {
		g.enabled = true
		g.budget = time.Duration(share * float64(runtime.NumCPU()) * float64(governorWindow))
	}
	return g
}

// before is called by the writer before a batch: it waits for the next
// window if the machine is saturated and this window's budget is spent.
func (g *governor) before() {
	if !g.enabled {
		return
	}
	now := g.clock()
	if g.start.IsZero() || now.Sub(g.start) >= governorWindow {
		g.roll(now)
	} else if g.saturated && g.used >= g.budget {
		g.sleep(g.start.Add(governorWindow).Sub(now))
		g.roll(g.clock())
	}
	g.mark, g.marked = g.cpu()
}

// after is called by the writer once the batch is written.
func (g *governor) after() {
	if !g.enabled || !g.marked {
		return
	}
	if c, ok := g.cpu(); ok {
		g.used += c - g.mark
	}
	g.marked = false
}

// roll starts a window at now, judging from the machine's idle time since
// the last one whether it is saturated.
func (g *governor) roll(now time.Time) {
	idle, total, ok := g.idle()
	g.saturated = false
	if ok && total > g.total0 && g.total0 != 0 {
		// Less than 2% idle: the server (and whatever shares the
		// machine) wants every CPU.
		g.saturated = float64(idle-g.idle0) < 0.02*float64(total-g.total0)
	}
	g.idle0, g.total0 = idle, total
	g.start, g.used = now, 0
}
