// Package step is what a lesson step's own code sees of the workbook: the
// step's server log (Log), the checker that ticks the learner's tasks
// (Checker), and Browser, which tells whose browser a socket comes from.
//
// A step package (lessons/<lesson>/<step>/) has two Go files. server.go
// holds the step's handlers, shown on the page as the very file that runs:
//
//	func Setup(io *sio.Server, log *step.Log) {
//		io.OnConnection(func(socket *sio.Socket) {
//			log.Println("A user connected")
//		})
//	}
//
// checks.go lists the tasks the learner can complete and watches the same
// server to tick them, from what the server actually saw:
//
//	var Tasks = []string{"connect"}
//
//	func Check(io *sio.Server, c *step.Checker) {
//		io.OnConnection(func(socket *sio.Socket) { c.Done(socket, "connect") })
//	}
//
// The registry (package lessons) calls Setup, then Check, once, when the
// workbook starts; the connection handlers then run in that order.
package step

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/internal/browserid"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// BrowserCookie is the cookie that holds the browser id: set by the
// workbook's pages, sent by the panes with their handshake, and the key of
// the learner's progress and of the inspector's per-browser views.
const BrowserCookie = "wb_client"

// Browser returns the browser id of the socket (the BrowserCookie of its
// handshake request), or "" when the client sent none (a Node client, a
// page served from elsewhere) or one that is not of an id's shape (see
// ValidBrowser).
func Browser(s *sio.Socket) string {
	h := s.Handshake()
	if h == nil {
		return ""
	}
	return RequestBrowser(&http.Request{Header: h.Headers})
}

// LangCookie is the cookie that holds the learner's language: set by the
// workbook's language switch, sent by the panes with their handshake.
const LangCookie = "wb_lang"

// Langs are the languages a step's server may speak, English first.
var Langs = []string{"en", "es"}

// Lang returns the language of the learner whose client the socket is (the
// LangCookie of its handshake): one of Langs, English when the client sent
// none (a Node client) or one the workbook does not have. A step's server
// says what the learner reads in it, as the chat's does.
func Lang(s *sio.Socket) string {
	if h := s.Handshake(); h != nil {
		return RequestLang(&http.Request{Header: h.Headers})
	}
	return Langs[0]
}

// RequestLang returns the learner's language of r, as Lang does: the
// workbook routes the requests of a step whose server runs once per
// language by it.
func RequestLang(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && slices.Contains(Langs, c.Value) {
		return c.Value
	}
	return Langs[0]
}

// RequestBrowser returns the browser id of r, as Browser does.
func RequestBrowser(r *http.Request) string {
	if c, err := r.Cookie(BrowserCookie); err == nil && ValidBrowser(c.Value) {
		return c.Value
	}
	return ""
}

// ValidBrowser reports whether id has the shape of a browser id: 1 to 64
// letters, digits, '-' and '_'. The workbook makes 32 hex digits; tests and
// tools choose their own. Anything else (a 4,000-character cookie) is no
// id: it would key progress rows and classroom lines.
func ValidBrowser(id string) bool { return browserid.Valid(id) }

// Line is one line of a step's server log.
type Line struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
	// Browser is the browser whose client the line is about (see
	// Log.For), "" when the line names none. It stays out of the JSON: a
	// browser id is the key to that learner's progress, and the step page
	// only needs to know whether a line is its own.
	Browser string `json:"-"`
}

// LogSize is how many lines a Log keeps for pages that open later.
const LogSize = 200

// Log is a step's server console: what its handlers print, as console.log
// prints in a Node server. The step page shows the last LogSize lines and
// streams new ones; the workbook also passes each line to its own logger.
//
// A Log may be used from any goroutine.
type Log struct {
	// root is the log a view made by For or ForBrowser writes to, with
	// browser on its lines; nil for a log made by NewLog.
	root    *Log
	browser string
	prefix  string // put before the text of every line (WithPrefix)

	mu    sync.Mutex
	lines []Line // ring of at most LogSize lines, oldest first once full
	next  int    // where the next line goes once the ring is full
	subs  map[chan Line]struct{}
	sink  func(Line)
	now   func() time.Time
}

