package sio

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/internal/eventargs"
	"github.com/sioworkbook/workbook/sio/internal/mailbox"
	"github.com/sioworkbook/workbook/sio/parser"
)

// conn is one Engine.IO session seen from the Socket.IO layer (the "client"
// of the Node server): it decodes packets, routes them to the socket of their
// namespace, and encodes what the sockets send.
type conn struct {
	server  *Server
	session *engine.Session
	decoder parser.Decoder
	mailbox mailbox.Mailbox
	// inline and claimed are MessageInline's: the handling of this message
	// may run on the goroutine that read it, and has claimed the mailbox
	// for it. Only Message's callers touch them, one at a time (the
	// engine runs a session's callbacks in turn).
	inline, claimed bool
	runClaimed      func() // c.mailbox.RunClaimed, made once

	// mu guards the fields below. A connection is usually in one or two
	// namespaces: slices, searched in order, cost less than maps.
	mu           sync.Mutex
	sockets      []*Socket // one per namespace joined
	connecting   []string  // namespaces whose CONNECT is in progress
	closed       bool
	connectTimer *time.Timer // until the first namespace is joined; then nil
}

var _ engine.InlineHandler = (*conn)(nil)

func newConn(srv *Server, sess *engine.Session) *conn {
	c := &conn{
		server:  srv,
		session: sess,
		mailbox: mailbox.Mailbox{
			Log:      srv.log,
			Name:     "sio",
			MaxTasks: srv.maxQueuedEvents(),
			MaxBytes: srv.maxQueuedBytes(),
		},
	}
	c.decoder.MaxAttachments = srv.cfg.MaxAttachments
	c.runClaimed = c.mailbox.RunClaimed
	c.connectTimer = time.AfterFunc(srv.connectTimeout(), func() {
		c.mu.Lock()
		idle := len(c.sockets) == 0 && len(c.connecting) == 0 && !c.closed
		c.mu.Unlock()
		if idle {
			if srv.obs != nil {
				srv.debugf("socket.io:client", c.sid(), "no namespace joined yet, close the client")
			}
			sess.Close(engine.ReasonForcedClose)
		}
	})
	return c
}

func (c *conn) sid() string { return c.session.ID() }

// handshake builds what Socket.Handshake returns, from the session's
// request, the socket's creation time and its CONNECT payload.
func (c *conn) handshake(created time.Time, auth json.RawMessage) *Handshake {
	r := c.session.Request()
	h := &Handshake{
		Headers: r.Header,
		Query:   r.URL.Query(),
		Address: hostOnly(r.RemoteAddr),
		Time:    created,
		URL:     r.URL.RequestURI(),
		Secure:  r.TLS != nil,
		XDomain: r.Header.Get("Origin") != "",
		Auth:    map[string]any{},
	}
	if len(auth) > 0 {
		h.RawAuth = append(json.RawMessage(nil), auth...)
		_ = json.Unmarshal(auth, &h.Auth) // the decoder checked it is an object
	}
	return h
}

// Message implements engine.SessionHandler. It runs on the goroutine that
// reads the transport: acknowledgements resolve here, everything that runs
// application code goes to the mailbox.
func (c *conn) Message(data []byte, binary bool) {
	p, err := c.decoder.Decode(data, binary)
	if err != nil {
		if c.server.obs != nil {
			c.server.debugf("socket.io:client", c.sid(), "invalid packet format: %v", err)
		}
		c.session.Close(engine.ReasonParseError)
		return
	}
	if p == nil {
		return // waiting for binary attachments
	}
	if obs := c.server.obs; obs != nil {
		if wantsDebug(obs) {
			c.server.debugf("socket.io-parser", c.sid(), "decoded %s as %s", p.Namespace, p.Type)
		}
		obs.SocketPacket(c.sid(), engine.In, p)
	}
	if c.v3() {
		fromV3(p) // after the observer, which sees the packet as sent
	}
	c.route(p)
}

// MessageInline is Message for a message whose handlers may run on the
// goroutine that read it (engine.InlineHandler): when the connection's
// mailbox is idle, the event's handling is queued there without starting
// its goroutine, and the function returned runs it on the reader's.
func (c *conn) MessageInline(data []byte, binary bool) (after func()) {
	c.inline = true
	c.Message(data, binary)
	c.inline = false
	if c.claimed {
		c.claimed = false
		return c.runClaimed
	}
	return nil
}

