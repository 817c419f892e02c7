package engine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gorilla/websocket"
)

// The engine reads a session's WebSocket itself, on the raw connection:
// gorilla only answers the upgrade. Messages are read in bursts, with a
// buffer and a goroutine taken for the burst only. On Linux the server's
// poller (netpoll_linux.go) starts a burst when bytes arrive, and it ends
// as soon as the socket is empty between two messages (readUntilEmpty):
// the connection then waits with no goroutine and no buffer. Elsewhere, or
// with netpoll off or out of reach (TLS), a goroutine waits for the next
// byte (readLoop), and its burst ends once no message has begun for
// frameLinger (readBurst).
//
// Frame headers are read and checked with gobwas/ws. The server accepts no
// extension (gorilla's upgrader negotiates no compression), so a frame with
// an RSV bit set is a protocol error.

// frameBufSize is the size of the buffer a burst of reads borrows.
const frameBufSize = 4 << 10

// frameReader is what a burst of reads borrows from framePool: a buffered
// reader on the connection, and room for a frame header and a control
// frame's payload.
type frameReader struct {
	br   *bufio.Reader
	src  prefixed
	hdr  [ws.MaxHeaderSize - 2]byte
	ctrl [ws.MaxControlFramePayloadSize]byte
}

var framePool = sync.Pool{New: func() any {
	fr := &frameReader{}
	fr.br = bufio.NewReaderSize(&fr.src, frameBufSize)
	return fr
}}

// getFrameReader returns a frame reader on conn, which first yields pre
// when there is one (the byte an idle reader waited for).
func getFrameReader(conn net.Conn, pre []byte) *frameReader {
	fr := framePool.Get().(*frameReader)
	fr.src.conn, fr.src.has = conn, false
	fr.src.raw.use(conn)
	if len(pre) == 1 {
		fr.src.b, fr.src.has = pre[0], true
	}
	fr.br.Reset(&fr.src)
	return fr
}

// putFrameReader gives fr back, letting go of its connection.
func putFrameReader(fr *frameReader) {
	fr.src.conn, fr.src.has = nil, false
	fr.src.raw.use(nil)
	fr.br.Reset(&fr.src)
	framePool.Put(fr)
}

// prefixed reads one byte read beforehand, then the connection.
type prefixed struct {
	conn io.Reader
	raw  rawReader
	b    byte
	has  bool
}

func (p *prefixed) Read(b []byte) (int, error) {
	if p.has && len(b) > 0 {
		b[0], p.has = p.b, false
		return 1, nil
	}
	if p.conn == nil {
		return 0, io.EOF
	}
	if n, err, ok := p.raw.read(b); ok {
		return n, err
	}
	return p.conn.Read(b)
}

// errReadLimit: a message past Config.MaxHTTPBufferSize; the session is
// closed with 1009.
var errReadLimit = fmt.Errorf("engine: message over the read limit: %w", websocket.ErrReadLimit)

// protocolError is a frame that breaks RFC 6455; the session is closed
// with 1002.
type protocolError struct{ err error }

func (e *protocolError) Error() string { return "engine: websocket protocol error: " + e.err.Error() }
func (e *protocolError) Unwrap() error { return e.err }

// errClientClose: the client sent a close frame, which has been answered.
var errClientClose = errors.New("engine: websocket closed by the client")

// readMessage reads the next data message from fr, answering the control
// frames before and between its fragments through o: a ping with a pong, a
// close with a close (then it returns errClientClose). A message longer
// than limit bytes is not read (errReadLimit). op is opText or opBinary, or
// 0 after a control frame outside a message: the caller may wait for the
// next frame as it does between messages. With discard, a message's
// payload is skipped rather than read into memory (data is nil), whatever
// its length.
func readMessage(fr *frameReader, o *wsOut, limit int64, discard bool) (op int, data []byte, err error) {
	state := ws.StateServerSide
	started := false
	for {
		h, err := ws.ReadHeaderBuffer(fr.br, fr.hdr[:])
		if err != nil {
			if started && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if errors.Is(err, ws.ErrHeaderLengthMSB) || errors.Is(err, ws.ErrHeaderLengthUnexpected) {
				err = &protocolError{err}
			}
			return 0, nil, err
		}
		if err := ws.CheckHeader(h, state); err != nil {
			return 0, nil, &protocolError{err}
		}
		if h.OpCode.IsControl() {
			p := fr.ctrl[:h.Length]
			if _, err := io.ReadFull(fr.br, p); err != nil {
				return 0, nil, unexpected(err)
			}
			ws.Cipher(p, h.Mask, 0)
			switch h.OpCode {
			case ws.OpPing:
				o.control(opPong, p)
			case ws.OpClose:
				code := websocket.CloseNoStatusReceived
				if len(p) == 1 {
					return 0, nil, &protocolError{errors.New("close frame of one byte")}
				}
				if len(p) > 0 {
					c, reason := ws.ParseCloseFrameData(p)
					if err := ws.CheckCloseFrameData(c, reason); err != nil {
						return 0, nil, &protocolError{err}
					}
					code = int(c)
				}
				o.control(opClose, websocket.FormatCloseMessage(code, ""))
				return 0, nil, errClientClose
			}
			if !started {
				return 0, nil, nil
			}
			continue
		}
		if !started {
			op, started = int(h.OpCode), true
		}
		if discard {
			if _, err := fr.br.Discard(int(h.Length)); err != nil {
				return 0, nil, unexpected(err)
			}
			if h.Fin {
				return op, nil, nil
			}
			state = state.Set(ws.StateFragmented)
			continue
		}
		if int64(len(data))+h.Length > limit {
			return 0, nil, errReadLimit
		}
		n := len(data)
		data = growTo(data, n+int(h.Length), h.Fin)
		if _, err := io.ReadFull(fr.br, data[n:]); err != nil {
			return 0, nil, unexpected(err)
		}
		ws.Cipher(data[n:], h.Mask, 0)
		if h.Fin {
			if data == nil {
				data = []byte{}
			}
			return op, data, nil
		}
		state = state.Set(ws.StateFragmented)
	}
}

