package jsserver

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Limits bound what one instance's JavaScript may use. The zero value
// holds the defaults; every field says what zero means.
type Limits struct {
	// HandlerTime is how long one handler (the script's top level, an
	// event handler, a timer, an ack callback) may run before it is
	// interrupted. If zero, 1 second is used.
	HandlerTime time.Duration
	// HeapGrowth is how much the process heap may grow while one handler
	// runs before the handler is interrupted and the instance stopped. If
	// zero, 256 MiB is used. See the package doc for what it does not
	// bound.
	HeapGrowth uint64
	// Timers is how many timers (setTimeout and setInterval) may be
	// pending at once. If zero, 64 is used.
	Timers int
	// Queue is how many jobs (events, timer ticks, acks) may wait for the
	// instance's event loop. If zero, 256 is used. A job that finds the
	// queue full is dropped, and the log says so.
	Queue int
	// Size is the largest string, array or buffer a built-in may make in
	// one call (repeat, padStart, join, new Uint8Array...), in characters,
	// elements or bytes. If zero, 8 Mi is used.
	Size int
	// LogLines is how many console lines the instance may print per
	// second; the rest are counted and reported. If zero, 100 is used.
	LogLines int
	// Middleware is how long a middleware may take to call next before
	// the connection is refused. If zero, 5 seconds is used.
	Middleware time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.HandlerTime <= 0 {
		l.HandlerTime = time.Second
	}
	if l.HeapGrowth == 0 {
		l.HeapGrowth = 256 << 20
	}
	if l.Timers <= 0 {
		l.Timers = 64
	}
	if l.Queue <= 0 {
		l.Queue = 256
	}
	if l.Size <= 0 {
		l.Size = 8 << 20
	}
	if l.LogLines <= 0 {
		l.LogLines = 100
	}
	if l.Middleware <= 0 {
		l.Middleware = 5 * time.Second
	}
	return l
}

// Config configures one instance. Source and Log are required.
type Config struct {
	// Source is the JavaScript of the server (server.js).
	Source string
	// Log is the step's server log: console.log and the instance's errors
	// go there.
	Log *step.Log
	// Server configures the instance's Socket.IO server. Path must be the
	// step's path ("/lessons/<lesson>/<step>/socket.io/").
	Server sio.Config
	// Setup, if set, runs once the script's top level has run, with the
	// instance's server: the workbook adds the step's Check there, so that
	// its handlers run after the script's, as with a Go server.
	Setup func(io *sio.Server)
	// Stopped, if set, is called once when the instance has stopped, by
	// Close or by a fault of its own: the workbook closes the step's
	// checker there.
	Stopped func()
	// Limits bound the script (see Limits).
	Limits Limits
}

// Error is a script that does not start: a syntax error, or an exception
// thrown by its top level. Its JSON is what PUT .../server.js answers with
// status 400.
type Error struct {
	Message string `json:"error"`
	// Line is the line of server.js, from 1; 0 when unknown.
	Line int `json:"line"`
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("server.js:%d: %s", e.Line, e.Message)
	}
	return "server.js: " + e.Message
}

// Errors returned by Instance methods and reported by Err.
var (
	// ErrStopped: the instance was stopped (Close).
	ErrStopped = errors.New("jsserver: the server was stopped")
	// ErrMemory: a handler made the heap grow past Limits.HeapGrowth; the
	// instance was stopped, so that what it held is freed.
	ErrMemory = errors.New("jsserver: the server used too much memory and was stopped")
)

// Instance is one running JavaScript server: a goja runtime, the event loop
// that owns it, and the Socket.IO server its script set up. It is an
// http.Handler for the step's Socket.IO path.
//
// The runtime is used only from the loop's goroutine: every sio callback,
// timer and ack is posted to the loop's bounded queue and runs there, one at
// a time. sio's goroutines never wait on the loop, except a middleware
// (bounded by Limits.Middleware) and a "disconnecting" handler (bounded by
// Limits.HandlerTime).
//
// All methods may be called from any goroutine.
type Instance struct {
	source string
	log    *step.Log
	limits Limits
	io     *sio.Server
	rt     *goja.Runtime // loop goroutine only

	jobs    chan func()
	stop    chan struct{} // closed by Close or a fatal fault
	stopped chan struct{} // closed once the loop has ended and the server is closed
	once    sync.Once
	onStop  func() // Config.Stopped
	endOnce sync.Once
	errMu   sync.Mutex
	err     error

	lastActive atomic.Int64 // unix nanos of the last request or job
	running    atomic.Int64 // unix nanos the current job started, 0 when idle
	dropped    atomic.Int64 // jobs dropped on a full queue, not yet reported

	// loop goroutine only
	api      *api
	rejected []*goja.Promise // rejected with no handler during the current job
	timers   map[int64]*timer
	timerID  int64
	logSec   int64 // the second logLines counts in
	logN     int
	logCut   int
}

