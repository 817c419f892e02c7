package web

import (
	"context"
	"strconv"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
)

// chart is a small bar chart drawn as SVG on the server: one bar per
// bucket, each of one or two stacked series (A at the bottom, B above).
type chart struct {
	ID      string    // the element's id, for tests and links
	Title   string    // "Events per second"
	Series  [2]string // the series' names; "" for B: one series
	Bars    []chartBar
	Max     float64 // the tallest bar (A+B); 0: nothing to draw
	Summary string  // the chart in words, under it and as the SVG's title
	From    string  // the label under the first bar
	To      string  // the label under the last one
}

// chartBar is one bucket of a chart.
type chartBar struct {
	A, B  float64
	Label string // the bucket in words, for its tooltip
}

// Chart geometry, in the SVG's own units (it scales with the page).
const (
	chartW = 300
	chartH = 64
)

func (c chart) barW() float64 {
	if len(c.Bars) == 0 {
		return chartW
	}
	return float64(chartW) / float64(len(c.Bars))
}

// rects are the bars' rectangles: x, y, w, h for A then B.
type chartRect struct {
	X, Y, W, H float64
	B          bool // the B series
	Title      string
}

func (c chart) rects() []chartRect {
	var out []chartRect
	if c.Max <= 0 {
		return out
	}
	w := c.barW()
	for i, b := range c.Bars {
		x := float64(i) * w
		ha := b.A / c.Max * chartH
		hb := b.B / c.Max * chartH
		title := b.Label + ": " + num(b.A)
		if c.Series[1] != "" {
			title = b.Label + ": " + num(b.A) + " " + c.Series[0] + ", " + num(b.B) + " " + c.Series[1]
		}
		if ha > 0 {
			out = append(out, chartRect{X: x, Y: chartH - ha, W: max(w-1, 1), H: ha, Title: title})
		}
		if hb > 0 {
			out = append(out, chartRect{X: x, Y: chartH - ha - hb, W: max(w-1, 1), H: hb, B: true, Title: title})
		}
	}
	return out
}

