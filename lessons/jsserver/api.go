package jsserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/sioworkbook/workbook/sio"
)

// api is the script's view of the Socket.IO server: the global io, its
// namespaces, sockets and broadcast operators, with the official server's
// names. Everything in it is used on the loop goroutine only; the sio
// callbacks it registers post their work there.
type api struct {
	in      *Instance
	rt      *goja.Runtime
	nsps    map[*sio.Namespace]*jsNamespace
	sockets map[*sio.Socket]*jsSocket

	// gone holds the sockets whose "disconnect" job found the queue full:
	// the loop forgets them after its next job, so that none is kept.
	goneMu sync.Mutex
	gone   []*sio.Socket

	// broadcastAcks counts the broadcasts waiting for acknowledgements
	// (broadcastWithAck), at most maxBroadcastAcks.
	broadcastAcks atomic.Int32
}

// jsNamespace is a namespace as the script sees it (io.of(name), or io for
// "/").
type jsNamespace struct {
	nsp  *sio.Namespace
	obj  *goja.Object
	conn []goja.Callable // connection handlers, in order
}

// jsSocket is a socket as the script sees it.
type jsSocket struct {
	s         *sio.Socket
	obj       *goja.Object
	listeners map[string][]*listener
	data      goja.Value
	rooms     []string // the rooms while "disconnecting" handlers run, then nil
}

type listener struct {
	fn   goja.Callable
	val  goja.Value // fn as the script passed it, for off
	once bool
}

func newAPI(in *Instance) *api {
	a := &api{in: in, rt: in.rt, nsps: map[*sio.Namespace]*jsNamespace{}, sockets: map[*sio.Socket]*jsSocket{}}
	root := a.namespace(in.io.Sockets())
	io := in.rt.NewObject()
	// io does what its default namespace does: io.on is io.of("/").on.
	for _, k := range root.obj.Keys() {
		if k != "sockets" && k != "adapter" && k != "name" {
			_ = io.Set(k, root.obj.Get(k))
		}
	}
	a.method(io, "of", func(c goja.FunctionCall) goja.Value {
		name := c.Argument(0).String()
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		return a.namespace(in.io.Of(name)).obj
	})
	// io.sockets is the default namespace: io.sockets.emit and
	// io.sockets.in are the 0.9-era spellings of io.emit and io.in.
	_ = io.Set("sockets", root.obj)
	_ = in.rt.GlobalObject().Set("io", io)
	return a
}

// method sets a function property of o.
func (a *api) method(o *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	_ = o.Set(name, fn)
}

