package jsserver

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// sandbox fills the runtime's global object: console, timers, a few web
// globals, and the size checks of the built-ins. goja offers no require,
// no file system, no network and no process; require is defined only to
// say so clearly.
func (in *Instance) sandbox() error {
	rt := in.rt
	g := rt.GlobalObject()
	console := rt.NewObject()
	for _, name := range []string{"log", "info", "debug", "warn", "error"} {
		_ = console.Set(name, func(call goja.FunctionCall) goja.Value {
			in.println(in.format(call.Arguments))
			return goja.Undefined()
		})
	}
	sets := []struct {
		name string
		v    any
	}{
		{"console", console},
		{"setTimeout", func(call goja.FunctionCall) goja.Value { return in.setTimer(call, false) }},
		{"setInterval", func(call goja.FunctionCall) goja.Value { return in.setTimer(call, true) }},
		{"clearTimeout", func(call goja.FunctionCall) goja.Value { in.clearTimer(call.Argument(0)); return goja.Undefined() }},
		{"clearInterval", func(call goja.FunctionCall) goja.Value { in.clearTimer(call.Argument(0)); return goja.Undefined() }},
		{"require", func(call goja.FunctionCall) goja.Value {
			panic(rt.NewGoError(fmt.Errorf("require(%q): there are no modules in the workbook's sandbox; io, the step's Socket.IO server, is already there", call.Argument(0).String())))
		}},
	}
	for _, s := range sets {
		if err := g.Set(s.name, s.v); err != nil {
			return err
		}
	}
	crypto := rt.NewObject()
	subtle := rt.NewObject()
	_ = subtle.Set("digest", in.digest)
	_ = crypto.Set("subtle", subtle)
	if err := g.Set("crypto", crypto); err != nil {
		return err
	}
	_, err := rt.RunString(strings.ReplaceAll(limitsPrelude, "MAX_SIZE", fmt.Sprint(in.limits.Size)))
	return err
}