// NewLog returns an empty log. sink, if not nil, is called with every line
// (the workbook forwards them to its logger); it must not block.
func NewLog(sink func(Line)) *Log {
	return &Log{subs: map[chan Line]struct{}{}, sink: sink, now: time.Now}
}

// Println logs its arguments separated by spaces, as console.log does:
// strings as they are, numbers and booleans as Go prints them, anything
// else (objects, arrays, nil) as JSON.
func (l *Log) Println(args ...any) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = format(a)
	}
	l.add(strings.Join(parts, " "))
}

// Printf logs a line formatted as fmt.Sprintf does.
func (l *Log) Printf(format string, args ...any) {
	l.add(strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
}

func format(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	case error:
		return v.Error()
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(v)
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Sprint(a)
	}
	return string(b)
}

// For returns a view of the log whose lines say they are about the
// client s (its browser, see Browser): the step page shows a learner the
// lines of their own clients by default, everyone's on demand. Lines,
// Follow and the sink are the log's own; the view only tags what it
// prints.
//
//	socket.On("chat message", func(e *sio.Event) {
//		log.For(socket).Println("message:", e.Arg(0))
//	})
func (l *Log) For(s *sio.Socket) *Log { return l.ForBrowser(Browser(s)) }

// Everyone, as the browser of a line (ForBrowser), says that the line is
// about every client of the step (its server restarting): every learner's
// log shows it. It is not a browser id.
const Everyone = "*"

// ForBrowser returns a view of the log whose lines are about browser, as
// For does for a socket's: a learner's own server in JavaScript prints
// through one, as all its clients are that learner's; the workbook prints
// a fault's lines through the view of the browser that caused it, or of
// Everyone.
func (l *Log) ForBrowser(browser string) *Log {
	prefix := l.prefix
	if l.root != nil {
		l = l.root
	}
	return &Log{root: l, browser: browser, prefix: prefix}
}

// WithPrefix returns a view of the log whose lines start with prefix, and
// so do those of the views For and ForBrowser make from it: the workbook
// gives each node of a step served by two ("[A] ", "[B] ") its own.
func (l *Log) WithPrefix(prefix string) *Log {
	root := l
	if l.root != nil {
		root = l.root
	}
	return &Log{root: root, browser: l.browser, prefix: prefix}
}

func (l *Log) add(text string) {
	if l.root != nil {
		l.root.addLine(l.prefix+text, l.browser)
		return
	}
	l.addLine(text, "")
}

func (l *Log) addLine(text, browser string) {
	line := Line{At: l.now(), Text: text, Browser: browser}
	l.mu.Lock()
	if len(l.lines) < LogSize {
		l.lines = append(l.lines, line)
	} else {
		l.lines[l.next] = line
		l.next = (l.next + 1) % LogSize
	}
	for ch := range l.subs {
		select {
		case ch <- line:
		default: // a reader that is that far behind loses lines rather than holding up the handlers
		}
	}
	l.mu.Unlock()
	if l.sink != nil {
		l.sink(line)
	}
}

// Lines returns the lines kept, oldest first.
func (l *Log) Lines() []Line {
	if l.root != nil {
		l = l.root
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.linesLocked()
}

func (l *Log) linesLocked() []Line {
	out := make([]Line, 0, len(l.lines))
	out = append(out, l.lines[l.next:]...)
	return append(out, l.lines[:l.next]...)
}

// Follow returns the lines kept so far and a channel that receives every
// later line, with no line lost or repeated between the two. A reader that
// falls more than buf lines behind loses lines. stop ends the feed and
// closes the channel.
func (l *Log) Follow(buf int) (backlog []Line, lines <-chan Line, stop func()) {
	if l.root != nil {
		l = l.root
	}
	ch := make(chan Line, buf)
	l.mu.Lock()
	backlog = l.linesLocked()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	return backlog, ch, func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.subs, ch)
			l.mu.Unlock()
			close(ch)
		})
	}
}