func (c *conn) route(p *parser.Packet) {
	c.mu.Lock()
	s := c.socketLocked(p.Namespace)
	if p.Type == parser.Connect {
		if s != nil || slices.Contains(c.connecting, p.Namespace) || c.closed {
			c.mu.Unlock()
			c.invalid("second CONNECT to %s", p.Namespace)
			return
		}
		c.connecting = append(c.connecting, p.Namespace)
		c.mu.Unlock()
		c.connect(p.Namespace, p.Data)
		return
	}
	if s == nil && slices.Contains(c.connecting, p.Namespace) &&
		(p.Type == parser.Event || p.Type == parser.BinaryEvent || p.Type == parser.Disconnect) {
		// Sent behind the CONNECT, before its reply: the handler goroutine
		// runs it once the CONNECT is done, as Node does with packets that
		// arrive after its connect tick.
		c.mu.Unlock()
		c.post(func() { c.routeConnected(p) }, p)
		return
	}
	c.mu.Unlock()
	if s == nil || p.Type == parser.ConnectError {
		c.invalid("%s for namespace %s which is not connected", p.Type, p.Namespace)
		return
	}
	switch p.Type {
	case parser.Event, parser.BinaryEvent:
		e, err := newEvent(s, p)
		if err != nil {
			c.invalid("%v", err)
			return
		}
		c.post(func() { s.dispatch(e) }, p)
	case parser.Ack, parser.BinaryAck:
		s.onAck(p)
	case parser.Disconnect:
		if !s.greeted.Load() {
			// The client read the CONNECT reply, sent before the connection
			// handlers run, and left at once: as in Node, those handlers
			// finish first, so what they joined is seen by "disconnecting".
			c.post(func() { s.onClose(ReasonClientNamespaceDisconnect) }, p)
			return
		}
		s.onClose(ReasonClientNamespaceDisconnect)
	}
}

// routeConnected handles, on the handler goroutine, an event or DISCONNECT
// that arrived while its namespace's CONNECT was in progress: the CONNECT
// has run by now, and a refused one makes it a packet for a namespace the
// client has not joined.
func (c *conn) routeConnected(p *parser.Packet) {
	c.mu.Lock()
	s := c.socketLocked(p.Namespace)
	c.mu.Unlock()
	if s == nil {
		c.invalid("%s for namespace %s which is not connected", p.Type, p.Namespace)
		return
	}
	if p.Type == parser.Disconnect {
		s.onClose(ReasonClientNamespaceDisconnect)
		return
	}
	e, err := newEvent(s, p)
	if err != nil {
		c.invalid("%v", err)
		return
	}
	s.dispatch(e)
}

func newEvent(s *Socket, p *parser.Packet) (*Event, error) {
	name, args, err := eventargs.Parse(p)
	if err != nil {
		return nil, err
	}
	return &Event{Socket: s, Name: name, args: args, hasAck: p.HasID, ackID: p.ID}, nil
}

// invalid closes the connection after a packet that breaks the protocol's
// state rules, as the official server does.
func (c *conn) invalid(format string, args ...any) {
	if c.server.obs != nil {
		c.server.debugf("socket.io:client", c.sid(), "invalid state: "+format, args...)
	}
	c.session.Close(engine.ReasonForcedClose)
}

func (c *conn) connect(name string, auth json.RawMessage) {
	nsp, ok := c.server.namespaceFor(name)
	if !ok {
		c.connectDone(name, nil)
		if c.server.obs != nil {
			c.server.debugf("socket.io:client", c.sid(), "creation of namespace %s was denied", name)
		}
		c.sendConnectError(name, &ConnectError{Message: "Invalid namespace"})
		return
	}
	c.post(func() { nsp.connect(c, auth) }, &parser.Packet{Data: auth})
}

// post queues the handling of packet p on the mailbox, within the bound of
// Config.MaxQueuedEvents and MaxQueuedBytes. Past it the connection is
// closed: the reader must not wait, as acknowledgements come through it.
func (c *conn) post(f func(), p *parser.Packet) {
	size := int64(len(p.Data))
	for _, a := range p.Attachments {
		size += int64(len(a))
	}
	if c.inline && !c.claimed && c.mailbox.Claim(f) {
		c.claimed = true
		return
	}
	if c.mailbox.TryPost(f, size) {
		return
	}
	if c.server.obs != nil {
		c.server.debugf("socket.io:client", c.sid(), "incoming queue full (%d packets, %d bytes at most), close the client", c.mailbox.MaxTasks, c.mailbox.MaxBytes)
	}
	c.session.Close(engine.ReasonTransportError)
}

