//go:build !unix

package engine

import (
	"io"
	"net"
)

// rawWriter writes without blocking where the platform allows it; here it
// never does, and every packet goes through the writer goroutine.
type rawWriter struct{}

func canWriteRaw(net.Conn) bool { return false }

func (w *rawWriter) write(net.Conn, []byte) int { return 0 }

// rawReader reads through the connection's Read here.
type rawReader struct{}

func (r *rawReader) reset() {}

func (r *rawReader) read(io.Reader, []byte) (int, error, bool) { return 0, nil, false }