// Start compiles and runs cfg.Source on a new Socket.IO server and returns
// the running instance. A syntax error, or an exception thrown by the
// script's top level, returns an *Error and no instance.
func Start(cfg Config) (*Instance, error) {
	if cfg.Log == nil {
		return nil, errors.New("jsserver: Config.Log is required")
	}
	prog, err := compile(cfg.Source)
	if err != nil {
		return nil, err
	}
	in := &Instance{
		source:  cfg.Source,
		log:     cfg.Log,
		limits:  cfg.Limits.withDefaults(),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		timers:  map[int64]*timer{},
		onStop:  cfg.Stopped,
	}
	in.jobs = make(chan func(), in.limits.Queue)
	in.touch()
	in.io = sio.NewServer(cfg.Server)
	in.rt = goja.New()
	started := make(chan error, 1)
	go in.loop(func() {
		started <- in.boot(prog)
	})
	if err := <-started; err != nil {
		in.Close()
		return nil, err
	}
	if cfg.Setup != nil {
		cfg.Setup(in.io)
	}
	return in, nil
}

// Validate compiles source without running it: nil, or an *Error with the
// line of the syntax error. The PUT handler calls it (Start does too) to
// answer 400 before stopping the instance a browser has.
func Validate(source string) error {
	_, err := compile(source)
	return err
}

func compile(source string) (*goja.Program, error) {
	prog, err := goja.Compile("server.js", source, true)
	if err == nil {
		return prog, nil
	}
	msg := err.Error()
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		msg = se.Message
	}
	// goja gives the position as text: "server.js: Line 3:11 Unexpected
	// token ; (and 4 more errors)".
	e := &Error{Message: msg}
	if m := parserPosition.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[2])
		e.Message = m[1] + m[3]
	} else if se != nil && se.File != nil {
		e.Line = se.File.Position(se.Offset).Line
	}
	e.Message = strings.TrimSpace(moreErrors.ReplaceAllString(e.Message, ""))
	if !strings.HasPrefix(e.Message, "SyntaxError") {
		e.Message = "SyntaxError: " + e.Message
	}
	return nil, e
}

var (
	parserPosition = regexp.MustCompile(`^(.*?)server\.js: Line (\d+):\d+ (.*)$`)
	moreErrors     = regexp.MustCompile(`\(and \d+ more errors?\)`)
)

// boot makes the runtime and runs the script's top level, on the loop.
func (in *Instance) boot(prog *goja.Program) error {
	in.rt.SetMaxCallStackSize(1000)
	in.rt.SetPromiseRejectionTracker(func(p *goja.Promise, op goja.PromiseRejectionOperation) {
		if op == goja.PromiseRejectionReject {
			in.rejected = append(in.rejected, p)
			return
		}
		in.rejected = slices.DeleteFunc(in.rejected, func(q *goja.Promise) bool { return q == p })
	})
	if err := in.sandbox(); err != nil {
		return fmt.Errorf("jsserver: setting up the sandbox: %w", err)
	}
	in.api = newAPI(in)
	var err error
	in.guard(func() {
		_, err = in.rt.RunProgram(prog)
		in.reportRejections("top level")
	})
	if err != nil {
		var ex *goja.Exception
		var ie *goja.InterruptedError
		switch {
		case errors.As(err, &ie):
			// No line: goja places an interrupted loop on a nearby line
			// rather than its own.
			return &Error{Message: interruptText(ie)}
		case errors.As(err, &ex):
			return exceptionError(ex)
		}
		return &Error{Message: err.Error()}
	}
	return nil
}

// loop runs jobs until the instance stops, then closes the server.
func (in *Instance) loop(boot func()) {
	defer close(in.stopped)
	boot()
	for {
		select {
		case <-in.stop:
			in.stopTimers()
			return
		case job := <-in.jobs:
			select {
			case <-in.stop: // stopped meanwhile: the job would only be interrupted
				in.stopTimers()
				return
			default:
			}
			job()
			in.api.forgetGone()
			if n := in.dropped.Swap(0); n > 0 {
				in.println(fmt.Sprintf("[workbook] the server is behind: %d event(s) dropped", n))
			}
		}
	}
}

