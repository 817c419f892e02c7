package engine

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// servePoll answers a polling GET (the handshake's included): it waits until
// the queue has packets, then answers with all of them in one payload.
func (s *Session) servePoll(w http.ResponseWriter, r *http.Request) {
	srv := s.srv
	if !s.claim(w, true) {
		return
	}
	if srv.obs != nil {
		srv.debug(DebugPolling, s.id, "setting request")
	}

	var (
		batch      []Packet
		closeAfter bool
		reason     Reason
	)
	for {
		s.mu.Lock()
		if s.transport != TransportPolling && s.state != stateClosed {
			// upgraded while this GET waited: it is a polling request of an
			// upgraded session now, answered as one arriving later would be
			// (a compliant client has none left at that point)
			s.pollPending = false
			s.mu.Unlock()
			if srv.obs != nil {
				srv.debug(DebugPolling, s.id, "poll request pending at upgrade - bad request")
			}
			errCode(CodeBadRequest).writeJSON(w)
			return
		}
		if s.state == stateClosed && s.dropped {
			// Drop: the connection goes as a network failure would, with
			// no response (net/http closes it without logging).
			s.pollPending = false
			s.mu.Unlock()
			panic(http.ErrAbortHandler)
		}
		batch, closeAfter, reason = s.takeForPollLocked()
		if batch != nil {
			s.pollPending = false
			s.mu.Unlock()
			break
		}
		s.mu.Unlock()
		select {
		case <-s.pollWake:
		case <-s.done:
		case <-r.Context().Done():
			s.mu.Lock()
			s.pollPending = false
			polling := s.transport == TransportPolling && s.state != stateClosed
			s.mu.Unlock()
			if polling { // an aborted GET of an upgraded session is harmless
				if srv.obs != nil {
					srv.debug(DebugPolling, s.id, "poll connection closed prematurely")
				}
				srv.closeSession(s, ReasonTransportClose, PacketClose)
			}
			return
		}
	}
	if srv.obs != nil {
		srv.debug(DebugSocket, s.id, "flushing buffer to transport")
	}
	s.writePoll(w, r, batch)
	if closeAfter {
		srv.closeSession(s, reason, PacketClose)
	}
}

// claim marks a GET (get) or a POST in progress on s. A session has one of
// each at most: a second one closes it with ReasonTransportError. When claim
// returns false it has answered the request.
func (s *Session) claim(w http.ResponseWriter, get bool) bool {
	srv := s.srv
	s.mu.Lock()
	busy := &s.posting
	if get {
		busy = &s.pollPending
	}
	switch {
	case s.state == stateClosed:
		s.mu.Unlock()
		errCode(CodeUnknownSID).writeJSON(w)
		return false
	case s.transport != TransportPolling:
		s.mu.Unlock()
		errCode(CodeBadRequest).writeJSON(w)
		return false
	case *busy:
		s.mu.Unlock()
		if srv.obs != nil {
			if get {
				srv.debug(DebugPolling, s.id, "request overlap")
			} else {
				srv.debug(DebugPolling, s.id, "data request overlap from client")
			}
		}
		srv.closeSession(s, ReasonTransportError, PacketClose)
		// an empty 400, as the official server answers an overlap
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusBadRequest)
		return false
	}
	*busy = true
	if get {
		s.pollSince = time.Now()
	}
	s.mu.Unlock()
	return true
}