// Checker ticks the tasks of one step for the browser a socket comes from.
// The workbook makes one per step and hands it to the step's Check, which
// ticks tasks with Done from its own handlers, or from OnSent when what
// matters is what the server sent.
//
// A Checker may be used from any goroutine.
type Checker struct {
	tasks map[string]bool
	done  func(browser, task string)

	mu      sync.Mutex
	ios     []*sio.Server // the servers it watches: one, or each node of a cluster
	started sync.Once
	sent    map[string][]func(Sent) // event -> handlers (OnSent wraps its own)
	refused []func(browser string, payload json.RawMessage)
	browser map[string]string         // Engine.IO session id -> browser id, while open
	faults  map[string]map[Fault]bool // browser -> faults caused, not yet come back from
	queue   chan sent
	closed  chan struct{}
	once    sync.Once
}

// sent is one event the server wrote to a client, as the observer saw it.
type sent struct {
	sid, nsp, event string
	args            []json.RawMessage
	// refused: a CONNECT_ERROR to browser, with its payload in args[0]
	refused bool
	browser string // the client's browser id, as the session had it then
}

// NewChecker returns a checker for the given task ids; done is called for
// each task ticked, with the browser id (never ""). The workbook stores it
// and tells the browser's pages.
func NewChecker(tasks []string, done func(browser, task string)) *Checker {
	c := &Checker{
		tasks:   map[string]bool{},
		done:    done,
		sent:    map[string][]func(Sent){},
		browser: map[string]string{},
		faults:  map[string]map[Fault]bool{},
		queue:   make(chan sent, 1024),
		closed:  make(chan struct{}),
	}
	for _, t := range tasks {
		c.tasks[t] = true
	}
	return c
}

// Done ticks task for the browser of socket s. Ticking a task twice is
// harmless; a socket with no browser id (see Browser) is ignored. Done
// panics when task is not one of the step's tasks: a typo in checks.go
// shows up in the tests, not as a task that never ticks.
func (c *Checker) Done(s *sio.Socket, task string) {
	if !c.tasks[task] {
		panic(fmt.Sprintf("step: task %q is not in this step's Tasks", task))
	}
	if b := Browser(s); b != "" && c.done != nil {
		c.done(b, task)
	}
}

// OnSent calls fn each time the server has written event to a client, with
// the receiving socket and the event's arguments as JSON. fn runs on the
// checker's own goroutine, shortly after the packet was queued for the
// client; events to a socket that has gone by then are skipped.
func (c *Checker) OnSent(event string, fn func(s *sio.Socket, args []json.RawMessage)) {
	c.OnSentTo(event, func(ev Sent) {
		if ev.Socket != nil {
			fn(ev.Socket, ev.Args)
		}
	})
}

// Sent is an event the server wrote to a client, as OnSentTo hands it on.
type Sent struct {
	// Socket is the socket it went to; nil when that socket had left its
	// namespace by the time the checker's goroutine got to the event (a
	// client that closed at once).
	Socket *sio.Socket
	// SessionID is the Engine.IO session of that client, and Browser its
	// browser id ("" when it sent none), both as they were when the event
	// was written.
	SessionID, Browser string
	Args               []json.RawMessage
}

// OnSentTo is OnSent for a handler that needs no live socket: it is also
// called for an event to a socket that had gone by the time the checker's
// goroutine got to it, with a nil Socket. Task ticks for such an event go
// through DoneFor(ev.Browser, task).
func (c *Checker) OnSentTo(event string, fn func(ev Sent)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[event] = append(c.sent[event], fn)
}

// OnRefused calls fn each time the server has refused a connection to a
// namespace (a middleware returned an error, and the client gets
// connect_error), with the browser id of the client ("" when it sent none)
// and the CONNECT_ERROR payload as JSON: {"message": ..., "data": ...}.
// fn runs on the checker's own goroutine; DoneFor ticks a task from there.
func (c *Checker) OnRefused(fn func(browser string, payload json.RawMessage)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused = append(c.refused, fn)
}

// DoneFor ticks task for browser, as Done does for the browser of a
// socket: for what happens with no socket to show, such as a refused
// connection (OnRefused). An empty browser is ignored.
func (c *Checker) DoneFor(browser, task string) {
	if !c.tasks[task] {
		panic(fmt.Sprintf("step: task %q is not in this step's Tasks", task))
	}
	if browser != "" && c.done != nil {
		c.done(browser, task)
	}
}

