//go:build !race

package engine

import (
	"syscall"
	"unsafe"
)

// sysWrite and sysRead write and read a non-blocking socket without
// telling the runtime of a system call (syscall.RawSyscall, not
// syscall.Syscall). A call that cannot block needs none of what the
// runtime does around a system call that might: mark its P, so that the
// monitor thread (sysmon) can hand it to another thread, and, when every
// P had been idle, wake that thread from its deep sleep. At a chat
// room's pace every broadcast came after such an idle spell, and its first
// system call woke the monitor, which then looked in every 20 µs for the
// next millisecond: some 60 wake-ups per broadcast, 1 µs per delivery at
// 20 broadcasts a second to 1,000 sockets (docs/PERFORMANCE.md). The
// engine's epoll calls do the same (netpoll_linux.go).
//
// Under the race detector they are the plain calls (sysraw_unix.go):
// package syscall tells the detector that what one goroutine wrote to a
// descriptor happens before what another read from one, and tests that
// check what a handler did once its client has the reply rely on it.
func sysWrite(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func sysRead(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
