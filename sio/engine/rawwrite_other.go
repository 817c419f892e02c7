//go:build !unix

package engine

import "net"

// rawWriter writes without blocking where the platform allows it; here it
// never does, and every packet goes through the writer goroutine.
type rawWriter struct{}

func canWriteRaw(net.Conn) bool { return false }

func (w *rawWriter) write(net.Conn, []byte) int { return 0 }

// rawReader reads through the connection's Read here.
type rawReader struct{}

func (r *rawReader) use(net.Conn) {}

func (r *rawReader) read([]byte) (int, error, bool) { return 0, nil, false }
