//go:build unix

package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// rawWriter writes to a connection's socket without blocking, through its
// syscall.RawConn. Its fields are set on first use; the one function it
// hands the runtime is made once, so that a write allocates nothing.
type rawWriter struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool
	buf []byte
	n   int
	err error
}

// canWriteRaw reports whether c is a socket of its own, which rawWriter
// can write to (not a TLS connection).
func canWriteRaw(c net.Conn) bool {
	_, ok := c.(syscall.Conn)
	return ok
}

// write writes what the socket takes of b now, and returns how much: 0
// when it takes nothing (its buffer is full) or fails; the caller then
// leaves the write to a goroutine that may wait.
func (w *rawWriter) write(c net.Conn, b []byte) int {
	if w.rc == nil {
		sc, ok := c.(syscall.Conn)
		if !ok {
			return 0
		}
		rc, err := sc.SyscallConn()
		if err != nil {
			return 0
		}
		w.rc = rc
		w.fn = func(fd uintptr) bool {
			w.n, w.err = sysWrite(int(fd), w.buf)
			return true // never wait: what is not written now goes to the writer
		}
	}
	w.buf = b
	err := w.rc.Write(w.fn) // fails when the write deadline has passed
	w.buf = nil
	if err != nil || w.err != nil || w.n < 0 {
		return 0
	}
	return w.n
}

// rawReader reads a connection's socket through its syscall.RawConn, as
// rawWriter writes it: with nothing to read, it waits in the runtime's
// poller, within the connection's read deadline, as the connection's own
// Read does; the read itself is sysRead. use sets it up for a connection;
// the function it hands the runtime is made once.
//
// For the poller (netpoll_linux.go), nowait makes a read with nothing to
// read fail at once with errWouldBlock rather than wait, and short tells
// whether the last read found less than it had room for: the socket had
// nothing more at that moment.
type rawReader struct {
	conn   net.Conn
	rc     syscall.RawConn // nil: conn is read through its Read
	fn     func(fd uintptr) bool
	buf    []byte
	n      int
	err    error
	nowait bool
	short  bool
}

// errWouldBlock: a read with nowait found nothing to read.
var errWouldBlock = errors.New("engine: nothing to read yet")

// use sets r up for c, or nil. A connection that is not a socket of its
// own (a TLS connection) is left to its Read.
func (r *rawReader) use(c net.Conn) {
	r.conn, r.rc, r.nowait, r.short = nil, nil, false, false
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	r.conn, r.rc = c, rc
	if r.fn == nil {
		r.fn = func(fd uintptr) bool {
			for {
				r.n, r.err = sysRead(int(fd), r.buf)
				switch r.err {
				case syscall.EINTR:
					continue
				case syscall.EAGAIN:
					return r.nowait // else wait in the runtime's poller
				}
				return true
			}
		}
	}
}

// read reads into b as the connection's Read would: io.EOF at the peer's
// end, an error that wraps os.ErrDeadlineExceeded past the read deadline.
// ok is false when use found no socket to read this way.
func (r *rawReader) read(b []byte) (n int, err error, ok bool) {
	if r.rc == nil {
		return 0, nil, false
	}
	if len(b) == 0 {
		return 0, nil, true
	}
	r.buf = b
	err = r.rc.Read(r.fn)
	r.buf = nil
	if err != nil {
		// as the connection's Read words it ("raw-read" otherwise)
		if oe, isOp := err.(*net.OpError); isOp && oe.Op == "raw-read" {
			e := *oe
			e.Op = "read"
			err = &e
		}
		return 0, err, true
	}
	if r.err == syscall.EAGAIN {
		return 0, errWouldBlock, true
	}
	if r.err != nil {
		c := r.conn
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", r.err)}, true
	}
	if r.n == 0 {
		return 0, io.EOF, true
	}
	r.short = r.n < len(b)
	return r.n, nil, true
}
