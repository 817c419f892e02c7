package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressDelay is how long a task runs before its bar appears: shorter
// tasks print nothing.
const progressDelay = time.Second

// progressEvery is the shortest time between two redraws.
const progressEvery = 100 * time.Millisecond

// progressWidth is the width of the bar itself, in cells.
const progressWidth = 30

// progress draws a one-line progress bar on a terminal: nothing for the
// first second, then the bar redrawn in place at most ten times a second,
// and a last full line with a newline at finish. A nil *progress draws
// nothing, so callers need not check whether it is on.
//
// update and finish may be called from any goroutine.
type progress struct {
	w     io.Writer
	label string // "export", "import"
	unit  string // what done counts: "packets", "bytes"
	now   func() time.Time

	mu       sync.Mutex
	start    time.Time
	last     time.Time // last redraw
	done     int64
	total    int64
	drawn    int // length of the last line drawn, 0 before the first
	finished bool
}

// newProgress returns a bar on w, or nil when mode says not to draw one:
// mode "always" draws, "never" does not, "auto" draws when w is a terminal.
func newProgress(w io.Writer, mode, label, unit string) *progress {
	switch mode {
	case "never":
		return nil
	case "auto":
		if !isTerminal(w) {
			return nil
		}
	}
	return &progress{w: w, label: label, unit: unit, now: time.Now, start: time.Now()}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// update records that done of total units are processed (total <= 0 when
// unknown) and redraws when it is time to.
func (p *progress) update(done, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done, p.total = done, total
	now := p.now()
	if now.Sub(p.start) < progressDelay || now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	p.drawLocked(now)
}

// callback returns update as a func for inspector's Export and Import,
// nil when p is nil (no bar: no progress is computed).
func (p *progress) callback() func(done, total int64) {
	if p == nil {
		return nil
	}
	return p.update
}

// finish draws the last state and ends the line, if a bar was ever drawn.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if p.drawn == 0 {
		return
	}
	p.drawLocked(p.now())
	fmt.Fprintln(p.w)
}

func (p *progress) drawLocked(now time.Time) {
	line := renderProgress(p.label, p.unit, p.done, p.total, now.Sub(p.start), progressWidth)
	pad := ""
	if n := p.drawn - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // rub out the end of a longer line
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.drawn = len(line)
}

// renderProgress returns one state of the bar:
//
//	export [###############...............]  50%  5000/10000 packets  1.5s
//	import 5000 packets  1.5s
//
// the second form when the total is unknown (total <= 0).
func renderProgress(label, unit string, done, total int64, elapsed time.Duration, width int) string {
	secs := elapsed.Round(100 * time.Millisecond).Seconds()
	if total <= 0 {
		return fmt.Sprintf("%s %d %s  %.1fs", label, done, unit, secs)
	}
	if done > total {
		done = total
	}
	if done < 0 {
		done = 0
	}
	fill := int(int64(width) * done / total)
	pct := int(100 * done / total)
	bar := strings.Repeat("#", fill) + strings.Repeat(".", width-fill)
	return fmt.Sprintf("%s [%s] %3d%%  %d/%d %s  %.1fs", label, bar, pct, done, total, unit, secs)
}