func num(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// sessionCharts are a session's pictures: events per second over time (in
// and out), bytes per second in and out, and the round trips of its acks.
type sessionCharts struct {
	Events   chart
	Bytes    chart
	RTT      chart
	BytesIn  int64
	BytesOut int64
	Acks     int // EVENTs answered
	Missing  int // EVENTs whose ACK never came
	Waiting  int // EVENTs whose ACK may still come
}

// chartBuckets is how many bars a chart over time has at most.
const chartBuckets = 60

// newSessionCharts draws the charts of a session from its packets (id
// order) and their ack links; end is when the session ended, or now.
func newSessionCharts(ctx context.Context, packets []inspector.Packet, acks map[int64]ackLink, start, end time.Time) sessionCharts {
	var sc sessionCharts
	span := max(end.Sub(start), time.Second)
	n := min(chartBuckets, max(1, int(span/time.Second)))
	step := span / time.Duration(n)
	events := make([]chartBar, n)
	bytes := make([]chartBar, n)
	for i := range n {
		from := time.Duration(i) * step
		label := "+" + debugfmt.Humanize(from.Truncate(time.Millisecond))
		events[i].Label, bytes[i].Label = label, label
	}
	secs := step.Seconds()
	for i := range packets {
		p := &packets[i]
		k := min(n-1, max(0, int(p.At.Sub(start)/step)))
		in := p.Dir == "in"
		if in {
			sc.BytesIn += int64(p.Size)
			bytes[k].A += float64(p.Size) / secs
		} else {
			sc.BytesOut += int64(p.Size)
			bytes[k].B += float64(p.Size) / secs
		}
		if isEventType(p.SIOType) {
			if in {
				events[k].A += 1 / secs
			} else {
				events[k].B += 1 / secs
			}
		}
	}
	last := "+" + debugfmt.Humanize(max(end.Sub(start), 0).Truncate(time.Millisecond))
	scale := "+" + debugfmt.Humanize(span.Truncate(time.Millisecond)) // the charts span a second at least
	sc.Events = chart{ID: "wbi-chart-events", Title: tr(ctx, "Events per second"), Series: [2]string{tr(ctx, "from the client"), tr(ctx, "to the client")},
		Bars: events, From: "+0ms", To: scale}
	sc.Bytes = chart{ID: "wbi-chart-bytes", Title: tr(ctx, "Bytes per second"), Series: [2]string{tr(ctx, "in"), tr(ctx, "out")},
		Bars: bytes, From: "+0ms", To: scale}
	var nEvents [2]int
	for i := range packets {
		if isEventType(packets[i].SIOType) {
			nEvents[boolInt(packets[i].Dir != "in")]++
		}
	}
	sc.Events.Summary = trf(ctx, "%d events from the client, %d to it, over %s", nEvents[0], nEvents[1], last[1:])
	sc.Bytes.Summary = trf(ctx, "%s in, %s out", sizeText(int(sc.BytesIn)), sizeText(int(sc.BytesOut)))
	for _, c := range []*chart{&sc.Events, &sc.Bytes} {
		for _, b := range c.Bars {
			c.Max = max(c.Max, b.A+b.B)
		}
	}
	sc.RTT = rttHistogram(ctx, packets, acks, &sc)
	return sc
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rttBounds are the upper bounds of the round-trip histogram's buckets; the
// last bucket has none.
var rttBounds = []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	500 * time.Millisecond, time.Second}

// rttHistogram counts the acks' round trips (on the EVENT's side of each
// pair) in rttBounds' buckets, and the EVENTs left unanswered.
func rttHistogram(ctx context.Context, packets []inspector.Packet, acks map[int64]ackLink, sc *sessionCharts) chart {
	bars := make([]chartBar, len(rttBounds)+1)
	for i := range bars {
		if i < len(rttBounds) {
			bars[i].Label = "under " + debugfmt.Humanize(rttBounds[i])
		} else {
			bars[i].Label = debugfmt.Humanize(rttBounds[len(rttBounds)-1]) + " or more"
		}
	}
	var all []time.Duration
	for i := range packets {
		p := &packets[i]
		l, ok := acks[p.ID]
		if !ok || !isEventType(p.SIOType) {
			continue
		}
		switch l.State {
		case ackMissing:
			sc.Missing++
			continue
		case ackWaiting:
			sc.Waiting++
			continue
		}
		sc.Acks++
		d := time.Duration(l.RTT) * time.Microsecond
		all = append(all, d)
		k := len(rttBounds)
		for j, b := range rttBounds {
			if d < b {
				k = j
				break
			}
		}
		bars[k].A++
	}
	c := chart{ID: "wbi-chart-rtt", Title: tr(ctx, "Ack round trips"), Series: [2]string{tr(ctx, "acks"), ""}, Bars: bars,
		From: "< 1ms", To: "≥ 1s"}
	for _, b := range bars {
		c.Max = max(c.Max, b.A)
	}
	c.Summary = trf(ctx, "%d acks", sc.Acks)
	if len(all) > 0 {
		var sum time.Duration
		hi := all[0]
		for _, d := range all {
			sum += d
			hi = max(hi, d)
		}
		c.Summary += trf(ctx, ", mean %s, max %s", rttText(int64(sum/time.Duration(len(all))/time.Microsecond)), rttText(int64(hi/time.Microsecond)))
	}
	if sc.Missing > 0 {
		c.Summary += trf(ctx, ", %d never answered", sc.Missing)
	}
	if sc.Waiting > 0 {
		c.Summary += trf(ctx, ", %d waiting", sc.Waiting)
	}
	return c
}

// rttText shows a round trip (µs): "850µs", "12ms", "1.2s".
func rttText(us int64) string {
	if us < 1000 {
		return itoa(max(us, 0)) + "µs"
	}
	if us < 10_000 {
		return strconv.FormatFloat(float64(us)/1000, 'f', 1, 64) + "ms"
	}
	return debugfmt.Humanize(time.Duration(us) * time.Microsecond)
}

// activityCharts are the sessions list's pictures: connects and
// disconnects over time, and how sessions ended.
type activityCharts struct {
	Sessions chart
	Reasons  []reasonBar
}

// reasonBar is one close reason, with its share of the longest bar.
type reasonBar struct {
	Reason string
	N      int
	Width  float64 // 0..100
}

// activityBuckets is how many bars the activity chart has.
const activityBuckets = 48

// activityWindow is the most the activity chart spans when the filter sets
// no start.
const activityWindow = 24 * time.Hour

func newActivityCharts(ctx context.Context, a *inspector.Activity) activityCharts {
	bars := make([]chartBar, len(a.Opened))
	opened, closed := 0, 0
	for i := range bars {
		bars[i] = chartBar{A: float64(a.Opened[i]), B: float64(a.Closed[i]),
			Label: a.From.Add(time.Duration(i) * a.Step).Format("Jan 2 15:04:05")}
		opened += a.Opened[i]
		closed += a.Closed[i]
	}
	c := chart{ID: "wbi-chart-sessions", Title: tr(ctx, "Connects and disconnects"), Series: [2]string{tr(ctx, "connects"), tr(ctx, "disconnects")},
		Bars: bars, From: a.From.Format("Jan 2 15:04"), To: a.To.Format("Jan 2 15:04"),
		Summary: trf(ctx, "%d connects, %d disconnects, in bars of %s", opened, closed, debugfmt.Humanize(a.Step.Truncate(time.Second)))}
	for _, b := range bars {
		c.Max = max(c.Max, b.A+b.B)
	}
	ac := activityCharts{Sessions: c}
	top := 0
	for _, r := range a.Reasons {
		top = max(top, r.N)
	}
	for _, r := range a.Reasons {
		name := r.Reason
		if name == "" {
			name = "?"
		}
		ac.Reasons = append(ac.Reasons, reasonBar{Reason: name, N: r.N, Width: 100 * float64(r.N) / float64(top)})
	}
	return ac
}