// post queues fn for the loop. It never blocks: it returns false when the
// instance has stopped or its queue is full (the job is dropped and counted).
func (in *Instance) post(fn func()) bool {
	if in.offer(fn) {
		return true
	}
	in.dropped.Add(1)
	return false
}

// offer queues fn if there is room, and reports whether it did.
func (in *Instance) offer(fn func()) bool {
	select {
	case <-in.stop:
		return false
	default:
	}
	select {
	case in.jobs <- fn:
		return true
	default:
		return false
	}
}

// postWait queues fn for the loop, waiting up to d for a place in a full
// queue: for sio's goroutines, which may block a while, unlike timers. It
// returns false when fn was dropped (the instance stopped, or no place came).
func (in *Instance) postWait(d time.Duration, fn func()) bool {
	if in.offer(fn) {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case in.jobs <- fn:
		return true
	case <-t.C:
	case <-in.stop:
		return false
	}
	in.dropped.Add(1)
	return false
}

// call posts fn (see postWait) and waits until it has run; all of it takes
// at most about 2d. posted is false when fn was dropped; ran is false when
// it did not run in time (it may still run later).
func (in *Instance) call(d time.Duration, fn func()) (posted, ran bool) {
	done := make(chan struct{})
	if !in.postWait(d, func() { fn(); close(done) }) {
		return false, false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true, true
	case <-t.C:
	case <-in.stop:
	}
	return true, false
}

// guard runs fn, a call into JavaScript, under the watchdog: past
// Limits.HandlerTime or Limits.HeapGrowth the runtime is interrupted.
func (in *Instance) guard(fn func()) {
	in.touch()
	in.running.Store(time.Now().UnixNano())
	watch(in)
	defer func() {
		unwatch(in)
		in.running.Store(0)
		in.rt.ClearInterrupt()
		if v := recover(); v != nil {
			// A bug of ours, not of the script: this instance stops, the
			// process and every other instance go on.
			in.fail(fmt.Errorf("jsserver: internal error: %v", v))
		}
	}()
	fn()
}

// run calls fn, a JavaScript function, with args, under the watchdog, and
// logs what it throws (with its line) or why it was interrupted. what names
// the handler in the log ("connection handler").
func (in *Instance) run(what string, fn goja.Callable, this goja.Value, args ...goja.Value) {
	if fn == nil {
		return
	}
	var err error
	in.guard(func() {
		_, err = fn(this, args...)
		in.reportRejections(what) // in the guard: printing a reason runs script code
	})
	in.report(what, err)
}

// reportRejections logs the promises rejected with no handler during the
// job: an async handler that throws, as Node prints an unhandled rejection.
func (in *Instance) reportRejections(what string) {
	const most = 5
	if n := len(in.rejected); n > most {
		in.println(fmt.Sprintf("[workbook] %s: %d promises rejected with no handler; the first %d:", what, n, most))
		in.rejected = in.rejected[:most]
	}
	for _, p := range in.rejected {
		msg := in.show(p.Result())
		line := 0
		if o, ok := p.Result().(*goja.Object); ok {
			if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
				first, _, _ := strings.Cut(s.String(), "\n")
				msg = first
				line = stackLine(s.String())
			}
		}
		if line > 0 {
			msg += fmt.Sprintf(" (server.js line %d)", line)
		}
		in.println(fmt.Sprintf("[workbook] %s: Uncaught (in promise) %s", what, msg))
	}
	clear(in.rejected)
	in.rejected = in.rejected[:0]
}

