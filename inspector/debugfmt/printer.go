package debugfmt

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// The namespaces of the lines a Printer adds to the server's own debug
// lines. They are not namespaces of the official server, which has no line
// per packet: "DEBUG=engine*,socket.io*" prints what the official server
// would, "DEBUG=*" adds these, "DEBUG=*,-workbook:*" leaves them out.
const (
	// NamespaceEngine carries one line per session opened, upgraded or
	// closed and per Engine.IO packet received or sent (see PacketMessage).
	NamespaceEngine = "workbook:engine"
	// NamespaceSocketIO carries one line per Socket.IO packet decoded or
	// sent (see SocketPacketMessage).
	NamespaceSocketIO = "workbook:socket.io"
)

// Options configure a Printer.
type Options struct {
	// Selector chooses the namespaces printed. The zero Selector prints
	// nothing.
	Selector Selector
	// Mode is the format of the lines (see ModeFor).
	Mode Mode
	// HideDate drops the ISO date of Plain lines (DEBUG_HIDE_DATE).
	HideDate bool
	// Now gives the time of each line. If nil, time.Now is used.
	Now func() time.Time
}

// OptionsFromEnv returns the Options debug would use for lines written to
// w: the selector from DEBUG, the mode as ModeFor chooses it (a writer that
// is not an *os.File counts as no terminal) and HideDate from
// DEBUG_HIDE_DATE (true, yes, on, enabled or a non-zero number).
func OptionsFromEnv(w io.Writer) Options {
	env := environ(os.Environ())
	f, _ := w.(*os.File)
	hide, _ := env.debugOpt("hideDate")
	return Options{
		Selector: ParseSelector(os.Getenv("DEBUG")),
		Mode:     modeFor(isTerminal(f), env),
		HideDate: truthy(hide),
	}
}

// FromEnv returns a Printer writing to os.Stderr with OptionsFromEnv, or nil
// when DEBUG enables nothing (unset, empty, or only "-" entries). This is
// what `DEBUG=... workbook` uses:
//
//	cfg.Observer = sio.Observers(cfg.Observer, debugfmt.FromEnv().Observer())
//
// (A nil Printer's Observer is nil, so nothing is paid when DEBUG is unset.)
func FromEnv() *Printer {
	o := OptionsFromEnv(os.Stderr)
	if o.Selector.Empty() {
		return nil
	}
	return NewPrinterOptions(os.Stderr, o)
}

// Printer writes, live, the lines its selector enables, as `DEBUG=* node
// app.js` does for the official server. Its Observer method returns the
// hooks to give a server (sio.Config.Observer), which call the methods of
// the same names:
//
//   - Debug: the server's debug line, under its namespace ("engine:socket",
//     "socket.io:client", ...), the message unchanged.
//   - Opened, Upgraded, Closed and Packet: a line under NamespaceEngine
//     (see PacketMessage).
//   - SocketPacket: a line under NamespaceSocketIO (see
//     SocketPacketMessage).
//
// Each line is one Write of the whole line and its "\n". Write errors are
// ignored, as debug ignores them. Control characters other than newline and
// tab are written as Go escapes (ESC as \x1b), so that a client cannot
// drive the terminal through the data it sends; this is the only change to
// debug's bytes.
//
// A Printer's methods may be called from any goroutine; lines are written
// one at a time, in the order the calls take the Printer's lock, and their
// diffs are measured in that order. A disabled namespace costs a map
// lookup: nothing is formatted or locked. A nil *Printer prints nothing: its
// methods other than SetSelector may be called and do nothing.
type Printer struct {
	w   io.Writer
	now func() time.Time
	st  atomic.Pointer[printerState]

	mu  sync.Mutex // guards r, buf and writes to w
	r   Renderer
	buf []byte
}

// Observer returns the hooks through which a sio.Server tells p what it
// does, or nil if p is nil.
func (p *Printer) Observer() *sio.Observer {
	if p == nil {
		return nil
	}
	return &sio.Observer{
		Opened:       p.Opened,
		Upgraded:     p.Upgraded,
		Closed:       p.Closed,
		Packet:       p.Packet,
		SocketPacket: p.SocketPacket,
		Debug:        p.Debug,
	}
}

// printerState is an immutable selector with the answers known so far;
// a new namespace replaces it by a copy with one more answer.
type printerState struct {
	sel            Selector
	engine, socket bool            // sel.Enabled of the two namespaces of our own lines
	cache          map[string]bool // namespace -> sel.Enabled
}

