package debugfmt_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio"
)

// The DEBUG selector: entries separated by commas or spaces, "*" for any
// run of characters, "-" to skip; skips win.
func ExampleParseSelector() {
	sel := debugfmt.ParseSelector("engine*,-engine:polling socket.io:client")
	for _, ns := range []string{"engine", "engine:socket", "engine:polling", "socket.io:client", "socket.io:socket"} {
		fmt.Println(ns, sel.Enabled(ns))
	}
	fmt.Println(sel)
	// Output:
	// engine true
	// engine:socket true
	// engine:polling false
	// socket.io:client true
	// socket.io:socket false
	// engine*,socket.io:client,-engine:polling
}

// The colours debug gives a namespace in a basic terminal, a 256-colour
// terminal and a browser.
func ExampleColorCSS() {
	for _, ns := range []string{"engine:socket", "socket.io:server"} {
		fmt.Println(ns, debugfmt.ColorBasic(ns), debugfmt.Color256(ns), debugfmt.ColorCSS(ns))
	}
	// Output:
	// engine:socket 4 75 #3399FF
	// socket.io:server 3 206 #FF33CC
}

func ExampleHumanize() {
	for _, d := range []time.Duration{0, 999 * time.Millisecond, 1500 * time.Millisecond, 90 * time.Second, 36 * time.Hour} {
		fmt.Println("+" + debugfmt.Humanize(d))
	}
	// Output:
	// +0ms
	// +999ms
	// +2s
	// +2m
	// +2d
}

// Lines as debug writes them to a terminal and to a file.
func ExampleRenderer() {
	at := time.Date(2026, 11, 27, 11, 4, 31, 447e6, time.UTC)
	color := debugfmt.NewRenderer(debugfmt.Basic)
	fmt.Printf("%q\n", color.Line(at, "engine:socket", "flushing buffer to transport"))
	fmt.Printf("%q\n", color.Line(at.Add(1500*time.Millisecond), "engine:socket", "got pong"))

	plain := debugfmt.NewRenderer(debugfmt.Plain)
	fmt.Println(plain.Line(at, "engine:socket", "got pong"))
	// Output:
	// "  \x1b[34;1mengine:socket \x1b[0mflushing buffer to transport \x1b[34m+0ms\x1b[0m"
	// "  \x1b[34;1mengine:socket \x1b[0mgot pong \x1b[34m+2s\x1b[0m"
	// 2026-11-27T11:04:31.447Z engine:socket got pong
}

// A server whose trace goes to stderr as DEBUG says, like
// `DEBUG=engine,socket.io:* node app.js`.
func ExampleFromEnv() {
	// FromEnv is nil when DEBUG enables nothing, and so is its Observer.
	io := sio.NewServer(sio.Config{Observer: debugfmt.FromEnv().Observer()})
	_ = io
}

// A Printer with its settings spelt out, writing to stdout.
func ExampleNewPrinterOptions() {
	p := debugfmt.NewPrinterOptions(os.Stdout, debugfmt.Options{
		Selector: debugfmt.ParseSelector("engine:*,-engine:ws"),
		Mode:     debugfmt.Plain,
		HideDate: true, // DEBUG_HIDE_DATE=1
	})
	p.Debug("engine", "", "handshaking client") // not enabled
	p.Debug("engine:socket", "sid", `sending packet "message" (2["hi"])`)
	p.Debug("engine:ws", "sid", `writing "42["hi"]"`) // skipped
	// Output:
	// engine:socket sending packet "message" (2["hi"])
}

// A trace line for a web page, in the colours of debug's browser build.
func ExampleHTML() {
	h := debugfmt.HTML("engine:socket", `received "<b>"`, 3*time.Millisecond)
	fmt.Println(strings.ReplaceAll(string(h), "><", ">\n<"))
	// Output:
	// <span class="debug-line">
	// <span class="debug-ns" style="color:light-dark(#0069D1, #3399FF)">engine:socket</span> <span class="debug-msg">received &#34;&lt;b&gt;&#34;</span> <span class="debug-diff" style="color:light-dark(#0069D1, #3399FF)">+3ms</span>
	// </span>
}
