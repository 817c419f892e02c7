package main

import (
	"io"

	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio"
)

// debugObserver returns the observer that prints the server's trace to w
// live when the DEBUG environment variable enables something (DEBUG=*,
// DEBUG=engine,socket.io:*, ...), as DEBUG=* node app.js does, or nil. The
// other variables of debug apply: DEBUG_COLORS, DEBUG_HIDE_DATE, and
// NO_COLOR (see debugfmt.OptionsFromEnv).
func debugObserver(w io.Writer) *sio.Observer {
	o := debugfmt.OptionsFromEnv(w)
	if o.Selector.Empty() {
		return nil
	}
	return debugfmt.NewPrinterOptions(w, o).Observer()
}
