package jsserver

import (
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/dop251/goja"
)

// maxDepth and maxNodes bound a value going out of the script: a cyclic or
// huge object is an error in the script, not a hang of the server.
const (
	maxDepth = 64
	maxNodes = 100_000
)

var errTooDeep = errors.New("the value is nested too deep (or refers to itself) to be sent")

var errTooBig = errors.New("the value has too many parts to be sent")

// fromJS turns a JavaScript value into what sio sends: nil, bool, float64,
// int64, string, []any, map[string]any, and []byte for an ArrayBuffer, a
// typed array or a DataView (a binary attachment). Functions and undefined
// are left out of objects and become null in arrays, as JSON.stringify does;
// an object's toJSON is used when it has one (a Date, say).
func (in *Instance) fromJS(v goja.Value) (any, error) {
	n := 0
	return in.fromJSDepth(v, 0, &n)
}

func (in *Instance) fromJSDepth(v goja.Value, depth int, nodes *int) (any, error) {
	*nodes++
	if depth > maxDepth {
		return nil, errTooDeep
	}
	if *nodes > maxNodes {
		return nil, errTooBig
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, nil // JSON has no NaN: null, as JSON.stringify says
			}
			return x, nil
		case string, bool, int64:
			return x, nil
		}
		return v.String(), nil
	}
	if b, ok := bytesOf(o); ok {
		return append([]byte(nil), b...), nil
	}
	if _, ok := goja.AssertFunction(o); ok {
		return nil, nil
	}
	if toJSON, ok := goja.AssertFunction(o.Get("toJSON")); ok {
		r, err := toJSON(o)
		if err != nil {
			return nil, err
		}
		if r2, ok := r.(*goja.Object); !ok || r2 != o {
			return in.fromJSDepth(r, depth+1, nodes)
		}
	}
	if o.ClassName() == "Array" {
		length := int(o.Get("length").ToInteger())
		if length > maxNodes {
			return nil, errTooBig
		}
		out := make([]any, length)
		for i := range length {
			x, err := in.fromJSDepth(o.Get(strconv.Itoa(i)), depth+1, nodes)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	out := map[string]any{}
	for _, k := range o.Keys() {
		pv := o.Get(k)
		if pv == nil || goja.IsUndefined(pv) {
			continue
		}
		if _, ok := goja.AssertFunction(pv); ok {
			continue
		}
		x, err := in.fromJSDepth(pv, depth+1, nodes)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

// bytesOf returns the bytes of an ArrayBuffer, a typed array or a DataView.
func bytesOf(v goja.Value) ([]byte, bool) {
	if v == nil {
		return nil, false
	}
	switch x := v.Export().(type) {
	case goja.ArrayBuffer:
		return x.Bytes(), true
	case []byte:
		if o, ok := v.(*goja.Object); ok && o.ClassName() != "Array" {
			return x, true
		}
	}
	if o, ok := v.(*goja.Object); ok {
		bv := o.Get("buffer")
		if bv == nil {
			return nil, false
		}
		if buf, ok := bv.Export().(goja.ArrayBuffer); ok && o.Get("byteLength") != nil {
			off := int(o.Get("byteOffset").ToInteger())
			n := int(o.Get("byteLength").ToInteger())
			b := buf.Bytes()
			if off >= 0 && n >= 0 && off+n <= len(b) {
				return b[off : off+n], true
			}
		}
	}
	return nil, false
}

// toJS turns a value sio decoded (nil, bool, float64, string, []any,
// map[string]any, []byte) into a plain JavaScript value; bytes become a
// Uint8Array, as a Node server gets a Buffer (a Uint8Array too).
func (in *Instance) toJS(v any) goja.Value {
	rt := in.rt
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case []byte:
		u8, err := rt.New(rt.Get("Uint8Array"), rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), x...))))
		if err != nil {
			return goja.Null()
		}
		return u8
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = in.toJS(e)
		}
		return rt.NewArray(items...)
	case map[string]any:
		// Sorted: a Go map has no order, and the key order shows in logs.
		o := rt.NewObject()
		for _, k := range slices.Sorted(maps.Keys(x)) {
			_ = o.Set(k, in.toJS(x[k]))
		}
		return o
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return rt.NewArray(items...)
	}
	return rt.ToValue(v)
}
