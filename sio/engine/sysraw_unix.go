//go:build unix && (!linux || race)

package engine

import "syscall"

// sysWrite and sysRead are the plain system calls here, and under the
// race detector, which package syscall keeps informed of what passes
// through descriptors; see sysraw_linux.go.
func sysWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }

func sysRead(fd int, b []byte) (int, error) { return syscall.Read(fd, b) }