// limitsPrelude wraps the built-ins that can make a huge value, or walk a
// huge sparse array, in one call: goja's built-ins run to the end before an
// interrupt is seen, so a check before the call is the only one that helps.
const limitsPrelude = `(function () {
	"use strict";
	const max = MAX_SIZE;
	// The originals, taken before anything is wrapped: the wrappers call
	// through them, never through what they wrap (nor through spread,
	// which iterates with a wrapped function).
	const rapply = Reflect.apply, rconstruct = Reflect.construct;
	const tooBig = (what, n) => new RangeError(what + ": " + n + " is more than the sandbox allows (" + max + ")");
	const wrap = (proto, name, size) => {
		const orig = proto[name];
		Object.defineProperty(proto, name, { configurable: true, writable: true, value: {
			[name](...args) {
				const n = rapply(size, this, args);
				if (!(n <= max)) throw tooBig(name, n);
				return rapply(orig, this, args);
			} }[name] });
	};
	const thisLength = function () { return this.length >>> 0; };
	const wrapCtorLater = [];
	wrap(String.prototype, "repeat", function (count) { return this.length * count; });
	wrap(String.prototype, "padStart", function (n) { return Number(n) || 0; });
	wrap(String.prototype, "padEnd", function (n) { return Number(n) || 0; });
	// join, concat and replace make one string of their parts: count the
	// parts, in script code (interruptible), before the built-in runs.
	const strLen = (x) => (x == null ? 0 : String(x).length);
	wrap(Array.prototype, "join", function (sep) {
		const n = this.length >>> 0;
		if (!(n <= max)) return n;
		let total = n > 0 ? (n - 1) * (sep === undefined ? 1 : strLen(sep)) : 0;
		for (let i = 0; i < n && total <= max; i++) total += strLen(this[i]);
		return total;
	});
	wrap(String.prototype, "concat", function (...parts) {
		return parts.reduce((n, p) => n + strLen(p), this.length);
	});
	for (const name of ["replace", "replaceAll"]) {
		wrap(String.prototype, name, function (pattern, replacement) {
			return typeof replacement === "function" ? this.length : this.length * (strLen(replacement) + 1);
		});
	}
	for (const name of ["fill", "map", "forEach", "filter", "reduce", "reduceRight", "some", "every",
		"find", "findIndex", "findLast", "findLastIndex", "indexOf", "lastIndexOf", "includes", "reverse",
		"sort", "toSorted", "toReversed", "flat", "flatMap", "slice", "splice", "keys", "values", "entries",
		"copyWithin", "toString", "toLocaleString"]) {
		if (Array.prototype[name]) wrap(Array.prototype, name, thisLength);
	}
	wrap(Array, "from", function (src) { return src == null ? 0 : (src.length >>> 0); });
	// An array with a huge length set by hand (a = []; a.length = 1e9) is
	// cheap until a built-in walks it: check the length wherever one is
	// taken as a list.
	const lengthOf = (x) => (x != null && typeof x === "object") || typeof x === "function" ? (x.length >>> 0) : 0;
	wrap(Function.prototype, "apply", function (self, list) { return lengthOf(list); });
	wrap(Reflect, "apply", function (f, self, list) { return lengthOf(list); });
	wrap(Reflect, "construct", function (f, list) { return lengthOf(list); });
	wrap(Array.prototype, "concat", function (...lists) {
		return lists.reduce((n, x) => n + (Array.isArray(x) ? x.length : 1), this.length >>> 0);
	});
	const values = Array.prototype.values;
	Object.defineProperty(Array.prototype, Symbol.iterator, { configurable: true, writable: true, value: values });
	const origStringify = JSON.stringify;
	Object.defineProperty(JSON, "stringify", { configurable: true, writable: true, value: function stringify(v, replacer, space) {
		const check = function (key, value) {
			if (Array.isArray(value) && !(value.length <= max)) throw tooBig("JSON.stringify", value.length);
			return typeof replacer === "function" ? rapply(replacer, this, [key, value]) : value;
		};
		return rapply(origStringify, JSON, [v, Array.isArray(replacer) ? replacer : check, space]);
	} });
	for (const name of ["Set", "Map", "WeakSet", "WeakMap"]) {
		wrapCtorLater.push([name, (args) => lengthOf(args[0])]);
	}
	// The constructors are wrapped in plain functions that share the
	// original's prototype, so that instanceof and the static methods work
	// as before (a Proxy would break instanceof in goja).
	const wrapCtor = (name, size) => {
		const Orig = globalThis[name];
		if (!Orig) return;
		const W = function (...args) {
			const n = size(args, Orig);
			if (!(n <= max)) throw tooBig(name, n);
			if (new.target === undefined) return rapply(Orig, undefined, args);
			return rconstruct(Orig, args, new.target === W ? Orig : new.target);
		};
		Object.defineProperty(W, "name", { value: name });
		Object.defineProperty(W, "length", { value: Orig.length });
		W.prototype = Orig.prototype;
		Object.setPrototypeOf(W, Orig); // Array.isArray, Uint8Array.from...
		Object.defineProperty(Orig.prototype, "constructor", { value: W, writable: true, configurable: true });
		Object.defineProperty(globalThis, name, { value: W, writable: true, configurable: true });
	};
	for (const [name, size] of wrapCtorLater) wrapCtor(name, size);
	wrapCtor("Array", (args) => args.length === 1 && typeof args[0] === "number" ? args[0] : 0);
	const sizeOf = (x) => typeof x === "number" ? x : (x && typeof x === "object" && "length" in x ? x.length >>> 0 : 0);
	for (const name of ["ArrayBuffer", "SharedArrayBuffer", "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array",
		"Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
		wrapCtor(name, (args, Orig) => sizeOf(args[0]) * (Orig.BYTES_PER_ELEMENT || 1));
	}
})();`

// format prints console arguments as Node prints them, roughly: strings as
// they are, other values as JSON, functions and undefined by name.
func (in *Instance) format(args []goja.Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = in.show(a)
	}
	return strings.Join(parts, " ")
}

func (in *Instance) show(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	switch x := v.Export().(type) {
	case string:
		return x
	case bool, int64:
		return fmt.Sprint(x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return v.String()
		}
		return fmt.Sprint(x)
	}
	o := v.ToObject(in.rt)
	if _, ok := goja.AssertFunction(v); ok {
		return "[Function: " + o.Get("name").String() + "]"
	}
	if o.ClassName() == "Error" {
		if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
			return s.String()
		}
		return v.String()
	}
	if b, ok := bytesOf(v); ok {
		return fmt.Sprintf("<Uint8Array %d bytes>", len(b))
	}
	stringify, _ := goja.AssertFunction(in.rt.Get("JSON").ToObject(in.rt).Get("stringify"))
	s, err := stringify(goja.Undefined(), v)
	if err != nil || goja.IsUndefined(s) {
		return v.String()
	}
	return s.String()
}

