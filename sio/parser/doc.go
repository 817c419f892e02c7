// Package parser encodes and decodes Socket.IO protocol v5 packets, the
// messages that travel inside Engine.IO "message" packets.
//
// A packet's text form is
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
// as in 2["hey","Jude"], 2/admin,13["tellme"] or 3/admin,13[]. Binary data
// never goes in the JSON: each []byte is replaced by a placeholder
// {"_placeholder":true,"num":k}, the packet becomes a BINARY_EVENT or
// BINARY_ACK that announces how many attachments follow, and the attachments
// travel as the next binary messages, in order:
//
//	51-["upload",{"_placeholder":true,"num":0}]   then <01 02 03 04>
//
// # Sending
//
// MarshalEvent and MarshalArgs build the JSON payload and pull out the
// attachments; AppendText writes the packet's text:
//
//	data, att, err := parser.MarshalEvent("upload", []any{"a.png", png})
//	p := parser.Packet{Type: parser.Event, Namespace: "/admin", Data: data, Attachments: att}
//	if len(att) > 0 {
//		p.Type = parser.BinaryEvent
//	}
//	text := parser.AppendText(nil, &p) // send text, then each of att as a binary message
//
// # Receiving
//
// A Decoder, one per connection, turns incoming messages back into packets,
// holding a binary packet until its attachments have arrived. SplitArray
// splits a payload into its raw elements, and Unmarshal and Value decode an
// element with its placeholders turned back into []byte:
//
//	var d parser.Decoder
//	p, err := d.Decode(msg, isBinary) // nil, nil while attachments are pending
//	args, err := parser.SplitArray(p.Data)
//	var name string
//	err = parser.Unmarshal(args[0], p.Attachments, &name)
//
// Every decoding error starts with "parser: " and wraps one of the Err
// values; the connection that sent the message should be closed.
//
// All functions are safe for concurrent use; a Decoder is not, and belongs to
// one connection.
package parser
