package twonodes

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"each", "crossed", "count", "room"}

// CheckNodes ticks the tasks from what the two nodes see (a is node A, b
// node B; c watches both):
//   - each: this browser has a client connected to each node;
//   - crossed: a chat message a client of this browser sent to one node
//     was written by the other node to a client of this browser (as it is,
//     or within a longer text: a learner's server may add to it);
//   - count: a client of this browser asked how many nodes there are;
//   - room: as crossed, for a "news" sent to the room by one node and
//     written by the other to a client of this browser in the room.
func CheckNodes(a, b *sio.Server, c *step.Checker) {
	nodes := []*sio.Server{a, b}
	x := &crossings{seen: map[crossKey]*recent{}}
	for i, io := range nodes {
		other := nodes[1-i]
		io.OnConnection(func(socket *sio.Socket) {
			if connectedTo(other, step.Browser(socket)) {
				c.Done(socket, "each")
			}
			for event, task := range crossTasks {
				socket.On(event, func(e *sio.Event) {
					var msg string
					if e.Bind(&msg) == nil && x.in(crossKey{step.Browser(socket), event}, i, msg) {
						c.Done(socket, task)
					}
				})
			}
			socket.On("nodes", func(e *sio.Event) {
				if e.HasAck() {
					c.Done(socket, "count")
				}
			})
		})
	}
	for event, task := range crossTasks {
		c.OnSent(event, func(s *sio.Socket, args []json.RawMessage) {
			var msg string
			if len(args) == 0 || json.Unmarshal(args[0], &msg) != nil {
				return
			}
			node := 0
			if s.Namespace().Server() == b {
				node = 1
			}
			if x.out(crossKey{step.Browser(s), event}, node, msg) {
				c.Done(s, task)
			}
		})
	}
}

// crossTasks are the events that tick a task when they cross from one
// node to the other.
var crossTasks = map[string]string{"chat message": "crossed", "news": "room"}

// connectedTo reports whether browser has a client connected to io.
func connectedTo(io *sio.Server, browser string) bool {
	if browser == "" {
		return false
	}
	for _, s := range io.Of("/").Sockets() {
		if s.Connected() && step.Browser(s) == browser {
			return true
		}
	}
	return false
}

// crossings pairs what a browser's client sent to a node (in) with what a
// node wrote to a client of the same browser (out): the message crossed
// when the nodes differ and what went out holds what came in (a learner's
// server may add to it). Either side may be seen first.
type crossings struct {
	mu   sync.Mutex
	seen map[crossKey]*recent
}

type crossKey struct{ browser, event string }

// recent holds, by node (0 for A, 1 for B), the last messages that came
// in there and went out there.
type recent struct{ in, out [2][]string }

const (
	// maxRecent is how many messages of each side a browser's event keeps.
	maxRecent = 8
	// maxCrossings bounds the browsers and events remembered; past it they
	// are forgotten, and a message sent before then ticks nothing.
	maxCrossings = 10000
)

func (x *crossings) in(k crossKey, node int, msg string) bool {
	return x.mark(k, msg, func(r *recent) bool {
		r.in[node] = keep(r.in[node], msg)
		return slices.ContainsFunc(r.out[1-node], func(out string) bool { return strings.Contains(out, msg) })
	})
}

func (x *crossings) out(k crossKey, node int, msg string) bool {
	return x.mark(k, msg, func(r *recent) bool {
		r.out[node] = keep(r.out[node], msg)
		return slices.ContainsFunc(r.in[1-node], func(in string) bool { return strings.Contains(msg, in) })
	})
}

// mark records one side of a message under k and reports whether it
// crossed.
func (x *crossings) mark(k crossKey, msg string, record func(*recent) bool) bool {
	if k.browser == "" || msg == "" {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	r := x.seen[k]
	if r == nil {
		if len(x.seen) >= maxCrossings {
			clear(x.seen)
		}
		r = &recent{}
		x.seen[k] = r
	}
	return record(r)
}

// keep appends msg to the last messages, dropping the oldest past maxRecent.
func keep(list []string, msg string) []string {
	if len(list) == maxRecent {
		list = slices.Delete(list, 0, 1)
	}
	return append(list, msg)
}