// Observer returns the hooks that feed OnSent and OnRefused. The workbook
// puts them in the step server's Config, then calls Start with that server.
func (c *Checker) Observer() *sio.Observer {
	o := (*observer)(c)
	return &sio.Observer{Opened: o.Opened, Closed: o.Closed, SocketPacket: o.SocketPacket}
}

// Start begins delivering OnSent events of io. Close stops it. A step
// served by several nodes (each its own server, with this checker's
// Observer) calls it once per node: an event goes to the socket of
// whichever node wrote it.
func (c *Checker) Start(io *sio.Server) {
	c.mu.Lock()
	c.ios = append(c.ios, io)
	c.mu.Unlock()
	c.started.Do(func() { go c.deliver() })
}

// Close stops the delivery of OnSent events. It is idempotent.
func (c *Checker) Close() { c.once.Do(func() { close(c.closed) }) }

func (c *Checker) deliver() {
	for {
		select {
		case <-c.closed:
			return
		case ev := <-c.queue:
			if ev.refused {
				c.mu.Lock()
				fns := c.refused
				c.mu.Unlock()
				for _, fn := range fns {
					fn(ev.browser, ev.args[0])
				}
				continue
			}
			c.mu.Lock()
			fns := c.sent[ev.event]
			ios := c.ios
			c.mu.Unlock()
			var target *sio.Socket
			for _, io := range ios {
				for _, s := range io.Of(ev.nsp).Sockets() {
					if s.SessionID() == ev.sid {
						target = s
						break
					}
				}
			}
			for _, fn := range fns {
				fn(Sent{Socket: target, SessionID: ev.sid, Browser: ev.browser, Args: ev.args})
			}
		}
	}
}

// observer holds the Checker's hooks: they keep the EVENT packets going
// out that some OnSent handler waits for.
type observer Checker

// Opened and Closed keep the browser of each session, for OnRefused: a
// refused socket is never in the namespace to ask.
func (o *observer) Opened(s *engine.Session) {
	var browser string
	if r := s.Request(); r != nil {
		browser = RequestBrowser(r)
	}
	o.mu.Lock()
	o.browser[s.ID()] = browser
	o.mu.Unlock()
}

func (o *observer) Closed(s *engine.Session, _ engine.Reason) {
	o.mu.Lock()
	delete(o.browser, s.ID())
	o.mu.Unlock()
}

func (o *observer) SocketPacket(sid string, dir engine.Direction, p *parser.Packet) {
	c := (*Checker)(o)
	if dir == engine.Out && p.Type == parser.ConnectError {
		c.mu.Lock()
		wanted := len(c.refused) > 0
		browser := c.browser[sid]
		c.mu.Unlock()
		if !wanted {
			return
		}
		select {
		case c.queue <- sent{sid: sid, nsp: p.Namespace, refused: true, browser: browser,
			args: []json.RawMessage{append(json.RawMessage(nil), p.Data...)}}:
		default:
		}
		return
	}
	if dir != engine.Out || (p.Type != parser.Event && p.Type != parser.BinaryEvent) {
		return
	}
	args, err := parser.SplitArray(append(json.RawMessage(nil), p.Data...)) // p.Data is not ours to keep
	if err != nil || len(args) == 0 {
		return
	}
	var event string
	if json.Unmarshal(args[0], &event) != nil {
		return
	}
	c.mu.Lock()
	wanted := len(c.sent[event]) > 0
	browser := c.browser[sid]
	c.mu.Unlock()
	if !wanted {
		return
	}
	select {
	case c.queue <- sent{sid: sid, nsp: p.Namespace, event: event, args: args[1:], browser: browser}:
	default: // the checker is far behind: lose this one rather than hold up the connection
	}
}

// Connected returns how many sockets of the browser of s are connected to
// the namespace of s, s included if it still is.
func Connected(s *sio.Socket) int {
	b := Browser(s)
	if b == "" {
		return 0
	}
	n := 0
	for _, other := range s.Namespace().Sockets() {
		if other.Connected() && Browser(other) == b {
			n++
		}
	}
	return n
}
