package sio

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/sioworkbook/workbook/sio/parser"
)

// What a connection of a socket.io-client 2.x (Engine.IO v3, accepted with
// Config.AllowEIO3) does differently, as the official server does it:
//
//   - it is connected to "/" by the server as soon as it opens: the client
//     never sends that CONNECT;
//   - a CONNECT carries its auth as a query in the namespace
//     ("40/custom?token=v2&n=7,"), which becomes Handshake.Auth with the
//     values as strings;
//   - the CONNECT reply has no payload ("40", "40/custom,"), whatever else
//     the server adds for v4 clients;
//   - a socket's id is the Engine.IO session id on "/", and
//     "<namespace>#<session id>" elsewhere;
//   - a middleware's refusal carries the error's data, or its message, alone.
//
// Everything else (events, acks, binary, broadcasts) is the same packet for
// both: the engine frames it for each client's protocol, so a broadcast is
// encoded once for v3 and v4 clients alike, and whatever a later feature adds
// to broadcast events reaches v3 clients too.

// v3 reports whether the connection is a socket.io-client 2.x one.
func (c *conn) v3() bool { return c.session.Protocol() == 3 }

// connectRoot connects a v3 connection to "/", as if its client had sent the
// CONNECT.
func (c *conn) connectRoot() {
	c.mu.Lock()
	c.connecting = append(c.connecting, "/")
	c.mu.Unlock()
	c.connect("/", nil)
}

// fromV3 rewrites a packet of a v3 client into what a v4 client would have
// sent: the query goes from the namespace, and a CONNECT's query becomes its
// auth payload (none when the query is empty).
func fromV3(p *parser.Packet) {
	name, query, found := strings.Cut(p.Namespace, "?")
	if !found {
		if p.Type == parser.Connect {
			p.Data = nil
		}
		return
	}
	p.Namespace = name
	if p.Type == parser.Connect {
		p.Data = queryAuth(query)
	}
}

// queryAuth turns a query string into the JSON object the official server
// makes of it: values as strings, keys in the order they first came, the
// last value of a repeated key winning, "+" read as a space. It returns nil
// for an empty query.
func queryAuth(query string) json.RawMessage {
	var keys, values []string
	for part := range strings.SplitSeq(query, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if i := slices.Index(keys, k); i >= 0 {
			values[i] = v
			continue
		}
		keys, values = append(keys, k), append(values, v)
	}
	if len(keys) == 0 {
		return nil
	}
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = parser.AppendJSONString(b, k)
		b = append(b, ':')
		b = parser.AppendJSONString(b, values[i])
	}
	return append(b, '}')
}

// unescapeQuery decodes one key or value of a query, keeping it as it is when
// its escapes are broken, as Node does.
func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// newSocketID returns the id of a new socket of c in namespace nsp.
func (c *conn) newSocketID(nsp string) string {
	if !c.v3() {
		return newSocketID() // not the session id: that one is a secret
	}
	if nsp == "/" {
		return c.sid()
	}
	return nsp + "#" + c.sid()
}

// connectReply is the payload of the CONNECT that tells the client s is
// connected: {"sid":...} for v4 ({"sid":...,"pid":...} with connection
// state recovery), nothing for v3.
func (c *conn) connectReply(s *Socket) json.RawMessage {
	if c.v3() {
		return nil
	}
	data, _ := json.Marshal(struct {
		SID string `json:"sid"`
		PID string `json:"pid,omitempty"` // with connection state recovery
	}{s.id, s.pid})
	return data
}

// refuse tells the client a middleware refused it in namespace nsp with err:
// {message, data} for v4; for v3, the error's data when it has some, else
// its message.
func (c *conn) refuse(nsp string, err error) {
	if !c.v3() {
		c.sendConnectError(nsp, err)
		return
	}
	var payload json.RawMessage
	msg := err.Error()
	var ce *ConnectError
	if errors.As(err, &ce) {
		msg = ce.Message
		if ce.Data != nil {
			payload, _ = json.Marshal(ce.Data)
		}
	}
	if payload == nil {
		payload = parser.AppendJSONString(nil, msg)
	}
	_ = c.send(&parser.Packet{Type: parser.ConnectError, Namespace: nsp, Data: payload}, false)
}
