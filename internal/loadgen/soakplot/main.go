// Command soakplot draws the samples of a `workbook load --json` run (soak
// or slow-consumer) as an SVG: the server's resident memory and heap in use
// (MiB, left axis) and its goroutines (thousands, right axis) over time.
//
//	workbook load --scenario soak --json ... > soak.json
//	go run ./internal/loadgen/soakplot -title "10,000 connections" < soak.json > docs/img/soak.svg
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

type sample struct {
	T          float64 `json:"t"`
	RSS        float64 `json:"rss"`
	Goroutines float64 `json:"goroutines"`
	HeapInuse  float64 `json:"heap_inuse"`
}

func main() {
	title := flag.String("title", "", "the plot's title")
	flag.Parse()
	var run struct{ Samples []sample }
	if err := json.NewDecoder(os.Stdin).Decode(&run); err != nil {
		fmt.Fprintln(os.Stderr, "soakplot: reading the run:", err)
		os.Exit(1)
	}
	if len(run.Samples) < 2 {
		fmt.Fprintln(os.Stderr, "soakplot: fewer than two samples")
		os.Exit(1)
	}
	plot(os.Stdout, *title, run.Samples)
}

const (
	width, height          = 720, 360
	left, right, top, foot = 60, 60, 40, 50
)

func plot(w io.Writer, title string, ss []sample) {
	tMax, mMax, gMax := 0.0, 0.0, 0.0
	for _, s := range ss {
		tMax = max(tMax, s.T)
		mMax = max(mMax, s.RSS/(1<<20), s.HeapInuse/(1<<20))
		gMax = max(gMax, s.Goroutines/1000)
	}
	mMax, gMax = nice(mMax), nice(gMax)
	pw, ph := float64(width-left-right), float64(height-top-foot)
	x := func(t float64) float64 { return left + t/tMax*pw }
	ym := func(v float64) float64 { return top + ph - v/mMax*ph }
	yg := func(v float64) float64 { return top + ph - v/gMax*ph }

	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(w, `<text x="%d" y="22" font-size="14">%s</text>`+"\n", left, escape(title))
	for i := 0; i <= 4; i++ { // grid and both axes' labels
		f := float64(i) / 4
		y := top + ph - f*ph
		fmt.Fprintf(w, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, width-right, y, y)
		fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end">%.0f</text>`+"\n", left-6, y+4, f*mMax)
		fmt.Fprintf(w, `<text x="%d" y="%.1f">%.1f</text>`+"\n", width-right+6, y+4, f*gMax)
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%.0f</text>`+"\n", x(f*tMax), height-foot+18, f*tMax)
	}
	fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="middle">seconds</text>`+"\n", left+int(pw/2), height-12)
	fmt.Fprintf(w, `<text transform="translate(16 %d) rotate(-90)" text-anchor="middle">MiB</text>`+"\n", top+int(ph/2))
	fmt.Fprintf(w, `<text transform="translate(%d %d) rotate(90)" text-anchor="middle">goroutines (thousands)</text>`+"\n", width-14, top+int(ph/2))
	line := func(color string, y func(sample) float64) {
		var pts []string
		for _, s := range ss {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s.T), y(s)))
		}
		fmt.Fprintf(w, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
	}
	line("#1f77b4", func(s sample) float64 { return ym(s.RSS / (1 << 20)) })
	line("#2ca02c", func(s sample) float64 { return ym(s.HeapInuse / (1 << 20)) })
	line("#d62728", func(s sample) float64 { return yg(s.Goroutines / 1000) })
	for i, l := range []struct{ color, name string }{{"#1f77b4", "resident memory (MiB)"}, {"#2ca02c", "heap in use (MiB)"}, {"#d62728", "goroutines (thousands)"}} {
		fmt.Fprintf(w, `<rect x="%d" y="%d" width="12" height="3" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", left+10+i*190, top+8, l.color, left+26+i*190, top+12, l.name)
	}
	fmt.Fprintln(w, "</svg>")
}

// nice rounds v up to 1, 2 or 5 times a power of ten, for the axis.
func nice(v float64) float64 {
	p := 1.0
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