// digest is crypto.subtle.digest(algorithm, data): a Promise of an
// ArrayBuffer, as in browsers and in Node (globalThis.crypto).
func (in *Instance) digest(call goja.FunctionCall) goja.Value {
	rt := in.rt
	promise, resolve, reject := rt.NewPromise()
	alg := call.Argument(0)
	if o, ok := alg.(*goja.Object); ok && o.Get("name") != nil {
		alg = o.Get("name")
	}
	data, ok := bytesOf(call.Argument(1))
	var sum []byte
	switch strings.ToUpper(alg.String()) {
	case "SHA-1":
		s := sha1.Sum(data)
		sum = s[:]
	case "SHA-256":
		s := sha256.Sum256(data)
		sum = s[:]
	case "SHA-384":
		s := sha512.Sum384(data)
		sum = s[:]
	case "SHA-512":
		s := sha512.Sum512(data)
		sum = s[:]
	default:
		_ = reject(rt.NewTypeError("crypto.subtle.digest: unknown algorithm " + alg.String()))
		return rt.ToValue(promise)
	}
	if !ok {
		_ = reject(rt.NewTypeError("crypto.subtle.digest: data must be an ArrayBuffer, a typed array or a DataView"))
		return rt.ToValue(promise)
	}
	_ = resolve(rt.NewArrayBuffer(sum))
	return rt.ToValue(promise)
}

// timer is one pending setTimeout or setInterval.
type timer struct {
	t     *time.Timer
	fn    goja.Callable
	args  []goja.Value
	every time.Duration // 0 for setTimeout
	// queued is set while a tick waits in the loop's queue: an interval
	// keeps at most one there, and a tick dropped on a full queue is lost
	// without stopping the interval.
	queued atomic.Bool
}

// minInterval is the shortest period of a setInterval: a timer flood stays
// a trickle.
const minInterval = 10 * time.Millisecond

func (in *Instance) setTimer(call goja.FunctionCall, repeat bool) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(in.rt.NewTypeError("the callback of a timer must be a function"))
	}
	if len(in.timers) >= in.limits.Timers {
		panic(in.rt.NewGoError(fmt.Errorf("too many timers: the sandbox allows %d pending at once; clear some with clearTimeout or clearInterval", in.limits.Timers)))
	}
	ms := call.Argument(1).ToFloat()
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	d := time.Duration(min(ms, 1<<31-1) * float64(time.Millisecond))
	if repeat {
		d = max(d, minInterval)
	}
	in.timerID++
	id := in.timerID
	t := &timer{fn: fn, args: append([]goja.Value(nil), call.Arguments[min(2, len(call.Arguments)):]...)}
	if repeat {
		t.every = d
	}
	in.timers[id] = t
	// The timer is made stopped, and started once t.t is set: its callback
	// reads t.t.
	t.t = time.AfterFunc(time.Duration(math.MaxInt64), func() {
		if t.every > 0 {
			t.t.Reset(t.every) // here, not in fire: a dropped tick must not end the interval
		}
		if t.queued.CompareAndSwap(false, true) && !in.post(func() { in.fire(id) }) {
			t.queued.Store(false)
		}
	})
	t.t.Reset(d)
	return in.rt.ToValue(id)
}

// fire runs timer id, on the loop.
func (in *Instance) fire(id int64) {
	t := in.timers[id]
	if t == nil {
		return // cleared meanwhile
	}
	t.queued.Store(false)
	if t.every == 0 {
		delete(in.timers, id)
	}
	in.run("timer", t.fn, goja.Undefined(), t.args...)
}

func (in *Instance) clearTimer(v goja.Value) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return
	}
	id := v.ToInteger()
	if t := in.timers[id]; t != nil {
		t.t.Stop()
		delete(in.timers, id)
	}
}

func (in *Instance) stopTimers() {
	for id, t := range in.timers {
		t.t.Stop()
		delete(in.timers, id)
	}
}
