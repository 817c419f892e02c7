//go:build !linux

package engine

import "net"

// netpoll is Linux only: elsewhere each WebSocket session is read by a
// goroutine of its own (readLoop).
type netpoll struct{}

type polled struct{}

func (*netpoll) add(*Session, net.Conn) bool { return false }

func (srv *Server) netpoller() *netpoll { return nil }

func (srv *Server) netpollDone(*Session) {}

func (srv *Server) closeNetpoll() {}

func (*Session) pollIdle() bool { return false }
