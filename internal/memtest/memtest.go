// Package memtest measures, in tests, what connections cost in memory: the
// live heap and the goroutine stacks after a garbage collection, and what
// a plain TCP pair costs, to take the client's end of a connection made in
// the same process off a server-side figure.
package memtest

import (
	"net"
	"runtime"
	"testing"
)

// Usage is the live heap and the stacks in use.
type Usage struct {
	Heap, Stack int64
}

// Total is Heap plus Stack.
func (u Usage) Total() int64 { return u.Heap + u.Stack }

// Sub returns u minus v.
func (u Usage) Sub(v Usage) Usage { return Usage{u.Heap - v.Heap, u.Stack - v.Stack} }

// Per returns u divided by n.
func (u Usage) Per(n int) Usage { return Usage{u.Heap / int64(n), u.Stack / int64(n)} }

// Measure collects garbage (twice: what the first frees may hold more) and
// returns what is in use.
func Measure() Usage {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Usage{Heap: int64(ms.HeapAlloc), Stack: int64(ms.StackInuse)}
}

// TCPPair returns what one connected pair of plain TCP connections costs,
// averaged over n pairs opened at once: half of it is the client's end of
// a connection a test opens to its own server.
func TCPPair(t testing.TB, n int) Usage {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, n)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	conns := make([]net.Conn, 0, 2*n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	before := Measure()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c, <-accepted)
	}
	return Measure().Sub(before).Per(n)
}