// takeForPollLocked decides what the pending GET answers, if anything yet.
// closeAfter says the session must be closed with reason once it is written.
func (s *Session) takeForPollLocked() (batch []Packet, closeAfter bool, reason Reason) {
	switch {
	case s.state == stateClosed:
		return []Packet{{Type: s.pollFinal}}, false, ""
	case s.clientClosed:
		return []Packet{{Type: PacketNoop}}, true, ReasonTransportClose
	case s.openAlone && s.state == stateOpen:
		s.openAlone = false
		batch = s.queue[:1:1] // the open packet, not a message: queueBytes stays
		s.queue = append([]Packet(nil), s.queue[1:]...)
		return batch, false, ""
	case len(s.queue) > 0:
		batch, s.queue, s.queueBytes = s.queue, nil, 0
		if s.state == stateClosing {
			// The close goes to the next GET (or the close timeout), as the
			// official server sends it: socket.io-client hands a payload's
			// packets to its Socket.IO layer a tick late, so a close in the
			// same payload as a DISCONNECT would win and read "transport
			// close".
			s.closeNoop = true
		}
		return batch, false, ""
	case s.state == stateClosing && s.closeNoop:
		// as the official server answers a GET that comes after the close
		return []Packet{{Type: PacketNoop}, {Type: PacketClose}}, true, s.closeReason
	case s.state == stateClosing:
		return []Packet{{Type: PacketClose}}, true, s.closeReason
	}
	return nil, false, ""
}

var textDigits = [...][]byte{{'0'}, {'1'}, {'2'}, {'3'}, {'4'}, {'5'}, {'6'}}

