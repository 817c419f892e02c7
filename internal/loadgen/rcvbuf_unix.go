//go:build unix

package loadgen

import "syscall"

// slowReceiveBuffer is the socket receive buffer of the slow consumer, set
// before it connects so that the TCP window never grows past it.
const slowReceiveBuffer = 4096

func smallReceiveBuffer(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, slowReceiveBuffer)
	})
	if err != nil {
		return err
	}
	return serr
}
