//go:build linux

package engine

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netpoll waits, for every idle WebSocket of a Server, for its next byte,
// with one goroutine in epoll_wait for them all: an idle session then
// holds no goroutine and no read buffer. A connection is registered
// level-triggered and one-shot: its readiness starts one goroutine, which
// reads a burst of messages (readBurst) and re-arms the connection when it
// is done, so no two goroutines ever read one connection.
//
// Each registration has a key of its own (never reused) as its event data:
// an event left over from a connection that has since been closed, or whose
// descriptor number has been reused, finds no registration, or at worst
// wakes a session with nothing to read, whose linger wait then times out.
//
// The goroutine runs while connections are registered, and ends with the
// last of them; the epoll and eventfd descriptors live until Server.Close
// and the last connection.
type netpoll struct {
	epfd int // the epoll instance
	// epf is epfd as a file of the runtime's own poller: the loop waits for
	// the epoll instance to be readable there, parked like any goroutine
	// reading a socket, rather than in a blocking epoll_wait, whose thread
	// the runtime would otherwise have to replace for the other goroutines
	// each time it waits (and whose monitor thread that keeps awake).
	epf *os.File
	erc syscall.RawConn
	efd int // an eventfd that wakes the loop, registered with key 0

	// fdMu keeps the descriptors open while ctl uses them (read-locked),
	// so that a registration racing Server.Close cannot reach a reused
	// descriptor number; fdsClosed is set under its write lock.
	fdMu      sync.RWMutex
	fdsClosed bool

	mu      sync.Mutex
	entries map[uint64]*polled
	next    uint64 // the last key handed out
	running bool   // the loop goroutine runs
	closed  bool   // Server.Close: no more registrations; the loop's last round
}

// polled is a session's registration with the poller.
type polled struct {
	s    *Session
	conn net.Conn
	rc   syscall.RawConn
	key  uint64
	busy atomic.Bool // a goroutine reads conn: the poller has not got it back yet
}

// pollEvents: readable, or the peer closed its end; one event per arming.
const pollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

func newNetpoll() (*netpoll, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("engine: epoll_create1: %w", err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("engine: eventfd: %w", err)
	}
	ev := pollEvent(0, unix.EPOLLIN)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, efd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(efd)
		return nil, fmt.Errorf("engine: epoll_ctl on the eventfd: %w", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(efd)
		return nil, fmt.Errorf("engine: epoll instance non-blocking: %w", err)
	}
	epf := os.NewFile(uintptr(epfd), "epoll")
	erc, err := epf.SyscallConn()
	if err != nil {
		epf.Close()
		unix.Close(efd)
		return nil, fmt.Errorf("engine: epoll instance: %w", err)
	}
	return &netpoll{epfd: epfd, epf: epf, erc: erc, efd: efd, entries: make(map[uint64]*polled)}, nil
}

// pollEvent builds an epoll event with key as its data.
func pollEvent(key uint64, events uint32) unix.EpollEvent {
	return unix.EpollEvent{Events: events, Fd: int32(uint32(key)), Pad: int32(uint32(key >> 32))}
}

func eventKey(ev *unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}

// add registers s's WebSocket conn, armed: its next byte (or its end)
// starts a goroutine that reads it. It reports false when conn cannot be
// polled (not a socket of its own, as a TLS connection) or s has ended;
// the caller then reads conn with a goroutine of its own.
func (p *netpoll) add(s *Session, conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return false
	}
	p.next++
	pd := &polled{s: s, conn: conn, rc: rc, key: p.next}
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		p.mu.Unlock()
		return false
	}
	s.polled = pd
	s.mu.Unlock()
	p.entries[pd.key] = pd
	if !p.running {
		p.running = true
		go p.loop()
	}
	p.mu.Unlock()
	if err := p.ctl(pd, unix.EPOLL_CTL_ADD); err != nil {

		s.mu.Lock()
		s.polled = nil
		s.mu.Unlock()
		p.remove(pd)
		return false
	}
	return true
}

// ctl adds or re-arms pd's connection. It fails once the connection, or
// the poller, is closed.
func (p *netpoll) ctl(pd *polled, op int) error {
	p.fdMu.RLock()
	defer p.fdMu.RUnlock()
	if p.fdsClosed {
		return net.ErrClosed
	}
	var cerr error
	err := pd.rc.Control(func(fd uintptr) {
		ev := pollEvent(pd.key, pollEvents)
		cerr = epollCtl(p.epfd, op, int(fd), &ev)
	})
	return errors.Join(err, cerr)
}

