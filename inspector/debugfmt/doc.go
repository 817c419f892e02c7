// Package debugfmt writes trace lines the way the `debug` npm package
// (debug-js/debug 4.4) does, so that the Go server's trace reads like the
// one `DEBUG=* node app.js` prints for the official socket.io server.
//
// It climbs in four steps:
//
//   - ParseSelector reads a DEBUG value ("engine*,-engine:polling") and
//     Selector.Enabled answers, as debug does, whether a namespace prints.
//   - ColorBasic, Color256 and ColorCSS pick the colour debug gives a
//     namespace in a 6-colour terminal, a 256-colour terminal and a browser;
//     Humanize writes the "+Nms" diff as the ms package does.
//   - A Renderer turns (time, namespace, message) into one line, byte for
//     byte as debug writes it: coloured with a "+Nms" diff on a terminal
//     (Basic, ANSI256), ISO time first otherwise (Plain). ModeFor chooses the
//     mode for a file as debug would (isatty, DEBUG_COLORS, NO_COLOR, TERM).
//   - A Printer, through the hooks of its Observer method, prints the
//     enabled lines of a running server to a writer, live: the server's
//     own debug lines under the
//     official namespaces ("engine:socket", "socket.io:client", ...), and
//     one line per session event and packet under namespaces of ours,
//     "workbook:engine" and "workbook:socket.io", which the official server
//     does not have. FromEnv builds the Printer `DEBUG=... workbook` uses:
//     stderr, configured from the environment.
//
// HTML renders a line for a web page in the colours of debug's browser
// build.
//
// # What is exact and what is not
//
// Selector, the colours, Humanize and the Renderer's lines follow debug 4.4.3
// and ms 2.1.3 exactly; the tests hold the values checked against node. The
// choice between the 6- and the 256-colour palette depends, in node, on the
// optional supports-color package; ModeFor mirrors supports-color 8 roughly
// (see ModeFor). Messages are text, not format strings: debug's %o, %O and
// %j formatting has already happened (the sio packages format their lines
// with fmt).
package debugfmt
