//go:build unix

package engine

import (
	"net"
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
			w.n, w.err = syscall.Write(int(fd), w.buf)
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