// growTo returns b resized to n bytes, keeping its content. The message
// is handed on, and may be kept (queued for a busy handler): its last
// fragment (final) gets an array of its exact size, the others room to
// grow.
func growTo(b []byte, n int, final bool) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	if b == nil || final {
		nb := make([]byte, n)
		copy(nb, b)
		return nb
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// startReading hands conn, the session's WebSocket, to whatever waits for
// its next message while it is idle: the server's poller, or else a
// goroutine of its own. fr, if non-nil, holds what was read past the
// probe's last message, read first. It may be called on the goroutine that
// should end, as the probe's does.
func (s *Session) startReading(conn net.Conn, fr *frameReader) {
	if fr != nil {
		more := s.readBurst(fr, conn)
		putFrameReader(fr)
		if !more {
			return
		}
	}
	if p := s.srv.netpoller(); p != nil && p.add(s, conn) {
		return
	}
	go s.readLoop(conn)
}

// readLoop reads the session's WebSocket where the poller does not: it
// waits for the first byte of the next message with no buffer, then reads
// a burst of messages (readBurst).
func (s *Session) readLoop(conn net.Conn) {
	var b [1]byte
	for {
		if _, err := io.ReadFull(conn, b[:]); err != nil {
			s.readEnded(err)
			return
		}
		fr := getFrameReader(conn, b[:])
		more := s.readBurst(fr, conn)
		putFrameReader(fr)
		if !more {
			return
		}
	}
}

// readBurst reads and handles messages from fr, one at a time and in
// order, until none begins for frameLinger: it then reports true, with
// fr's buffer empty. It reports false once reading has ended: the
// connection failed, the client sent its close frame, or, once the
// session has ended, lingerClose closed it.
//
// The linger wait only ever times out before a message's first byte, never
// inside a frame, so a spurious wake-up (the poller's) costs a timed-out
// wait and nothing else.
func (s *Session) readBurst(fr *frameReader, conn net.Conn) bool {
	for {
		if fr.br.Buffered() == 0 {
			conn.SetReadDeadline(time.Now().Add(frameLinger))
			_, err := fr.br.Peek(1)
			conn.SetReadDeadline(time.Time{})
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return true
			}
			if err != nil {
				s.readEnded(err)
				return false
			}
		}
		if ok, _ := s.readOne(fr, false); !ok {
			return false
		}
	}
}

// readOne reads the next message from fr and handles it. It reports false
// once reading has ended (and readEnded has been told why). With
// mayInline, a message that leaves fr's buffer and the socket empty may
// leave work to the caller (see InlineHandler), which it returns.
func (s *Session) readOne(fr *frameReader, mayInline bool) (ok bool, after func()) {
	// Once the session has ended, the reader goes on reading what the
	// client sends until its close frame or its end of the connection
	// (see lingerClose), and drops it unread: a client that had filled
	// the socket's buffers would otherwise cost a buffer per message.
	ended := s.ended()
	mt, data, err := readMessage(fr, s.out, s.st.MaxHTTPBufferSize, ended)
	if err != nil {
		s.readEnded(err)
		return false, nil
	}
	if mt != 0 && !ended {
		inline := mayInline && fr.br.Buffered() == 0 && fr.src.raw.short
		_, after = s.onFrame(mt, data, inline)
	}
	return true, after
}

// ended reports whether the session has ended.
func (s *Session) ended() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// frameLinger is how long a burst of reads waits for the next message to
// begin before it ends and gives its buffer (and, with the poller, its
// goroutine) back: a busy connection keeps them, an idle one holds neither
// (as with writerLinger).
const frameLinger = 5 * time.Millisecond

// readEnded ends the session whose WebSocket failed with err, or lets the
// reader see that the session has ended: a client that broke the protocol
// or the read limit gets a close frame with the code for it. A connection
// that sent its close frame is drained, then closed (see lingerClose):
// closing it with unread data would reset it, and the client could lose
// the close frame.
func (s *Session) readEnded(err error) {
	srv := s.srv
	// Counted as a close in progress until the session is closed, so that
	// a Server.Close running now waits for this line to reach the
	// observer; once the session has ended (closed by the server, most
	// often), why its reader ends is no news, and no line is written.
	srv.closeBegun()
	s.mu.Lock()
	ended := s.state == stateClosed
	s.mu.Unlock()
	var pe *protocolError
	switch {
	case ended:
	case errors.Is(err, net.ErrClosed):
		// closed by closeSession or lingerClose: the session has ended
	case errors.Is(err, errReadLimit):
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "read ended: %v", err)
		}
		s.failWebSocket(ReasonTransportError, websocket.CloseMessageTooBig)
	case errors.As(err, &pe):
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "read ended: %v", err)
		}
		s.failWebSocket(ReasonTransportError, websocket.CloseProtocolError)
	default:
		if srv.obs != nil {
			srv.debug(DebugWS, s.id, "read ended: %v", err)
		}
		srv.closeSession(s, ReasonTransportClose, PacketClose)
	}
	srv.closeEnded()
	s.mu.Lock()
	conn, drain := s.ws, s.readerCloses
	s.mu.Unlock()
	// After the client's close frame nothing more comes: closed at once.
	if drain && !errors.Is(err, errClientClose) {
		drainAndClose(conn)
	} else {
		conn.Close()
	}
	s.srv.netpollDone(s)
}