// getter defines a read-only property of o computed on each read.
func (a *api) getter(o *goja.Object, name string, fn func() goja.Value) {
	_ = o.DefineAccessorProperty(name, a.rt.ToValue(func(goja.FunctionCall) goja.Value { return fn() }), nil,
		goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// throw raises err as a JavaScript Error in the script.
func (a *api) throw(err error) {
	panic(a.rt.NewGoError(err))
}

// namespace returns the script's object for nsp, making it the first time.
func (a *api) namespace(nsp *sio.Namespace) *jsNamespace {
	if n := a.nsps[nsp]; n != nil {
		return n
	}
	n := &jsNamespace{nsp: nsp, obj: a.rt.NewObject()}
	a.nsps[nsp] = n
	o := n.obj
	_ = o.Set("name", nsp.Name())
	a.method(o, "on", func(c goja.FunctionCall) goja.Value {
		ev := c.Argument(0).String()
		fn, ok := goja.AssertFunction(c.Argument(1))
		if !ok {
			a.throw(fmt.Errorf("%s.on(%q, handler): the handler must be a function", nspVar(nsp), ev))
		}
		if ev != "connection" && ev != "connect" {
			a.throw(fmt.Errorf("%s.on(%q): a namespace emits only \"connection\"; listen to events on the socket, in the connection handler", nspVar(nsp), ev))
		}
		if len(n.conn) == 0 {
			nsp.OnConnection(func(s *sio.Socket) { a.connected(n, s) })
		}
		n.conn = append(n.conn, fn)
		return o
	})
	a.method(o, "use", func(c goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			a.throw(fmt.Errorf("%s.use(fn): fn must be a function (socket, next)", nspVar(nsp)))
		}
		nsp.Use(func(s *sio.Socket) error { return a.middleware(fn, s) })
		return o
	})
	a.operatorMethods(o, func() *sio.BroadcastOperator { return nsp.To() }, nspVar(nsp), 0)
	a.getter(o, "sockets", func() goja.Value {
		m, _ := a.rt.New(a.rt.Get("Map"))
		set, _ := goja.AssertFunction(m.Get("set"))
		for _, s := range nsp.Sockets() {
			if js := a.sockets[s]; js != nil {
				_, _ = set(m, a.rt.ToValue(s.ID()), js.obj)
			}
		}
		return m
	})
	adapter := a.rt.NewObject()
	a.getter(adapter, "rooms", func() goja.Value { return a.roomsMap(nsp) })
	a.method(adapter, "serverCount", func(goja.FunctionCall) goja.Value { return a.serverCount(nsp) })
	_ = o.Set("adapter", adapter)
	return n
}

func nspVar(nsp *sio.Namespace) string {
	if nsp.Name() == "/" {
		return "io"
	}
	return fmt.Sprintf("io.of(%q)", nsp.Name())
}

// roomsMap is adapter.rooms: a Map from each room to the Set of the ids of
// its sockets, made when read.
func (a *api) roomsMap(nsp *sio.Namespace) goja.Value {
	rooms := map[string][]string{}
	var order []string
	for _, s := range nsp.Sockets() {
		for _, r := range s.Rooms() {
			if rooms[r] == nil {
				order = append(order, r)
			}
			rooms[r] = append(rooms[r], s.ID())
		}
	}
	m, _ := a.rt.New(a.rt.Get("Map"))
	set, _ := goja.AssertFunction(m.Get("set"))
	for _, r := range order {
		ids, _ := a.rt.New(a.rt.Get("Set"), a.in.toJS(rooms[r]))
		_, _ = set(m, a.rt.ToValue(r), ids)
	}
	return m
}

// operatorMethods gives o the methods of a broadcast operator over what op
// returns: to, in, except, timeout, emit, send, fetchSockets, socketsJoin,
// socketsLeave, disconnectSockets. Namespaces and socket.broadcast have
// them too. timeout is what timeout(ms) set on the way, 0 when none: emit
// takes a callback, (err, responses), only with one.
func (a *api) operatorMethods(o *goja.Object, op func() *sio.BroadcastOperator, what string, timeout time.Duration) {
	narrow := func(f func(b *sio.BroadcastOperator, rooms ...string) *sio.BroadcastOperator) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			rooms := a.rooms(c.Arguments)
			return a.operator(func() *sio.BroadcastOperator { return f(op(), rooms...) }, what, timeout)
		}
	}
	a.method(o, "to", narrow((*sio.BroadcastOperator).To))
	a.method(o, "in", narrow((*sio.BroadcastOperator).In))
	a.method(o, "except", narrow((*sio.BroadcastOperator).Except))
	a.method(o, "timeout", func(c goja.FunctionCall) goja.Value {
		d := time.Duration(c.Argument(0).ToFloat() * float64(time.Millisecond))
		if d <= 0 {
			a.throw(fmt.Errorf("%s.timeout(ms): ms must be above 0", what))
		}
		return a.operator(func() *sio.BroadcastOperator { return op().Timeout(d) }, what, d)
	})
	a.method(o, "emit", func(c goja.FunctionCall) goja.Value {
		if n := len(c.Arguments); n > 1 {
			if fn, ok := goja.AssertFunction(c.Arguments[n-1]); ok {
				if timeout <= 0 {
					a.throw(fmt.Errorf("%s.emit: a callback of a broadcast needs timeout(ms) first: %s.timeout(5000).emit(event, ..., (err, responses) => ...)", what, what))
				}
				c.Arguments = c.Arguments[:n-1]
				ev, args := a.eventArgs(c, what+".timeout().emit")
				a.broadcastWithAck(op(), ev, args, a.ackFunc(fn, true))
				return a.rt.ToValue(true)
			}
		}
		ev, args := a.eventArgs(c, what+".emit")
		if err := op().Emit(ev, args...); err != nil {
			a.throw(fmt.Errorf("%s.emit(%q): %w", what, ev, err))
		}
		return a.rt.ToValue(true)
	})
	a.method(o, "send", func(c goja.FunctionCall) goja.Value {
		c.Arguments = append([]goja.Value{a.rt.ToValue("message")}, c.Arguments...)
		emit, _ := goja.AssertFunction(o.Get("emit"))
		v, err := emit(o, c.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	})
	a.method(o, "fetchSockets", func(goja.FunctionCall) goja.Value {
		var list []any
		for _, s := range op().FetchSockets() {
			if js := a.sockets[s]; js != nil {
				list = append(list, js.obj)
			}
		}
		p, resolve, _ := a.rt.NewPromise()
		_ = resolve(a.rt.NewArray(list...))
		return a.rt.ToValue(p)
	})
	a.method(o, "socketsJoin", func(c goja.FunctionCall) goja.Value {
		op().SocketsJoin(a.rooms(c.Arguments)...)
		return goja.Undefined()
	})
	a.method(o, "socketsLeave", func(c goja.FunctionCall) goja.Value {
		op().SocketsLeave(a.rooms(c.Arguments)...)
		return goja.Undefined()
	})
	a.method(o, "disconnectSockets", func(c goja.FunctionCall) goja.Value {
		// disconnectSockets(true) closes the clients' connections too
		if c.Argument(0).ToBoolean() {
			_ = op().CloseSockets()
		} else {
			_ = op().DisconnectSockets()
		}
		return goja.Undefined()
	})
}

