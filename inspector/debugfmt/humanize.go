package debugfmt

import (
	"strconv"
	"time"
)

// Humanize writes d as the ms package's short form, which debug prints after
// "+": whole milliseconds ("0ms", "999ms") below a second, then the largest
// unit reached, rounded half up as Math.round does: "1s", "2s" for 1500ms,
// "60s" for 59.999s, "1m", "2m" for 90s, "1h", "1d", "365d".
//
// d is first truncated to whole milliseconds, as debug's diff is a
// difference of millisecond timestamps. A negative d (a clock set back)
// keeps its sign, rounding towards +∞ on a tie as Math.round does.
func Humanize(d time.Duration) string {
	return string(appendHumanize(nil, d))
}

func appendHumanize(dst []byte, d time.Duration) []byte {
	ms := d.Milliseconds()
	abs := ms
	if abs < 0 {
		abs = -abs
	}
	const (
		sec  = 1000
		min  = 60 * sec
		hour = 60 * min
		day  = 24 * hour
	)
	for _, u := range [...]struct {
		n    int64
		unit string
	}{{day, "d"}, {hour, "h"}, {min, "m"}, {sec, "s"}} {
		if abs >= u.n {
			dst = strconv.AppendInt(dst, roundDiv(ms, u.n), 10)
			return append(dst, u.unit...)
		}
	}
	dst = strconv.AppendInt(dst, ms, 10)
	return append(dst, "ms"...)
}

// roundDiv is Math.round(a / b) for b > 0: floor(a/b + 1/2), computed
// exactly as floor((2a + b) / 2b).
func roundDiv(a, b int64) int64 {
	n, m := 2*a+b, 2*b
	q := n / m
	if n%m != 0 && n < 0 {
		q--
	}
	return q
}