// remove forgets pd; the loop ends when nothing is left to poll. The
// kernel drops the descriptor from the epoll set when it is closed.
func (p *netpoll) remove(pd *polled) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries[pd.key] != pd {
		return
	}
	delete(p.entries, pd.key)
	if len(p.entries) == 0 && p.running {
		p.wakeLocked()
	}
}

func (p *netpoll) wakeLocked() {
	one := [8]byte{1}
	unix.Write(p.efd, one[:])
}

// close is for Server.Close: later registrations fail, and the loop ends
// with the last registered connection (the closed sessions' connections
// wait for their clients' close frames, see lingerClose), closing the
// descriptors.
func (p *netpoll) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if !p.running {
		p.closeFDsLocked()
	}
}

func (p *netpoll) closeFDsLocked() {
	p.fdMu.Lock()
	defer p.fdMu.Unlock()
	p.fdsClosed = true
	p.epf.Close()
	unix.Close(p.efd)
}

// loop waits for registered connections to be ready and starts a reader
// for each one that is. It ends when nothing is registered, or the server
// is closed.
func (p *netpoll) loop() {
	events := make([]unix.EpollEvent, 128)
	var n int
	var werr error
	// take is called by the runtime's poller until it reports done: with
	// nothing ready, the goroutine parks until the epoll instance is
	// readable.
	take := func(fd uintptr) (done bool) {
		for {
			n, werr = epollWaitNow(int(fd), events)
			if werr != unix.EINTR {
				return n > 0 || werr != nil
			}
		}
	}
	for {
		err := p.erc.Read(take)
		if err == nil {
			err = werr
		}
		if err != nil {
			// cannot happen with valid arguments; the registered sessions
			// are still ended by their heartbeat
			p.mu.Lock()
			p.running = false
			p.mu.Unlock()
			return
		}
		for i := range max(n, 0) {
			key := eventKey(&events[i])
			if key == 0 {
				var b [8]byte
				unix.Read(p.efd, b[:])
				continue
			}
			p.mu.Lock()
			pd := p.entries[key]
			p.mu.Unlock()
			if pd != nil {
				pd.busy.Store(true)
				go pd.s.readPolled(p, pd)
			}
		}
		p.mu.Lock()
		if len(p.entries) == 0 {
			p.running = false
			if p.closed {
				p.closeFDsLocked()
			}
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

// readPolled reads a burst of messages from a polled connection that is
// ready, then re-arms it.
func (s *Session) readPolled(p *netpoll, pd *polled) {
	fr := getFrameReader(pd.conn, nil)
	more := s.readBurst(fr, pd.conn)
	putFrameReader(fr)
	if !more {
		return
	}
	pd.busy.Store(false)
	if err := p.ctl(pd, unix.EPOLL_CTL_MOD); err != nil {
		s.readEnded(fmt.Errorf("engine: re-arming the poller: %w", err))
	}
}

// netpoller returns the server's poller, made on first use; nil when
// Config.DisableNetpoll is set or epoll is out of reach.
func (srv *Server) netpoller() *netpoll {
	if srv.st.DisableNetpoll {
		return nil
	}
	srv.pollOnce.Do(func() {
		p, err := newNetpoll()
		if err != nil {
			srv.st.logger.Warn("engine: no netpoll, one goroutine per idle WebSocket", "err", err)
			return
		}
		srv.poll = p
	})
	return srv.poll
}

// netpollDone forgets s's registration with the poller, if it has one:
// its connection is closed, or about to be.
func (srv *Server) netpollDone(s *Session) {
	s.mu.Lock()
	pd := s.polled
	s.polled = nil
	s.mu.Unlock()
	if pd != nil && srv.poll != nil {
		srv.poll.remove(pd)
	}
}

// pollIdle reports whether s's WebSocket waits in the poller, with no
// goroutine reading it.
func (s *Session) pollIdle() bool {
	s.mu.Lock()
	pd := s.polled
	s.mu.Unlock()
	return pd != nil && !pd.busy.Load()
}

// closeNetpoll stops the poller, for Server.Close.
func (srv *Server) closeNetpoll() {
	srv.pollOnce.Do(func() {}) // no poller is made after this
	if srv.poll != nil {
		srv.poll.close()
	}
}

// epollWaitNow takes the events ready now, without waiting. Like the
// engine's reads and writes of sockets, it does not tell the runtime of a
// system call (see rawSyscall in sysraw_linux.go).
func epollWaitNow(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// epollCtl is unix.EpollCtl, which never blocks, without telling the
// runtime of a system call.
func epollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