// operator returns a new broadcast operator object (timeout: see
// operatorMethods).
func (a *api) operator(op func() *sio.BroadcastOperator, what string, timeout time.Duration) *goja.Object {
	o := a.rt.NewObject()
	a.operatorMethods(o, op, what, timeout)
	return o
}

// maxBroadcastAcks bounds the broadcasts of one instance waiting for their
// acknowledgements at once: each holds a goroutine until its timeout.
const maxBroadcastAcks = 16

// broadcastWithAck sends a broadcast that collects acknowledgements (b has
// its timeout), and calls back ack with (err, responses) on the loop once
// every client answered, the timeout passed (err, and the answers so far)
// or the instance stopped (no call).
func (a *api) broadcastWithAck(b *sio.BroadcastOperator, ev string, args []any, ack sio.AckFunc) {
	if a.broadcastAcks.Add(1) > maxBroadcastAcks {
		a.broadcastAcks.Add(-1)
		a.throw(fmt.Errorf("more than %d broadcasts wait for their acknowledgements", maxBroadcastAcks))
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer a.broadcastAcks.Add(-1)
		defer cancel()
		go func() {
			select {
			case <-a.in.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		responses, err := b.EmitWithAck(ctx, ev, args...)
		if responses == nil {
			responses = []any{}
		}
		ack([]any{responses}, err)
	}()
}

// serverCountWait bounds adapter.serverCount(): a Redis that does not
// answer rejects the promise after it.
const serverCountWait = 5 * time.Second

// serverCount is adapter.serverCount(): a Promise of the number of nodes
// sharing the namespace's adapter (1 without a cluster). A Redis adapter
// asks Redis, so the question runs off the loop, among the calls
// maxBroadcastAcks bounds, and the answer settles the promise on the loop.
func (a *api) serverCount(nsp *sio.Namespace) goja.Value {
	p, resolve, reject := a.rt.NewPromise()
	if a.broadcastAcks.Add(1) > maxBroadcastAcks {
		a.broadcastAcks.Add(-1)
		a.throw(fmt.Errorf("more than %d questions to the other nodes wait for their answers", maxBroadcastAcks))
	}
	go func() {
		defer a.broadcastAcks.Add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), serverCountWait)
		defer cancel()
		go func() { // the instance's end ends the question
			select {
			case <-a.in.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		n, err := nsp.Adapter().ServerCount(ctx)
		a.in.post(func() {
			settle, _ := goja.AssertFunction(a.rt.ToValue(func(goja.FunctionCall) goja.Value {
				if err != nil {
					_ = reject(a.rt.NewGoError(fmt.Errorf("adapter.serverCount(): %w", err)))
				} else {
					_ = resolve(n)
				}
				return goja.Undefined()
			}))
			a.in.run("adapter.serverCount", settle, goja.Undefined())
		})
	}()
	return a.rt.ToValue(p)
}

// rooms reads room names from arguments: strings, or arrays of them.
func (a *api) rooms(args []goja.Value) []string {
	var out []string
	for _, v := range args {
		if o, ok := v.(*goja.Object); ok && o.ClassName() == "Array" {
			for _, k := range o.Keys() {
				out = append(out, o.Get(k).String())
			}
			continue
		}
		out = append(out, v.String())
	}
	return out
}

// eventArgs reads emit's arguments: the event name, then the values, a
// function last becoming an sio.AckFunc that calls it back on the loop.
func (a *api) eventArgs(c goja.FunctionCall, what string) (string, []any) {
	if len(c.Arguments) == 0 {
		a.throw(fmt.Errorf("%s: the event name is missing", what))
	}
	ev := c.Arguments[0].String()
	rest := c.Arguments[1:]
	var ack sio.AckFunc
	if n := len(rest); n > 0 {
		if fn, ok := goja.AssertFunction(rest[n-1]); ok {
			rest = rest[:n-1]
			ack = a.ackFunc(fn, false)
		}
	}
	args := make([]any, 0, len(rest)+1)
	for i, v := range rest {
		x, err := a.in.fromJS(v)
		if err != nil {
			a.throw(fmt.Errorf("%s(%q): argument %d: %w", what, ev, i+1, err))
		}
		args = append(args, x)
	}
	if ack != nil {
		args = append(args, ack)
	}
	return ev, args
}

// ackFunc wraps a script's callback as an sio.AckFunc: the client's answer
// runs it on the loop. withErr passes an error (or null) first, as
// socket.timeout(ms).emit does.
func (a *api) ackFunc(fn goja.Callable, withErr bool) sio.AckFunc {
	return func(args []any, err error) {
		a.in.post(func() {
			var vals []goja.Value
			if withErr {
				if err != nil {
					vals = append(vals, a.rt.NewGoError(err))
				} else {
					vals = append(vals, goja.Null())
				}
			} else if err != nil {
				return // a plain callback hears nothing of a socket that left
			}
			for _, x := range args {
				vals = append(vals, a.in.toJS(x))
			}
			a.in.run("acknowledgement callback", fn, goja.Undefined(), vals...)
		})
	}
}

// middleware runs a script's middleware for s and waits, within
// Limits.Middleware, for it to call next. A refused socket is forgotten.
func (a *api) middleware(fn goja.Callable, s *sio.Socket) error {
	err := a.runMiddleware(fn, s)
	if err != nil {
		a.forget(s)
	}
	return err
}

// forget drops the script's object for a socket that is gone: on the loop
// when it can, else after the loop's next job (see gone).
func (a *api) forget(s *sio.Socket) {
	if !a.in.post(func() { delete(a.sockets, s) }) {
		a.goneMu.Lock()
		a.gone = append(a.gone, s)
		a.goneMu.Unlock()
	}
}

func (a *api) runMiddleware(fn goja.Callable, s *sio.Socket) error {
	result := make(chan error, 1)
	posted := a.in.post(func() {
		js := a.socket(s)
		next := a.rt.ToValue(func(c goja.FunctionCall) goja.Value {
			select {
			case result <- a.connectError(c.Argument(0)):
			default: // next called twice: the first call counts
			}
			return goja.Undefined()
		})
		a.in.run("middleware", fn, goja.Undefined(), js.obj, next)
	})
	if !posted {
		return &sio.ConnectError{Message: "the server is busy"}
	}
	t := time.NewTimer(a.in.limits.Middleware)
	defer t.Stop()
	select {
	case err := <-result:
		return err
	case <-t.C:
		a.in.post(func() {
			a.in.println(fmt.Sprintf("[workbook] middleware: next() was not called within %v; the client is refused", a.in.limits.Middleware))
		})
		return &sio.ConnectError{Message: "the middleware did not call next() in time"}
	case <-a.in.stop:
		return &sio.ConnectError{Message: "the server has stopped"}
	}
}

// connectError turns what a middleware passed to next into the refusal:
// nil for none, else its message and its data (err.data).
func (a *api) connectError(v goja.Value) error {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return &sio.ConnectError{Message: v.String()}
	}
	ce := &sio.ConnectError{Message: o.Get("message").String()}
	if m := o.Get("message"); m == nil || goja.IsUndefined(m) {
		ce.Message = v.String()
	}
	if d := o.Get("data"); d != nil && !goja.IsUndefined(d) {
		x, err := a.in.fromJS(d)
		if err != nil {
			return &sio.ConnectError{Message: ce.Message}
		}
		ce.Data = x
	}
	return ce
}

// connected is the Go connection handler of a namespace the script listens
// on. It hooks the socket's events, then runs the script's connection
// handlers on the loop and waits for them, as it waits for each event's
// listeners: so the step's checks, whose handlers come after, see what the
// script did (a room joined), as with a Go server. Each wait (for a place
// in the queue, then for the job) is bounded by wait(): a script that is
// slow or behind holds up its own clients only, and for no longer than
// that.
func (a *api) connected(n *jsNamespace, s *sio.Socket) {
	s.OnAny(func(e *sio.Event) {
		a.in.call(a.wait(), func() { a.event(s, e) })
	})
	s.OnDisconnecting(func(reason sio.Reason) {
		rooms := s.Rooms()
		a.in.call(a.wait(), func() {
			if js := a.sockets[s]; js != nil {
				js.rooms = rooms // the rooms it is leaving, as in Node
				a.emitLocal(js, "disconnecting", a.rt.ToValue(reason.String()))
				js.rooms = nil
			}
		})
	})
	// "disconnect" is not waited for: the checks' own disconnect handlers
	// run at once, before the script's can hand what the socket held (a
	// chat name) to another client.
	s.OnDisconnect(func(reason sio.Reason) {
		posted := a.in.postWait(a.wait(), func() {
			if js := a.sockets[s]; js != nil {
				a.emitLocal(js, "disconnect", a.rt.ToValue(reason.String()))
				delete(a.sockets, s)
			}
		})
		if !posted {
			a.forget(s)
		}
	})
	a.in.call(a.wait(), func() {
		// Run even if the client has left meanwhile, as in Node, where
		// the connection handler runs before anything else can happen:
		// its "disconnect" job comes next.
		js := a.socket(s)
		for _, fn := range n.conn {
			a.in.run("connection handler", fn, goja.Undefined(), js.obj)
		}
	})
}

// forgetGone drops the sockets of gone, on the loop. A socket whose
// "disconnect" job is still queued is forgotten after it runs instead.
func (a *api) forgetGone() {
	a.goneMu.Lock()
	gone := a.gone
	a.gone = nil
	a.goneMu.Unlock()
	for _, s := range gone {
		delete(a.sockets, s)
	}
}

// wait bounds how long a connection's goroutine waits for the loop: the
// longest a handler may run, and a second for the jobs ahead of it.
func (a *api) wait() time.Duration { return a.in.limits.HandlerTime + time.Second }

// event runs the script's listeners of e, on the loop.
func (a *api) event(s *sio.Socket, e *sio.Event) {
	js := a.sockets[s]
	if js == nil {
		return
	}
	vals := a.args(e)
	if e.HasAck() {
		vals = append(vals, a.rt.ToValue(func(c goja.FunctionCall) goja.Value {
			args := make([]any, 0, len(c.Arguments))
			for i, v := range c.Arguments {
				x, err := a.in.fromJS(v)
				if err != nil {
					a.throw(fmt.Errorf("the acknowledgement of %q: argument %d: %w", e.Name, i+1, err))
				}
				args = append(args, x)
			}
			if err := e.Ack(args...); errors.Is(err, sio.ErrAckSent) {
				a.throw(fmt.Errorf("the acknowledgement of %q was sent already", e.Name))
			}
			return goja.Undefined()
		}))
	}
	a.emitLocal(js, e.Name, vals...)
}

// args returns the arguments of e as the script sees them. Without binary
// attachments they are parsed from their JSON by JSON.parse, so that an
// object's keys keep the order the client sent them in, as in Node.
func (a *api) args(e *sio.Event) []goja.Value {
	vals := make([]goja.Value, 0, e.Len()+1)
	if !e.HasBinary() {
		ok := true
		for _, raw := range e.Raw() {
			v, err := a.parseJSON(raw)
			if err != nil {
				ok = false
				break
			}
			vals = append(vals, v)
		}
		if ok {
			return vals
		}
		vals = vals[:0]
	}
	for _, x := range e.Args() {
		vals = append(vals, a.in.toJS(x))
	}
	return vals
}

// parseJSON is JSON.parse(raw) in the script's runtime.
func (a *api) parseJSON(raw []byte) (goja.Value, error) {
	parse, _ := goja.AssertFunction(a.rt.Get("JSON").ToObject(a.rt).Get("parse"))
	return parse(goja.Undefined(), a.rt.ToValue(string(raw)))
}

// emitLocal calls the script's listeners of event on js.
func (a *api) emitLocal(js *jsSocket, event string, args ...goja.Value) {
	list := js.listeners[event]
	if len(list) == 0 {
		return
	}
	kept := list[:0:0]
	for _, l := range list {
		if !l.once {
			kept = append(kept, l)
		}
	}
	js.listeners[event] = kept
	for _, l := range list {
		a.in.run(fmt.Sprintf("handler of %q", event), l.fn, js.obj, args...)
	}
}

// socket returns the script's object for s, making it the first time.
func (a *api) socket(s *sio.Socket) *jsSocket {
	if js := a.sockets[s]; js != nil {
		return js
	}
	js := &jsSocket{s: s, obj: a.rt.NewObject(), listeners: map[string][]*listener{}, data: a.rt.NewObject()}
	a.sockets[s] = js
	o := js.obj
	_ = o.Set("id", s.ID())
	_ = o.Set("recovered", s.Recovered()) // connection state recovery restored it
	_ = o.Set("nsp", a.namespace(s.Namespace()).obj)
	_ = o.Set("handshake", a.handshake(s))
	conn := a.rt.NewObject()
	_ = conn.Set("id", s.SessionID())
	transport := a.rt.NewObject()
	a.getter(transport, "name", func() goja.Value { return a.rt.ToValue(s.Transport()) })
	_ = conn.Set("transport", transport)
	_ = o.Set("conn", conn)
	a.getter(o, "connected", func() goja.Value { return a.rt.ToValue(s.Connected()) })
	a.getter(o, "disconnected", func() goja.Value { return a.rt.ToValue(!s.Connected()) })
	a.getter(o, "rooms", func() goja.Value {
		rooms := js.rooms
		if rooms == nil {
			rooms = s.Rooms()
		}
		set, _ := a.rt.New(a.rt.Get("Set"), a.in.toJS(rooms))
		return set
	})
	// socket.data: anything the script keeps with the socket. The Go side
	// (the step's checks) reads it as Socket.Data(), as JSON-like values.
	_ = o.DefineAccessorProperty("data",
		a.rt.ToValue(func(goja.FunctionCall) goja.Value { return js.data }),
		a.rt.ToValue(func(c goja.FunctionCall) goja.Value {
			js.data = c.Argument(0)
			x, err := a.in.fromJS(js.data)
			if err != nil {
				a.throw(fmt.Errorf("socket.data: %w", err))
			}
			s.SetData(x)
			return goja.Undefined()
		}), goja.FLAG_FALSE, goja.FLAG_TRUE)
	on := func(once bool) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			ev := c.Argument(0).String()
			fn, ok := goja.AssertFunction(c.Argument(1))
			if !ok {
				a.throw(fmt.Errorf("socket.on(%q, handler): the handler must be a function", ev))
			}
			js.listeners[ev] = append(js.listeners[ev], &listener{fn: fn, val: c.Argument(1), once: once})
			return o
		}
	}
	a.method(o, "on", on(false))
	a.method(o, "once", on(true))
	a.method(o, "off", func(c goja.FunctionCall) goja.Value {
		ev := c.Argument(0).String()
		if len(c.Arguments) < 2 {
			delete(js.listeners, ev)
			return o
		}
		target := c.Argument(1)
		list := js.listeners[ev]
		for i, l := range list {
			if l.val.SameAs(target) {
				js.listeners[ev] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		return o
	})
	a.method(o, "emit", func(c goja.FunctionCall) goja.Value {
		ev, args := a.eventArgs(c, "socket.emit")
		if err := s.Emit(ev, args...); err != nil {
			a.throw(fmt.Errorf("socket.emit(%q): %w", ev, err))
		}
		return a.rt.ToValue(true)
	})
	a.method(o, "send", func(c goja.FunctionCall) goja.Value {
		c.Arguments = append([]goja.Value{a.rt.ToValue("message")}, c.Arguments...)
		_, args := a.eventArgs(c, "socket.send")
		if err := s.Emit("message", args...); err != nil {
			a.throw(fmt.Errorf("socket.send: %w", err))
		}
		return a.rt.ToValue(true)
	})
	a.method(o, "timeout", func(c goja.FunctionCall) goja.Value {
		d := time.Duration(c.Argument(0).ToFloat() * float64(time.Millisecond))
		t := a.rt.NewObject()
		a.method(t, "emit", func(c goja.FunctionCall) goja.Value {
			n := len(c.Arguments)
			fn, ok := goja.AssertFunction(c.Argument(n - 1))
			if n < 2 || !ok {
				a.throw(errors.New("socket.timeout(ms).emit(event, ..., callback): the callback (err, ...answer) is missing"))
			}
			c.Arguments = c.Arguments[:n-1]
			ev, args := a.eventArgs(c, "socket.timeout().emit")
			if err := s.Timeout(d).Emit(ev, append(args, a.ackFunc(fn, true))...); err != nil {
				a.throw(fmt.Errorf("socket.timeout(%v).emit(%q): %w", d, ev, err))
			}
			return a.rt.ToValue(true)
		})
		return t
	})
	a.method(o, "join", func(c goja.FunctionCall) goja.Value {
		s.Join(a.rooms(c.Arguments)...)
		return goja.Undefined()
	})
	a.method(o, "leave", func(c goja.FunctionCall) goja.Value {
		s.Leave(c.Argument(0).String())
		return goja.Undefined()
	})
	a.method(o, "disconnect", func(c goja.FunctionCall) goja.Value {
		if c.Argument(0).ToBoolean() { // disconnect(true) closes the connection
			s.CloseConnection()
		} else {
			s.Disconnect()
		}
		return o
	})
	broadcast := func() *sio.BroadcastOperator { return s.Broadcast() }
	a.getter(o, "broadcast", func() goja.Value { return a.operator(broadcast, "socket.broadcast", 0) })
	a.method(o, "to", func(c goja.FunctionCall) goja.Value {
		rooms := a.rooms(c.Arguments)
		return a.operator(func() *sio.BroadcastOperator { return s.To(rooms...) }, "socket.to", 0)
	})
	_ = o.Set("in", o.Get("to"))
	a.method(o, "except", func(c goja.FunctionCall) goja.Value {
		rooms := a.rooms(c.Arguments)
		return a.operator(func() *sio.BroadcastOperator { return s.Except(rooms...) }, "socket.except", 0)
	})
	return js
}

// handshake is socket.handshake: headers (lower-case names), query, auth,
// address, time, issued, url, secure, xdomain.
func (a *api) handshake(s *sio.Socket) *goja.Object {
	h := s.Handshake()
	o := a.rt.NewObject()
	if h == nil {
		return o
	}
	headers := a.rt.NewObject()
	for k, v := range h.Headers {
		_ = headers.Set(strings.ToLower(k), strings.Join(v, ", "))
	}
	query := a.rt.NewObject()
	for k, v := range h.Query {
		if len(v) > 0 {
			_ = query.Set(k, v[0])
		}
	}
	auth := map[string]any{}
	for k, v := range h.Auth {
		auth[k] = v
	}
	_ = o.Set("headers", headers)
	_ = o.Set("query", query)
	authVal := a.in.toJS(auth)
	if len(h.RawAuth) > 0 { // the client's key order, as in Node
		if v, err := a.parseJSON(h.RawAuth); err == nil {
			if _, isObj := v.(*goja.Object); isObj {
				authVal = v
			}
		}
	}
	_ = o.Set("auth", authVal)
	_ = o.Set("address", h.Address)
	_ = o.Set("time", h.Time.Format(time.RFC1123))
	_ = o.Set("issued", h.Time.UnixMilli())
	_ = o.Set("url", h.URL)
	_ = o.Set("secure", h.Secure)
	_ = o.Set("xdomain", h.XDomain)
	return o
}
