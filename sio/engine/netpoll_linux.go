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
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netpoll waits, for every idle WebSocket of a Server, for its next byte,
// with one goroutine in epoll_wait for them all: an idle session then
// holds no goroutine and no read buffer. A connection is registered
// edge-triggered, once: new bytes on it start one goroutine (readPolled),
// which reads and handles messages until the socket has nothing more at a
// message's boundary, and gives the connection back. Each registration
// has a state (polled.state) that makes sure that no two goroutines ever
// read one connection, and that bytes which arrive while its goroutine is
// on its way out are read, by that goroutine.
//
// So a message costs one read system call when it comes alone: a read
// that finds less than it had room for has emptied the socket, and the
// next bytes will be another event, so the reader ends without the read
// that would find nothing. Nor is the connection re-armed (epoll_ctl)
// after each burst, as a one-shot registration would need.
//
// Each registration has a key of its own (never reused) as its event data:
// an event left over from a connection that has since been closed, or whose
// descriptor number has been reused, finds no registration, or at worst
// starts a reader with nothing to read, which finds so at once.
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

	// work hands a connection with news to a reader goroutine that has
	// finished its last one and waits for more (see reader).
	work chan *polled

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
	// state is a pollState: who reads the connection.
	state atomic.Uint64
	// hup: the peer has closed its end, or the connection failed. A read
	// that returns data then does not show that the socket is empty: the
	// end of the stream takes a read of its own, and its event may have
	// come with the data's, as one.
	hup atomic.Bool
	p   *netpoll
}

// pollState is a registration's state (the low two bits) and the number
// of the reader that owns it (the rest): each reader the loop starts gets
// a number of its own, so that a reader that has handed the connection on
// while it ran a message's work (pollHandling) cannot take it back from
// the next one.
type pollState uint64

const (
	pollIdle     = iota // no goroutine reads the connection
	pollReading         // the owner reads it
	pollAgain           // the owner reads it, and it had news since the owner's last read began
	pollHandling        // the owner runs a message's work (InlineHandler): news goes to a new reader
)

func (st pollState) kind() uint64 { return uint64(st) & 3 }

// with returns st's owner with state k.
func (st pollState) with(k uint64) pollState { return st&^3 | pollState(k) }

// next returns a new owner, reading.
func (st pollState) next() pollState { return (st>>2+1)<<2 | pollReading }

func (pd *polled) load() pollState { return pollState(pd.state.Load()) }

func (pd *polled) cas(old, new pollState) bool {
	return pd.state.CompareAndSwap(uint64(old), uint64(new))
}

// ready is the loop's, for an event on pd: it reports whether the caller
// should start a reader. A reader that reads already is told to read once
// more before it ends; one that runs a message's work loses the connection
// to a new one.
func (pd *polled) ready() bool {
	for {
		st := pd.load()
		switch st.kind() {
		case pollIdle, pollHandling:
			if pd.cas(st, st.next()) {
				return true
			}
		case pollReading:
			if pd.cas(st, st.with(pollAgain)) {
				return false
			}
		default:
			return false
		}
	}
}

// pollEvents: readable, or the peer closed its end; an event each time
// bytes arrive, not while they wait unread.
const pollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET

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
	return &netpoll{epfd: epfd, epf: epf, erc: erc, efd: efd, work: make(chan *polled), entries: make(map[uint64]*polled)}, nil
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
	pd := &polled{s: s, conn: conn, rc: rc, key: p.next, p: p}
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