// maxCached bounds the cache of a printerState: the server uses a dozen
// namespaces; past the bound answers are computed on each call.
const maxCached = 256

// NewPrinter returns a Printer writing the lines sel enables to w in mode.
// It is NewPrinterOptions(w, Options{Selector: sel, Mode: mode}).
func NewPrinter(w io.Writer, sel Selector, mode Mode) *Printer {
	return NewPrinterOptions(w, Options{Selector: sel, Mode: mode})
}

// NewPrinterOptions returns a Printer writing lines to w as o says.
func NewPrinterOptions(w io.Writer, o Options) *Printer {
	p := &Printer{w: w, now: o.Now, r: Renderer{Mode: o.Mode, HideDate: o.HideDate}}
	if p.now == nil {
		p.now = time.Now
	}
	p.SetSelector(o.Selector)
	return p
}

// SetSelector replaces the selector, as debug.enable() does; lines already
// being written are not affected.
func (p *Printer) SetSelector(sel Selector) {
	p.st.Store(&printerState{
		sel:    sel,
		engine: sel.Enabled(NamespaceEngine),
		socket: sel.Enabled(NamespaceSocketIO),
		cache:  map[string]bool{},
	})
}

// Selector returns the current selector (the zero Selector for a nil p).
func (p *Printer) Selector() Selector {
	if p == nil {
		return Selector{}
	}
	return p.st.Load().sel
}

// Enabled reports whether lines under namespace are printed.
func (p *Printer) Enabled(namespace string) bool {
	if p == nil {
		return false
	}
	st := p.st.Load()
	if on, ok := st.cache[namespace]; ok {
		return on
	}
	on := st.sel.Enabled(namespace)
	if len(st.cache) < maxCached {
		next := &printerState{sel: st.sel, engine: st.engine, socket: st.socket, cache: make(map[string]bool, len(st.cache)+1)}
		for k, v := range st.cache {
			next.cache[k] = v
		}
		next.cache[namespace] = on
		p.st.CompareAndSwap(st, next) // losing the race only costs a later recomputation
	}
	return on
}

// Print writes msg under namespace if it is enabled.
func (p *Printer) Print(namespace, msg string) {
	if p.Enabled(namespace) {
		p.print(namespace, msg)
	}
}

func (p *Printer) print(namespace, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = p.r.AppendLine(p.buf[:0], p.now(), namespace, EscapeControls(msg))
	p.buf = append(p.buf, '\n')
	p.w.Write(p.buf)
	if cap(p.buf) > 64<<10 {
		p.buf = nil // do not keep a huge line's buffer
	}
}

// Debug prints the server's debug line under namespace, formatting it
// (Message) only when namespace is enabled.
func (p *Printer) Debug(namespace, sid, format string, args ...any) {
	if p.Enabled(namespace) {
		p.print(namespace, Message(format, args...))
	}
}

// Opened prints "<sid> opened over <transport> from <remote address>".
func (p *Printer) Opened(s *engine.Session) {
	if p == nil || !p.st.Load().engine {
		return
	}
	msg := s.ID() + " opened over " + s.Transport()
	if r := s.Request(); r != nil && r.RemoteAddr != "" {
		msg += " from " + r.RemoteAddr
	}
	p.print(NamespaceEngine, msg)
}

// Upgraded prints "<sid> upgraded to <transport>".
func (p *Printer) Upgraded(s *engine.Session, transport string) {
	if p == nil || !p.st.Load().engine {
		return
	}
	p.print(NamespaceEngine, s.ID()+" upgraded to "+transport)
}

// Closed prints "<sid> closed (<reason>)".
func (p *Printer) Closed(s *engine.Session, reason engine.Reason) {
	if p == nil || !p.st.Load().engine {
		return
	}
	p.print(NamespaceEngine, s.ID()+" closed ("+string(reason)+")")
}

// Packet prints PacketMessage(s.ID(), dir, transport, pk).
func (p *Printer) Packet(s *engine.Session, dir engine.Direction, transport string, pk engine.Packet) {
	if p == nil || !p.st.Load().engine {
		return
	}
	p.print(NamespaceEngine, PacketMessage(s.ID(), dir, transport, pk))
}

// SocketPacket prints SocketPacketMessage(sid, dir, pk).
func (p *Printer) SocketPacket(sid string, dir engine.Direction, pk *parser.Packet) {
	if p == nil || !p.st.Load().socket {
		return
	}
	p.print(NamespaceSocketIO, SocketPacketMessage(sid, dir, pk))
}
