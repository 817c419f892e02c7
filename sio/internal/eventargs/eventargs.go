// Package eventargs holds the arguments of a received event or
// acknowledgement, decoded lazily: the server's sio.Event and the client's
// client.Event both keep theirs in an Args.
package eventargs

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/sioworkbook/workbook/sio/parser"
)

// Args are the arguments as received: one JSON text each, and the packet's
// binary attachments. An Args must not be copied after first use.
type Args struct {
	raw         []json.RawMessage
	attachments [][]byte

	once   sync.Once
	values []any
}

// Parse splits an EVENT or BINARY_EVENT packet into its name and arguments.
// The parser has checked the payload is an array whose first element is a
// string or a number; a number becomes its decimal text.
func Parse(p *parser.Packet) (name string, args *Args, err error) {
	raw, err := parser.SplitArray(p.Data)
	if err != nil || len(raw) == 0 {
		return "", nil, fmt.Errorf("bad event payload: %v", err)
	}
	if err := json.Unmarshal(raw[0], &name); err != nil {
		name = string(raw[0])
	}
	return name, &Args{raw: raw[1:], attachments: p.Attachments}, nil
}

// Values decodes every argument as a generic value; see Decode.
func Values(raw []json.RawMessage, attachments [][]byte) []any {
	out := make([]any, len(raw))
	for i, r := range raw {
		out[i], _ = parser.Value(r, attachments) // the parser has checked the JSON
	}
	return out
}

// Len returns the number of arguments.
func (a *Args) Len() int { return len(a.raw) }

// Values returns the arguments as generic Go values (nil, bool, float64,
// string, []any, map[string]any, []byte), decoded once on the first call.
func (a *Args) Values() []any {
	a.once.Do(func() { a.values = Values(a.raw, a.attachments) })
	return a.values
}

// At returns argument i, or nil when there is none.
func (a *Args) At(i int) any {
	v := a.Values()
	if i < 0 || i >= len(v) {
		return nil
	}
	return v[i]
}

// Bind decodes the arguments into dst in order; see sio.Event.Bind. On
// failure it returns the index of the argument with the error.
func (a *Args) Bind(dst ...any) (int, error) {
	for i, d := range dst {
		if d == nil || i >= len(a.raw) {
			continue
		}
		if err := parser.Unmarshal(a.raw[i], a.attachments, d); err != nil {
			return i, err
		}
	}
	return -1, nil
}

// Raw returns the arguments' JSON texts, placeholders kept.
func (a *Args) Raw() []json.RawMessage { return a.raw }

// HasBinary reports whether binary attachments came with the arguments.
func (a *Args) HasBinary() bool { return len(a.attachments) > 0 }
