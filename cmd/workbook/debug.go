package main

import (
	"io"
	"os"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio"
)

// debugObserver returns the observer that prints the server's trace to w
// live when the DEBUG environment variable is set (DEBUG=*,
// DEBUG=engine,socket.io:*, ...), as DEBUG=* node app.js does; nil when
// DEBUG is empty.
func debugObserver(w io.Writer) sio.Observer {
	sel := debugfmt.ParseSelector(os.Getenv("DEBUG"))
	if sel.Empty() {
		return nil
	}
	return debugfmt.NewPrinter(w, sel, modeFor(w))
}

// modeFor returns the debug format for w: as debug chooses for a file
// (colours on a terminal, NO_COLOR, DEBUG_COLORS, TERM), Plain for anything
// else.
func modeFor(w io.Writer) debugfmt.Mode {
	if f, ok := w.(*os.File); ok {
		return debugfmt.ModeFor(f)
	}
	return debugfmt.Plain
}