// stackLine finds the first "server.js:LINE:" of a JavaScript stack.
func stackLine(stack string) int {
	_, rest, ok := strings.Cut(stack, "server.js:")
	if !ok {
		return 0
	}
	n := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// report logs an error returned by a call into JavaScript.
func (in *Instance) report(what string, err error) {
	if err == nil {
		return
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		msg := interruptText(ie)
		in.println(fmt.Sprintf("[workbook] %s: %s", what, msg))
		if errors.Is(ie.Value().(error), ErrMemory) {
			in.fail(ErrMemory)
		}
		return
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		e := exceptionError(ex)
		msg := "Uncaught " + e.Message
		if e.Line > 0 {
			msg += fmt.Sprintf(" (server.js line %d)", e.Line)
		}
		in.println(fmt.Sprintf("[workbook] %s: %s", what, msg))
		return
	}
	in.println(fmt.Sprintf("[workbook] %s: %v", what, err))
}

// errTimeout is what the watchdog interrupts a handler with once it has run
// for Limits.HandlerTime.
type errTimeout time.Duration

func (e errTimeout) Error() string {
	return fmt.Sprintf("jsserver: the handler ran for more than %v and was interrupted; the server goes on", time.Duration(e))
}

func interruptText(ie *goja.InterruptedError) string {
	if err, ok := ie.Value().(error); ok {
		return strings.TrimPrefix(err.Error(), "jsserver: ")
	}
	return fmt.Sprint(ie.Value())
}

func exceptionError(ex *goja.Exception) *Error {
	msg := ex.Value().String()
	if o, ok := ex.Value().(*goja.Object); ok {
		if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
			// The first line of the stack is "Name: message".
			first, _, _ := strings.Cut(s.String(), "\n")
			if first != "" {
				msg = first
			}
		}
	}
	return &Error{Message: msg, Line: frameLine(ex.Stack())}
}

// frameLine returns the line of the innermost frame in server.js, or 0.
func frameLine(frames []goja.StackFrame) int {
	for _, f := range frames {
		if f.SrcName() == "server.js" {
			return f.Position().Line
		}
	}
	return 0
}

// fail stops the instance for a fault of its own, which Err then returns.
func (in *Instance) fail(err error) {
	in.errMu.Lock()
	if in.err == nil {
		in.err = err
	}
	in.errMu.Unlock()
	in.println("[workbook] " + strings.TrimPrefix(err.Error(), "jsserver: "))
	go in.Close() // not on the loop: Close waits for it
}

// Close stops the instance: its timers, its event loop and its Socket.IO
// server (every client is disconnected). It is idempotent, waits until the
// loop has ended, and always returns nil.
func (in *Instance) Close() error {
	in.once.Do(func() {
		in.errMu.Lock()
		if in.err == nil {
			in.err = ErrStopped
		}
		in.errMu.Unlock()
		close(in.stop)
		in.rt.Interrupt(ErrStopped) // a handler running now ends at once
		in.io.Close()
	})
	<-in.stopped
	if in.onStop != nil {
		in.endOnce.Do(in.onStop)
	}
	return nil
}

// Done is closed once the instance has stopped, by Close or by a fault of
// its own (Err says which).
func (in *Instance) Done() <-chan struct{} { return in.stopped }

// Err returns nil while the instance runs, then why it stopped: ErrStopped
// after Close, ErrMemory after a handler used too much memory.
func (in *Instance) Err() error {
	select {
	case <-in.stopped:
	default:
		return nil
	}
	in.errMu.Lock()
	defer in.errMu.Unlock()
	return in.err
}

// Source returns the script the instance runs.
func (in *Instance) Source() string { return in.source }

// Server returns the instance's Socket.IO server: the workbook causes a
// step's faults on it, as on a Go step's server.
func (in *Instance) Server() *sio.Server { return in.io }

// LastActive returns when the instance last served a request or ran a job.
func (in *Instance) LastActive() time.Time { return time.Unix(0, in.lastActive.Load()) }

// Clients returns how many sockets are connected to the instance, in every
// namespace.
func (in *Instance) Clients() int {
	n := 0
	for _, nsp := range in.io.Namespaces() {
		n += nsp.Len()
	}
	return n
}

// Busy reports whether the instance is running a handler now.
func (in *Instance) Busy() bool { return in.running.Load() != 0 }

func (in *Instance) touch() { in.lastActive.Store(time.Now().UnixNano()) }

// ServeHTTP serves the instance's Socket.IO path, or 503 once it has
// stopped.
func (in *Instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-in.stop:
		http.Error(w, "this JavaScript server has stopped", http.StatusServiceUnavailable)
		return
	default:
	}
	in.touch()
	in.io.ServeHTTP(w, r)
}

// println writes a line to the step's log, within Limits.LogLines a
// second. Loop goroutine only.
func (in *Instance) println(text string) {
	now := time.Now().Unix()
	if now != in.logSec {
		if in.logCut > 0 {
			in.log.Println(fmt.Sprintf("[workbook] %d console line(s) left out: more than %d a second", in.logCut, in.limits.LogLines))
		}
		in.logSec, in.logN, in.logCut = now, 0, 0
	}
	if in.logN >= in.limits.LogLines {
		in.logCut++
		return
	}
	in.logN++
	const maxLine = 4 << 10
	if len(text) > maxLine {
		text = text[:maxLine] + "… (cut)"
	}
	in.log.Println(text)
}
