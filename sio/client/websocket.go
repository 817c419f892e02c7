package client

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

// dialWS opens a WebSocket to the server, with the session id once there
// is one.
func (e *Engine) dialWS(ctx context.Context) (*websocket.Conn, error) {
	conn, resp, err := e.dialer.DialContext(ctx, e.requestURL(TransportWebSocket), e.header.Clone())
	if err != nil {
		te := &TransportError{Op: "websocket error", Err: err}
		if resp != nil {
			te.StatusCode = resp.StatusCode
		}
		return nil, te
	}
	return conn, nil
}

// handshakeWebSocket opens the session over WebSocket directly: the first
// frame is the open packet.
func (e *Engine) handshakeWebSocket(ctx context.Context) error {
	conn, err := e.dialWS(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if d, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(d)
	}
	mt, data, err := conn.ReadMessage()
	if err != nil {
		conn.Close()
		return &TransportError{Op: "websocket error", Err: err}
	}
	if !stop() {
		conn.Close()
		return ctx.Err()
	}
	conn.SetReadDeadline(time.Time{})
	p, err := engine.DecodePacket(data, mt == websocket.BinaryMessage)
	if err == nil {
		err = e.onOpenPacket(p)
	}
	if err != nil {
		conn.Close()
		return err
	}
	e.transport = TransportWebSocket
	e.ws = conn
	return nil
}

// readLoop reads the WebSocket transport until it fails or the Engine
// closes.
func (e *Engine) readLoop(conn *websocket.Conn) {
	for {
		mt, data, err := conn.ReadMessage()
		if err != nil {
			e.shutdown(wsCloseReason(err), &TransportError{Op: "websocket error", Err: err})
			return
		}
		p, err := engine.DecodePacket(data, mt == websocket.BinaryMessage)
		if err != nil {
			e.shutdown(ReasonParseError, err)
			return
		}
		if !e.handlePacket(p) {
			return
		}
	}
}

// wsCloseReason tells a closed WebSocket ("transport close") from a failed
// one ("transport error").
func wsCloseReason(err error) Reason {
	var ce *websocket.CloseError
	if errors.As(err, &ce) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ReasonTransportClose
	}
	return ReasonTransportError
}

// writeFrames writes packets as WebSocket frames, one each.
func writeFrames(conn *websocket.Conn, ps []engine.Packet) error {
	var buf []byte
	for _, p := range ps {
		mt := websocket.TextMessage
		if p.Binary {
			mt = websocket.BinaryMessage
		}
		buf = engine.AppendPacket(buf[:0], p)
		if err := conn.WriteMessage(mt, buf); err != nil {
			return &TransportError{Op: "websocket error", Err: err}
		}
	}
	return nil
}

// probe upgrades a polling Engine to WebSocket, as Engine.IO v4 does it:
// open the WebSocket with the session id, send "2probe" and wait for
// "3probe", stop polling once the current GET has returned, let the POST in
// flight finish, send "5", then flush the queue on the WebSocket, which
// becomes the transport. If the probe fails before "5", polling goes on.
func (e *Engine) probe() {
	conn, err := e.dialWS(e.ctx)
	if err != nil {
		return
	}
	e.mu.Lock()
	if e.state == engineClosed {
		e.mu.Unlock()
		conn.Close()
		return
	}
	e.probeWS = conn
	e.mu.Unlock()

	fail := func() {
		e.mu.Lock()
		if e.probeWS == conn {
			e.probeWS = nil
		}
		if e.upgrading {
			e.upgrading, e.pausing = false, false
			e.flushLocked()
		}
		e.mu.Unlock()
		conn.Close()
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte("2probe")); err != nil {
		fail()
		return
	}
	mt, data, err := conn.ReadMessage()
	if err != nil || mt != websocket.TextMessage || string(data) != "3probe" {
		fail()
		return
	}

	// Pause: no new GET, and wait for the GET and the POST in flight.
	e.mu.Lock()
	e.upgrading, e.pausing = true, true
	for (e.polling || e.writing) && e.state != engineClosed {
		e.cond.Wait()
	}
	closed := e.state == engineClosed
	e.mu.Unlock()
	if closed {
		fail()
		return
	}

	if err := conn.WriteMessage(websocket.TextMessage, []byte("5")); err != nil {
		fail()
		e.shutdown(ReasonTransportError, &TransportError{Op: "websocket error", Err: err})
		return
	}
	e.mu.Lock()
	if e.state == engineClosed {
		e.mu.Unlock()
		conn.Close()
		return
	}
	e.transport, e.ws, e.probeWS = TransportWebSocket, conn, nil
	e.upgrading, e.pausing = false, false
	e.flushLocked()
	if e.readyToFinishLocked() {
		e.goLocked(e.finishClose)
	}
	e.mu.Unlock()

	if e.ownTr != nil {
		// Polling is over: let its keep-alive connections (and the
		// goroutines net/http holds for them) go.
		e.ownTr.CloseIdleConnections()
	}
	if e.deliver(func(h EngineHandler) { h.Upgrade(TransportWebSocket) }) {
		e.readLoop(conn)
	}
}