// connectDone ends a CONNECT in progress. With a socket, it registers it and
// reports whether the connection is still open.
func (c *conn) connectDone(name string, s *Socket) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := slices.Index(c.connecting, name); i >= 0 {
		c.connecting = slices.Delete(c.connecting, i, i+1)
		if len(c.connecting) == 0 {
			c.connecting = nil
		}
	}
	if s == nil || c.closed {
		return false
	}
	c.sockets = append(c.sockets, s)
	if c.connectTimer != nil {
		c.connectTimer.Stop()
		c.connectTimer = nil // the connection has joined: let it go
	}
	return true
}

// socketLocked returns the connection's socket in namespace name, or nil.
// The caller holds c.mu.
func (c *conn) socketLocked(name string) *Socket {
	for _, s := range c.sockets {
		if s.nsp.name == name {
			return s
		}
	}
	return nil
}

func (c *conn) sendConnectError(nsp string, err error) {
	_ = c.send(&parser.Packet{Type: parser.ConnectError, Namespace: nsp, Data: connectErrorPayload(err)}, false)
}

func (c *conn) removeSocket(s *Socket) {
	c.mu.Lock()
	if i := slices.Index(c.sockets, s); i >= 0 {
		c.sockets = slices.Delete(c.sockets, i, i+1)
		if len(c.sockets) == 0 {
			c.sockets = nil
		}
	}
	c.mu.Unlock()
}

// disconnectAll disconnects every socket of the connection from the server
// side, telling the client for each namespace.
func (c *conn) disconnectAll() {
	c.mu.Lock()
	list := slices.Clone(c.sockets)
	c.mu.Unlock()
	for _, s := range list {
		s.Disconnect()
	}
}

// Close implements engine.SessionHandler: the session ended, so every socket
// on it disconnects with the engine's reason.
func (c *conn) Close(reason engine.Reason) {
	c.mu.Lock()
	c.closed = true
	if c.connectTimer != nil {
		c.connectTimer.Stop()
	}
	list := slices.Clone(c.sockets)
	c.mu.Unlock()
	if c.server.obs != nil {
		c.server.debugf("socket.io:client", c.sid(), "client close with reason %s", reason)
	}
	for _, s := range list {
		s.onClose(reasonFromEngine(reason))
	}
	c.decoder.Reset()
	// Last in the mailbox, after every event and disconnect handler the
	// connection queued: Server.Shutdown waits for it.
	c.mailbox.Post(c.server.connDone)
}

// encode turns a packet into the Engine.IO messages that carry it: the text
// part, then one binary message per attachment.
func encode(p *parser.Packet) []engine.Message { return appendEncoded(nil, p) }

// appendEncoded is encode, appending the messages to dst.
func appendEncoded(dst []engine.Message, p *parser.Packet) []engine.Message {
	text := parser.AppendText(make([]byte, 0, len(p.Data)+len(p.Namespace)+24), p)
	dst = append(dst, engine.Message{Data: text})
	for _, a := range p.Attachments {
		dst = append(dst, engine.Message{Data: a, Binary: true})
	}
	return dst
}

// encodeShared is encode for a packet sent to many sockets: each message
// carries its WebSocket frame, built once (engine.Message.Prepared).
func encodeShared(p *parser.Packet) []engine.Message {
	msgs := encode(p)
	for i := range msgs {
		msgs[i] = msgs[i].Prepared()
	}
	return msgs
}

func (c *conn) send(p *parser.Packet, volatile bool) error {
	var buf [2]engine.Message // on the stack: a packet with at most one attachment
	_, err := c.sendEncoded(p, appendEncoded(buf[:0], p), volatile)
	return err
}

// sendEncoded queues already encoded messages; broadcasts call it with the
// same messages for every receiver. It reports whether they were queued: a
// volatile packet the transport cannot take now is dropped, without error.
func (c *conn) sendEncoded(p *parser.Packet, msgs []engine.Message, volatile bool) (sent bool, err error) {
	if volatile && !c.session.Writable() {
		if c.server.obs != nil {
			c.server.debugf("socket.io:client", c.sid(), "volatile packet is discarded since the transport is not currently writable")
		}
		return false, nil
	}
	if obs := c.server.obs; obs != nil {
		obs.SocketPacket(c.sid(), engine.Out, p)
	}
	if err := c.session.Send(msgs...); err != nil {
		return false, fmt.Errorf("sio: send to %s: %w", c.sid(), err)
	}
	return true, nil
}