// writePoll writes batch as the GET's payload, compressed when it is large
// enough and the client accepts it.
func (s *Session) writePoll(w http.ResponseWriter, r *http.Request, batch []Packet) {
	srv := s.srv
	var body []byte
	binaryBody := false
	switch {
	case s.protocol == 3:
		body, binaryBody = AppendPayloadV3(make([]byte, 0, payloadLen(batch)+8*len(batch)), batch, !s.b64)
	case len(batch) == 1 && !batch[0].Binary && len(batch[0].Data) == 0:
		body = textDigits[batch[0].Type] // "1", "2", "6": no allocation
	default:
		body = AppendPayload(make([]byte, 0, payloadLen(batch)), batch)
	}
	if srv.obs != nil {
		if s.st.CompressionThreshold >= 0 && len(body) >= s.st.CompressionThreshold {
			srv.debug(DebugPolling, s.id, "writing %q (%d bytes, may be compressed)", truncate(body), len(body))
		} else {
			srv.debug(DebugPolling, s.id, "writing %q", body)
		}
	}
	h := w.Header()
	if binaryBody {
		h.Set("Content-Type", "application/octet-stream")
	} else {
		h.Set("Content-Type", "text/plain; charset=UTF-8")
	}
	h.Set("Cache-Control", "no-store")
	if t := s.st.CompressionThreshold; t >= 0 && len(body) >= t {
		if enc := acceptedEncoding(r.Header.Get("Accept-Encoding")); enc != "" {
			if srv.obs != nil {
				srv.debug(DebugPolling, s.id, "compressing")
			}
			body = compress(body, enc)
			h.Set("Content-Encoding", enc)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// Observed before they are written: once written, the client's answer
	// may come, and be observed, first.
	if srv.obs != nil {
		for _, p := range batch {
			srv.obs.Packet(s, Out, TransportPolling, p)
		}
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func truncate(b []byte) []byte {
	if len(b) > 256 {
		return b[:256]
	}
	return b
}

// serveData handles a polling POST: a payload of packets from the client.
func (s *Session) serveData(w http.ResponseWriter, r *http.Request) {
	srv := s.srv
	if !s.claim(w, false) {
		return
	}
	defer func() {
		s.mu.Lock()
		s.posting = false
		s.mu.Unlock()
	}()

	// v3 clients send a binary payload when it holds a binary message; v4
	// ones never do
	binaryBody := strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream")
	if binaryBody && s.protocol != 3 {
		if srv.obs != nil {
			srv.debug(DebugPolling, s.id, "invalid content")
		}
		srv.closeSession(s, ReasonTransportError, PacketClose)
		errCode(CodeBadRequest).writeJSON(w)
		return
	}

	body, err := s.readPostBody(w, r)
	if err != nil {
		s.mu.Lock()
		closed := s.state == stateClosed
		s.mu.Unlock()
		switch {
		case errors.Is(err, errTooLarge):
			s.refusePost(w, http.StatusRequestEntityTooLarge, "payload too large")
		case closed:
			// The session ended while the body was on its way: the request
			// goes too, with no answer, as the official server destroys it.
			if srv.obs != nil {
				srv.debug(DebugPolling, s.id, "aborting ongoing data request")
			}
			panic(http.ErrAbortHandler)
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.refusePost(w, http.StatusRequestTimeout, "http request timeout")
		default:
			if srv.obs != nil {
				srv.debug(DebugPolling, s.id, "data request connection closed prematurely")
			}
			srv.closeSession(s, ReasonTransportError, PacketClose)
			errCode(CodeBadRequest).writeJSON(w)
		}
		return
	}
	if !binaryBody {
		body = toValidUTF8(body)
	}
	if srv.obs != nil {
		srv.debug(DebugPolling, s.id, "received %q", truncate(body))
	}

	var packets []Packet
	if s.protocol == 3 {
		packets, err = DecodePayloadV3(body, binaryBody)
	} else {
		packets, err = DecodePayload(body)
	}
	for _, p := range packets {
		if p.Type == PacketClose {
			if srv.obs != nil {
				srv.obs.Packet(s, In, TransportPolling, p)
				srv.debug(DebugPolling, s.id, "got xhr close packet")
			}
			s.clientClose()
			writeOK(w)
			return
		}
		s.onPacket(p, TransportPolling)
	}
	if err != nil {
		// The body was read whole, so, as with the official server, the
		// POST itself succeeded: it is answered "ok", and the session ends.
		if srv.obs != nil {
			srv.debug(DebugSocket, s.id, "parse error: %v", err)
		}
		srv.closeSession(s, ReasonParseError, PacketClose)
	}
	writeOK(w)
}

// clientCloseGrace is how long a polling session closed by the client
// waits for a GET that may be racing the close packet on another
// connection, so that it gets the noop it would have had.
const clientCloseGrace = 50 * time.Millisecond

// clientClose ends s after the client's close packet: a pending GET gets a
// noop and the session ends at once; with no GET pending it ends after
// clientCloseGrace, or when a GET comes and takes its noop.
func (s *Session) clientClose() {
	s.mu.Lock()
	if s.state != stateOpen || s.pollPending || s.transport != TransportPolling {
		s.mu.Unlock()
		s.srv.closeSession(s, ReasonTransportClose, PacketNoop)
		return
	}
	s.state = stateClosing
	s.clientClosed = true
	s.closeReason = ReasonTransportClose
	s.queue, s.queueBytes = nil, 0
	s.stopHeartbeatLocked()
	s.closeTimer = time.AfterFunc(clientCloseGrace, func() {
		s.srv.closeSession(s, ReasonTransportClose, PacketNoop)
	})
	s.mu.Unlock()
}

func writeOK(w http.ResponseWriter) {
	h := w.Header()
	// text/html rather than text/plain avoids download prompts in some
	// browsers (the official server does the same)
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", "2")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

// refusePost ends the session of a POST whose body is refused, and answers
// it with status and no body; the connection is closed, as what is left of
// the body is not read.
func (s *Session) refusePost(w http.ResponseWriter, status int, why string) {
	if s.srv.obs != nil {
		s.srv.debug(DebugPolling, s.id, why)
	}
	s.srv.closeSession(s, ReasonTransportError, PacketClose)
	h := w.Header()
	h.Set("Connection", "close")
	h.Set("Content-Length", "0")
	w.WriteHeader(status)
}

var errTooLarge = errors.New("engine: body too large")

// aLongTimeAgo is a read deadline that ends a read at once.
var aLongTimeAgo = time.Unix(1, 0)

// readPostBody reads the body of the POST being served, within
// HTTPRequestBodyTimeout; closeSession ends the read early (see
// Session.postBody). Without a ResponseController that can set read
// deadlines (a ResponseWriter wrapped by middleware that does not unwrap),
// the body is read with neither.
func (s *Session) readPostBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(s.st.HTTPRequestBodyTimeout)) != nil {
		return readBody(r, s.st.MaxHTTPBufferSize)
	}
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.postBody = rc
	s.mu.Unlock()
	body, err := readBody(r, s.st.MaxHTTPBufferSize)
	s.mu.Lock()
	s.postBody = nil
	if err == nil && s.state != stateClosed {
		// kept on a failure: net/http then gives up the rest of the body
		// at once and closes the connection
		rc.SetReadDeadline(time.Time{})
	}
	s.mu.Unlock()
	return body, err
}

// smallBody is the largest announced body length read into a buffer of that
// length at once; a longer body grows its buffer as its bytes arrive, so
// that a client that announces a megabyte and sends little holds little.
const smallBody = 16 << 10

// readBody reads r's body, failing with errTooLarge past limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	if r.ContentLength >= 0 && r.ContentLength <= smallBody {
		b := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// toValidUTF8 returns body, a POST's text, with each maximal ill-formed
// subsequence replaced by U+FFFD, as the official server (Node's
// Buffer.toString, and any WHATWG decoder) reads it; a valid body is
// returned as it is. Binary packets are base64 in a text body, so only
// text messages can change, and only ones that were not UTF-8.
func toValidUTF8(body []byte) []byte {
	if utf8.Valid(body) {
		return body
	}
	out := make([]byte, 0, len(body)+16)
	for len(body) > 0 {
		r, n := utf8.DecodeRune(body)
		if r == utf8.RuneError && n == 1 {
			n = illFormedLen(body)
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, body[:n]...)
		}
		body = body[n:]
	}
	return out
}

// illFormedLen is the length of the maximal subpart at the start of b,
// which does not begin a valid UTF-8 sequence: the lead byte and the
// continuation bytes that could still have completed it (Unicode, chapter
// 3, "U+FFFD Substitution of Maximal Subparts").
func illFormedLen(b []byte) int {
	n, lo, hi := 0, byte(0x80), byte(0xBF)
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		n = 2
	case c == 0xE0:
		n, lo = 3, 0xA0
	case c == 0xED:
		n, hi = 3, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		n = 3
	case c == 0xF0:
		n, lo = 4, 0x90
	case c >= 0xF1 && c <= 0xF3:
		n = 4
	case c == 0xF4:
		n, hi = 4, 0x8F
	default:
		return 1
	}
	i := 1
	for ; i < n && i < len(b) && b[i] >= lo && b[i] <= hi; i++ {
		lo, hi = 0x80, 0xBF
	}
	return i
}

// acceptedEncoding picks gzip, else deflate, if the Accept-Encoding header
// allows it.
func acceptedEncoding(header string) string {
	if header == "" {
		return ""
	}
	gz, fl := false, false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(strings.TrimSpace(q), 64); err == nil && v == 0 {
				continue
			}
		}
		switch name {
		case "gzip", "*":
			gz = true
		case "deflate":
			fl = true
		}
	}
	switch {
	case gz:
		return "gzip"
	case fl:
		return "deflate"
	}
	return ""
}

var (
	gzipPool sync.Pool // *gzip.Writer
	zlibPool sync.Pool // *zlib.Writer
)

// compress returns body compressed with enc: "gzip", or "deflate" (which
// in HTTP means the zlib format).
func compress(body []byte, enc string) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/2 + 64)
	if enc == "gzip" {
		zw, _ := gzipPool.Get().(*gzip.Writer)
		if zw == nil {
			zw = gzip.NewWriter(&buf)
		} else {
			zw.Reset(&buf)
		}
		zw.Write(body)
		zw.Close()
		gzipPool.Put(zw)
	} else {
		zw, _ := zlibPool.Get().(*zlib.Writer)
		if zw == nil {
			zw = zlib.NewWriter(&buf)
		} else {
			zw.Reset(&buf)
		}
		zw.Write(body)
		zw.Close()
		zlibPool.Put(zw)
	}
	return buf.Bytes()
}
