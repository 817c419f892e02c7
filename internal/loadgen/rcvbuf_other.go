//go:build !unix

package loadgen

import "syscall"

// smallReceiveBuffer leaves the buffer as it is where there is no portable
// way to set it: the slow consumer then takes longer to be dropped.
func smallReceiveBuffer(_, _ string, _ syscall.RawConn) error { return nil }