// ctl adds pd's connection. It fails once the connection, or the poller,
// is closed.
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
			if pd == nil {
				continue
			}
			if events[i].Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
				pd.hup.Store(true)
			}
			if pd.ready() {
				p.startReader(pd)
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

// startReader hands pd, whose new owner the caller has made, to a reader
// that waits for work, or to a new one.
func (p *netpoll) startReader(pd *polled) {
	select {
	case p.work <- pd:
	default:
		go p.reader(pd)
	}
}

// testHookBeforeIdle, when set by a test, runs as a reader has found its
// connection empty, before it gives it back.
var testHookBeforeIdle atomic.Pointer[func(*polled)]

// reader reads pd's connection, then waits up to readerLinger for another
// connection with news (from the loop, through p.work), and so on: on a
// busy server a few goroutines, whose stacks have grown to what reading
// and handling a message takes, read every connection in turn, rather
// than a goroutine started for each message, which would grow its stack
// again each time.
func (p *netpoll) reader(pd *polled) {
	growStack(0)
	var t *time.Timer
	for {
		pd.s.readPolled(pd)
		if t == nil {
			t = time.NewTimer(readerLinger)
		} else {
			t.Reset(readerLinger)
		}
		select {
		case pd = <-p.work:
			t.Stop()
		case <-t.C:
			return
		}
	}
}

// growStack grows a new reader's stack to about what reading a message and
// running its handler take, in one step while it is still shallow: grown
// on demand, deep inside a handler, each doubling copies and adjusts
// every frame below (4% of the echo's samples).
//
//go:noinline
func growStack(i int) byte {
	var b [12 << 10]byte
	return b[i%len(b)] // read, so that the array is kept
}

// readerLinger is how long a reader goroutine of the poller waits for more
// work before it ends (as frameLinger).
const readerLinger = 5 * time.Millisecond

// readPolled reads and handles the messages of a polled connection that
// has news, until it has nothing more to read, then gives it back to the
// poller (pd.state). The caller owns the connection.
//
// A message that leaves the socket empty may leave work to this goroutine
// (InlineHandler): a handler run here rather than on a goroutine of its
// own. While it runs, news on the connection goes to a new reader, which
// then owns it, so that work which waits for the same client (for its
// acknowledgement) gets what it waits for.
func (s *Session) readPolled(pd *polled) {
	// The owner the loop made for this reader. The loop may have marked
	// news already (pollAgain): that is what the first read reads, and
	// the reader's own state is pollReading, so that news that comes
	// later fails its compare-and-swap to idle rather than being lost.
	me := pd.load().with(pollReading)
	fr := getFrameReader(pd.conn, nil)
	defer func() {
		if fr != nil {
			putFrameReader(fr)
		}
	}()
	for {
		if fr.br.Buffered() == 0 {
			if !fr.src.raw.short || pd.hup.Load() {
				fr.src.raw.nowait = true
				_, err := fr.br.Peek(1)
				fr.src.raw.nowait = false
				if err != nil && err != errWouldBlock {
					s.readEnded(err)
					return // reading has ended: the state stays, and no reader starts again
				}
			}
			if fr.br.Buffered() == 0 {
				// The socket is empty.
				if hook := testHookBeforeIdle.Load(); hook != nil {
					(*hook)(pd)
				}
				if pd.cas(me, me.with(pollIdle)) {
					return
				}
				// pollAgain: bytes arrived after the last read began
				pd.state.Store(uint64(me))
				fr.src.raw.short = false
				continue
			}
		}
		ok, after := s.readOne(fr, true)
		if !ok {
			return
		}
		if after == nil {
			continue
		}
		// fr and the socket are empty: while after runs, the connection
		// is handed to a new reader if anything comes.
		putFrameReader(fr)
		fr = nil
		handed := !pd.cas(me, me.with(pollHandling))
		if handed {
			// news came already: a new reader takes it now
			next := me.next()
			pd.state.Store(uint64(next))
			pd.p.startReader(pd)
		}
		after()
		if handed || !pd.cas(me.with(pollHandling), me) {
			return // another reader owns the connection
		}
		// No news while after ran: the socket is still empty.
		fr = getFrameReader(pd.conn, nil)
		fr.src.raw.short = true
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
	return pd != nil && pd.load().kind() == pollIdle
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
