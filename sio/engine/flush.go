package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A connection that is sent messages more often than every writeNowGap (a
// busy room: a stream of broadcasts, a game's ticks) has them held for up
// to flushWindow, then written together, in one system call, by one of the
// server's flushers: at 100 messages a second, half the system calls of
// writing each at once, and no goroutine woken per connection as the
// writer goroutines are. A message after a quiet spell is written at once
// (Send), and so is a reply to the client (an ack), so that a chat's pace
// and a request's round trip wait for nothing.
//
// Each flusher holds a list of the sessions it has messages waiting for;
// the first one put on an empty list sets the time the list is written,
// flushWindow later. A flusher's goroutine ends once its list is written
// and no other waits: an idle server has none.

// flushWindow is the longest a held message waits for its flusher.
var flushWindow = 10 * time.Millisecond

// heldWrites and heldShort count the writes of flushHeld, and those the
// socket took in part or not at all (left to the writer goroutine): the
// tests check that they took those paths.
var heldWrites, heldShort atomic.Int64

// flusher writes the messages held for a set of sessions.
type flusher struct {
	mu      sync.Mutex
	list    []*Session
	spare   []*Session
	running bool // a goroutine waits for the list's time, or writes it
	timer   *time.Timer
	wake    chan struct{}
}

// flushers returns the server's flushers, made on first use: one per CPU,
// so that writing a busy room's messages spreads over the CPUs as the
// writer goroutines did.
func (srv *Server) flushers() []flusher {
	srv.flushOnce.Do(func() {
		srv.flush = make([]flusher, runtime.GOMAXPROCS(0))
	})
	return srv.flush
}

// holdLocked puts s on its flusher's list, if it is not on one already,
// once its queue holds a message to write within flushWindow. The caller
// holds s.mu, has appended the message to s.queue, and has checked that
// nothing writes s's WebSocket now.
func (s *Session) holdLocked() {
	if s.held {
		return
	}
	s.held = true
	fs := s.srv.flushers()
	f := &fs[int(s.id[len(s.id)-1])%len(fs)] // ids end in a random character
	f.mu.Lock()
	f.list = append(f.list, s)
	start := !f.running
	f.running = true
	f.mu.Unlock()
	if start {
		go f.run()
	}
}

// run waits flushWindow, writes what the sessions of the list hold, and
// goes on while sessions are put on the list meanwhile.
func (f *flusher) run() {
	for {
		time.Sleep(flushWindow)
		f.mu.Lock()
		list := f.list
		f.list, f.spare = f.spare[:0], nil
		f.mu.Unlock()
		for i, s := range list {
			s.flushHeld()
			list[i] = nil
		}
		f.mu.Lock()
		f.spare = list[:0]
		if len(f.list) == 0 {
			f.running = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
	}
}

// flushHeld writes what s's queue holds, on the flusher's goroutine,
// without waiting: what the socket does not take goes to s's writer
// goroutine, as with writeNow.
func (s *Session) flushHeld() {
	s.mu.Lock()
	s.held = false
	if s.state == stateClosed || s.writing || len(s.queue) == 0 || s.out == nil {
		// Closed; or a writer has the queue, and writes it.
		s.mu.Unlock()
		return
	}
	o := s.out
	batch := s.queue
	s.queue, s.spare = s.spare, nil
	size := s.queueBytes
	s.writingBytes, s.queueBytes = size, 0
	s.writing = true
	s.mu.Unlock()

	observed, all := false, false
	var rest []byte // with the token, when the socket took part of the frames
	if o.acquire(0) {
		if !o.closeSent {
			s.observeHeld(batch)
			observed = true
			bp := batchBufs.Get().(*[]byte)
			frames := (*bp)[:0]
			for _, p := range batch {
				frames = s.appendWSFrame(frames, p)
			}
			heldWrites.Add(1) // before: the client may read the frames first
			n := o.raw.write(o.conn, frames)
			all = n == len(frames)
			if !all {
				heldShort.Add(1)
			}
			if n > 0 && !all {
				rest = append([]byte(nil), frames[n:]...)
			}
			*bp = frames[:0]
			batchBufs.Put(bp)
		}
		if rest == nil {
			o.release()
		}
	}
	s.mu.Lock()
	switch {
	case all:
		s.writing = false
		s.writingBytes = 0
		if s.srv.obs == nil { // debug lines may point into batch (see wireFrame)
			clear(batch) // let the data go
			if s.spare == nil && cap(batch) <= maxSpareQueue {
				s.spare = batch[:0] // the queue's next turn: no allocation
			}
		}
		if s.state == stateOpen && len(s.queue) > 0 && !s.lingering {
			s.holdLocked() // what was sent meanwhile: for the next flush
		} else {
			s.kickLocked() // a close, or a writer that lingers
		}
	case s.state == stateClosed:
		s.writing = false
		if rest != nil {
			o.release()
		}
	case rest != nil:
		s.partial = rest
		s.startWriterLocked()
	default:
		// Nothing written: the batch goes back to the head of the queue,
		// for the writer.
		if observed {
			for i := range batch {
				batch[i].observed = true
			}
		}
		s.queue = append(batch, s.queue...)
		s.queueBytes += size
		s.writingBytes = 0
		s.startWriterLocked()
	}
	s.mu.Unlock()
}

// observeHeld tells the observer about the packets flushHeld is about to
// write, as writeBatch does.
func (s *Session) observeHeld(batch []Packet) {
	srv := s.srv
	if srv.obs == nil {
		return
	}
	if srv.debugPackets() {
		srv.debug(DebugSocket, s.id, "flushing buffer to transport")
		for i := range batch {
			srv.debug(DebugWS, s.id, "writing %q", (*wireFrame)(&batch[i]))
		}
	}
	for _, p := range batch {
		if !p.observed {
			srv.obs.Packet(s, Out, TransportWebSocket, p)
		}
	}
}
