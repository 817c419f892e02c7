package parser_test

import (
	"errors"
	"fmt"

	"github.com/sioworkbook/workbook/sio/parser"
)

// Encoding an event: MarshalEvent builds the payload, AppendText the text
// message. The attachments follow as binary messages.
func ExampleMarshalEvent() {
	data, atts, err := parser.MarshalEvent("upload", []any{
		"a.png",
		map[string]any{"thumb": []byte{0x89, 'P'}, "size": 2},
		[]byte{1, 2, 3},
	})
	if err != nil {
		panic(err)
	}
	p := parser.Packet{Type: parser.Event, Namespace: "/files", HasID: true, ID: 7, Data: data, Attachments: atts}
	if len(atts) > 0 {
		p.Type = parser.BinaryEvent
	}
	fmt.Printf("%s\n", parser.AppendText(nil, &p))
	for _, a := range atts {
		fmt.Printf("binary % x\n", a)
	}
	// Output:
	// 52-/files,7["upload","a.png",{"size":2,"thumb":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]
	// binary 89 50
	// binary 01 02 03
}

// Acknowledging an event: MarshalArgs builds the payload of the ACK, which
// repeats the event's namespace and id.
func ExampleMarshalArgs() {
	data, atts, err := parser.MarshalArgs([]any{"ok", 42})
	if err != nil {
		panic(err)
	}
	p := parser.Packet{Type: parser.Ack, Namespace: "/admin", HasID: true, ID: 13, Data: data, Attachments: atts}
	fmt.Printf("%s\n", parser.AppendText(nil, &p))
	// Output:
	// 3/admin,13["ok",42]
}

func ExampleAppendText() {
	packets := []parser.Packet{
		{Type: parser.Connect, Namespace: "/admin"},
		{Type: parser.Connect, Data: []byte(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)},
		{Type: parser.ConnectError, Namespace: "/random", Data: []byte(`{"message":"Invalid namespace"}`)},
		{Type: parser.Event, HasID: true, ID: 12, Data: []byte(`["foo"]`)},
		{Type: parser.Disconnect, Namespace: "/admin"},
	}
	buf := []byte("4") // the Engine.IO message type, if the caller wants it
	for _, p := range packets {
		fmt.Printf("%s\n", parser.AppendText(buf[:1], &p))
	}
	// Output:
	// 40/admin,
	// 40{"sid":"wZX3oN0bSVIhsaknAAAI"}
	// 44/random,{"message":"Invalid namespace"}
	// 4212["foo"]
	// 41/admin,
}

// Decoding a binary event: the Decoder holds the packet until its last
// attachment arrives.
func ExampleDecoder() {
	var d parser.Decoder
	messages := []struct {
		data   string
		binary bool
	}{
		{`51-/files,["upload",{"_placeholder":true,"num":0}]`, false},
		{"\x01\x02\x03\x04", true},
		{`2["hey","Jude"]`, false},
	}
	for _, m := range messages {
		p, err := d.Decode([]byte(m.data), m.binary)
		if err != nil {
			fmt.Println("close the connection:", err)
			return
		}
		if p == nil {
			fmt.Println("waiting for attachments")
			continue
		}
		fmt.Printf("%v %s %s %q\n", p.Type, p.Namespace, p.Data, p.Attachments)
	}
	// Output:
	// waiting for attachments
	// BINARY_EVENT /files ["upload",{"_placeholder":true,"num":0}] ["\x01\x02\x03\x04"]
	// EVENT / ["hey","Jude"] []
}

// Every decoding error wraps one of the Err values.
func ExampleDecoder_Decode_errors() {
	for _, msg := range []string{
		`7["x"]`,
		`2["disconnect"]`,
		`2{}`,
		`511-["x"]`,
		`51-["x",{"_placeholder":true,"num":1}]`,
	} {
		var d parser.Decoder
		_, err := d.Decode([]byte(msg), false)
		fmt.Println(errors.Is(err, parser.ErrReservedEvent), err)
	}
	// Output:
	// false parser: unknown packet type '7'
	// true parser: reserved event name: "disconnect"
	// false parser: invalid payload: not valid for EVENT
	// false parser: too many attachments: 11 announced, at most 10
	// false parser: illegal attachments: placeholder number out of range
}

func ExampleSplitArray() {
	args, err := parser.SplitArray([]byte(`["chat", {"text": "hi, [you]"}, 42]`))
	if err != nil {
		panic(err)
	}
	for _, a := range args {
		fmt.Printf("%s\n", a)
	}
	// Output:
	// "chat"
	// {"text": "hi, [you]"}
	// 42
}

func ExampleUnmarshal() {
	payload := []byte(`["upload",{"name":"a.png","data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]`)
	atts := [][]byte{{0x89, 'P', 'N', 'G'}, {1, 2}}
	args, _ := parser.SplitArray(payload)

	var name string
	var file struct {
		Name string `json:"name"`
		Data []byte `json:"data"`
	}
	var raw []byte
	for i, dst := range []any{&name, &file, &raw} {
		if err := parser.Unmarshal(args[i], atts, dst); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%s %s %q %x\n", name, file.Name, file.Data, raw)
	// Output:
	// upload a.png "\x89PNG" 0102
}

func ExampleValue() {
	v, err := parser.Value([]byte(`{"id":7,"tags":["a"],"blob":{"_placeholder":true,"num":0}}`), [][]byte{{0xca, 0xfe}})
	if err != nil {
		panic(err)
	}
	m := v.(map[string]any)
	fmt.Printf("%v %v %x\n", m["id"], m["tags"], m["blob"].([]byte))
	// Output:
	// 7 [a] cafe
}

func ExampleIsReservedEvent() {
	fmt.Println(parser.IsReservedEvent("disconnect"), parser.IsReservedEvent("message"))
	_, _, err := parser.MarshalEvent("connect", nil)
	fmt.Println(err)
	// Output:
	// true false
	// parser: reserved event name: "connect"
}
