package engine

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// Errors returned by the codec and by Session.
var (
	// ErrClosed is returned by Session.Send once the session is closing or
	// closed.
	ErrClosed = errors.New("engine: session closed")
	// ErrQueueFull is returned by Session.Send when the messages would take
	// the session's outbound queue past Config.MaxBufferedPackets or
	// Config.MaxBufferedBytes. The session is then closed with
	// ReasonTransportError: a client that cannot keep up is dropped rather
	// than allowed to hold memory or stall the sender.
	ErrQueueFull = errors.New("engine: outbound queue full")
	// ErrEmptyPacket is returned by DecodePacket and DecodePayload for an
	// empty text packet.
	ErrEmptyPacket = errors.New("engine: empty packet")
	// ErrUnknownPacketType is returned by DecodePacket and DecodePayload when
	// a text packet does not start with a digit from 0 to 6.
	ErrUnknownPacketType = errors.New("engine: unknown packet type")
	// ErrInvalidBase64 is returned by DecodePayload for a "b" record whose
	// base64 does not decode.
	ErrInvalidBase64 = errors.New("engine: invalid base64 in binary packet")
	// ErrInvalidPayload is returned by DecodePayloadV3 when a v3 polling
	// payload's framing is wrong: a length missing, not decimal, or past
	// the end of the body.
	ErrInvalidPayload = errors.New("engine: malformed v3 payload")
)

// The error codes of the Engine.IO HTTP error bodies, as the official server
// numbers them.
const (
	CodeUnknownTransport           = 0 // "Transport unknown"
	CodeUnknownSID                 = 1 // "Session ID unknown"
	CodeBadHandshakeMethod         = 2 // "Bad handshake method"
	CodeBadRequest                 = 3 // "Bad request"
	CodeForbidden                  = 4 // "Forbidden"
	CodeUnsupportedProtocolVersion = 5 // "Unsupported protocol version"
)

var codeMessages = [...]string{
	"Transport unknown",
	"Session ID unknown",
	"Bad handshake method",
	"Bad request",
	"Forbidden",
	"Unsupported protocol version",
}

// httpError is a rejected request: a code from the table above and the
// message sent with it.
type httpError struct {
	code    int
	message string
}

func errCode(code int) *httpError { return &httpError{code: code, message: codeMessages[code]} }

func (e *httpError) status() int {
	if e.code == CodeForbidden {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// writeJSON answers a plain HTTP request: {"code":N,"message":"..."}.
func (e *httpError) writeJSON(w http.ResponseWriter) {
	msg, _ := json.Marshal(e.message)
	body := make([]byte, 0, 32+len(msg))
	body = append(body, `{"code":`...)
	body = strconv.AppendInt(body, int64(e.code), 10)
	body = append(body, `,"message":`...)
	body = append(body, msg...)
	body = append(body, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status())
	w.Write(body)
}

// writeUpgrade answers a WebSocket upgrade request that is refused before
// the upgrade: the status and the bare message, then the connection closes.
func (e *httpError) writeUpgrade(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", strconv.Itoa(len(e.message)))
	w.WriteHeader(e.status())
	w.Write([]byte(e.message))
}
