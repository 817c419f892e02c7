package redisadapter

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The Node adapter encodes with notepack.io 3. Its conventions, which both
// directions keep here:
//   - a number that is an integer is the smallest msgpack int that holds it;
//     any other number is a float64 (never a float32);
//   - a Buffer (and an ArrayBuffer or typed array) is bin;
//   - undefined is nil, and an object drops its undefined fields;
//   - a Date is the timestamp extension (-1).
// notepack still decodes what its older versions wrote, and so do we: ext 0
// of one byte is undefined, ext 0 of eight bytes a Date in milliseconds, any
// other ext 0 an ArrayBuffer. Other extensions decode, as in notepack, to
// [type, bytes].

// maxDepth bounds the nesting of a decoded value: a hostile message cannot
// make the decoder recurse without end.
const maxDepth = 100

// maxSafeInt is the largest integer a JavaScript number holds exactly.
const maxSafeInt = 1<<53 - 1

// encodeValue writes v, a value as encoding/json or parser.Value produce it
// (nil, bool, float64, string, []any, map[string]any) plus []byte and Go
// integers, as notepack would write the same JavaScript value.
func encodeValue(e *msgpack.Encoder, v any) error {
	switch v := v.(type) {
	case nil:
		return e.EncodeNil()
	case bool:
		return e.EncodeBool(v)
	case string:
		return e.EncodeString(v)
	case []byte:
		return e.EncodeBytes(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= maxSafeInt {
			return e.EncodeInt(int64(v))
		}
		return e.EncodeFloat64(v)
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return e.EncodeInt(i)
		}
		f, err := v.Float64()
		if err != nil {
			return fmt.Errorf("redisadapter: number %s: %w", v, err)
		}
		return encodeValue(e, f)
	case int:
		return e.EncodeInt(int64(v))
	case int64:
		return e.EncodeInt(v)
	case uint64:
		return e.EncodeUint(v)
	case []any:
		if err := e.EncodeArrayLen(len(v)); err != nil {
			return err
		}
		for _, x := range v {
			if err := encodeValue(e, x); err != nil {
				return err
			}
		}
		return nil
	case []string:
		if err := e.EncodeArrayLen(len(v)); err != nil {
			return err
		}
		for _, x := range v {
			if err := e.EncodeString(x); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if err := e.EncodeMapLen(len(v)); err != nil {
			return err
		}
		for k, x := range v {
			if err := e.EncodeString(k); err != nil {
				return err
			}
			if err := encodeValue(e, x); err != nil {
				return err
			}
		}
		return nil
	case orderedMap:
		if err := e.EncodeMapLen(len(v)); err != nil {
			return err
		}
		for _, kv := range v {
			if err := e.EncodeString(kv.k); err != nil {
				return err
			}
			if err := encodeValue(e, kv.v); err != nil {
				return err
			}
		}
		return nil
	default:
		// Anything else goes through JSON first, as it would in Node.
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("redisadapter: encoding %T: %w", v, err)
		}
		var g any
		if err := json.Unmarshal(b, &g); err != nil {
			return fmt.Errorf("redisadapter: encoding %T: %w", v, err)
		}
		return encodeValue(e, g)
	}
}

// orderedMap is a map written with its keys in this order, as Node writes
// the fields of an object in the order they were set.
type orderedMap []kv

type kv struct {
	k string
	v any
}

// marshal encodes v with encodeValue.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := msgpack.NewEncoder(&buf)
	if err := encodeValue(e, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unmarshal decodes one msgpack value, and fails if bytes are left over.
// Maps come out as map[string]any (a key that is not a string is written
// in decimal, as JavaScript would use it), integers as int64 or uint64,
// bin as []byte, a timestamp as the ISO string JSON gives a Date.
func unmarshal(b []byte) (any, error) {
	r := bytes.NewReader(b)
	d := msgpack.NewDecoder(r)
	v, err := decodeValue(d, r, 0)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("redisadapter: %d bytes after the value", r.Len())
	}
	return v, nil
}

var errTooDeep = errors.New("redisadapter: value nested too deep")

func decodeValue(d *msgpack.Decoder, r *bytes.Reader, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := d.DecodeMapLen()
		if err != nil {
			return nil, err
		}
		if n > r.Len() { // each entry takes two bytes at least
			return nil, io.ErrUnexpectedEOF
		}
		m := make(map[string]any, n)
		for range n {
			k, err := decodeValue(d, r, depth+1)
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(d, r, depth+1)
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k)] = v
		}
		return m, nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := d.DecodeArrayLen()
		if err != nil {
			return nil, err
		}
		if n > r.Len() {
			return nil, io.ErrUnexpectedEOF
		}
		a := make([]any, n)
		for i := range a {
			if a[i], err = decodeValue(d, r, depth+1); err != nil {
				return nil, err
			}
		}
		return a, nil
	case msgpcode.IsExt(c):
		id, n, err := d.DecodeExtHeader()
		if err != nil {
			return nil, err
		}
		if n > r.Len() {
			return nil, io.ErrUnexpectedEOF
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, err
		}
		return extValue(id, data)
	case c == msgpcode.Float:
		f, err := d.DecodeFloat32()
		return float64(f), err
	case c == msgpcode.Double:
		return d.DecodeFloat64()
	case c == msgpcode.Uint64:
		return d.DecodeUint64()
	case msgpcode.IsFixedNum(c) || (c >= msgpcode.Uint8 && c <= msgpcode.Int64):
		return d.DecodeInt64()
	case msgpcode.IsString(c):
		return d.DecodeString()
	case msgpcode.IsBin(c):
		return d.DecodeBytes()
	case c == msgpcode.Nil:
		return nil, d.DecodeNil()
	case c == msgpcode.True || c == msgpcode.False:
		return d.DecodeBool()
	}
	return nil, fmt.Errorf("redisadapter: unknown msgpack code 0x%02x", c)
}

// extValue is what notepack makes of an extension.
func extValue(id int8, data []byte) (any, error) {
	switch {
	case id == 0 && len(data) == 1:
		return nil, nil // undefined, as notepack 2 wrote it
	case id == 0 && len(data) == 8: // a Date, as notepack 2 wrote it
		hi := int64(int32(binary.BigEndian.Uint32(data)))
		lo := int64(binary.BigEndian.Uint32(data[4:]))
		return isoTime(time.UnixMilli(hi<<32 + lo)), nil
	case id == 0:
		return data, nil // an ArrayBuffer, as notepack 2 wrote it
	case id == -1:
		var t time.Time
		switch len(data) {
		case 4:
			t = time.Unix(int64(binary.BigEndian.Uint32(data)), 0)
		case 8:
			x := binary.BigEndian.Uint64(data)
			t = time.Unix(int64(x&(1<<34-1)), int64(x>>34))
		case 12:
			t = time.Unix(int64(binary.BigEndian.Uint64(data[4:])), int64(binary.BigEndian.Uint32(data)))
		default:
			return nil, fmt.Errorf("redisadapter: timestamp of %d bytes", len(data))
		}
		return isoTime(t), nil
	}
	return []any{int64(id), data}, nil
}

// isoTime is Date.prototype.toJSON: what a Date becomes on its way to a
// client.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
