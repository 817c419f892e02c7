//go:build unix && !linux

package engine

import "syscall"

// sysWrite and sysRead are the plain system calls here; see
// sysraw_linux.go.
func sysWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }

func sysRead(fd int, b []byte) (int, error) { return syscall.Read(fd, b) }
