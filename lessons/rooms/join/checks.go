package join

import (
	"encoding/json"
	"strings"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"join", "roommate", "next"}

// Check ticks the tasks from what the server sees:
//   - join: the server sent "connectToRoom" to a client of this browser;
//   - roommate: a client of this browser joined a room that held another
//     client of this browser;
//   - next: clients of this browser are in two rooms at once.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("connectToRoom", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "join")
	})
	io.OnConnection(func(socket *sio.Socket) { // after Setup's: the socket has its room
		browser := step.Browser(socket)
		room := roomOf(socket)
		if room == "" {
			return
		}
		for _, other := range io.In(room).FetchSockets() {
			if other != socket && step.Browser(other) == browser {
				c.Done(socket, "roommate")
			}
		}
		for _, other := range io.MainNamespace().Sockets() {
			if r := roomOf(other); r != "" && r != room && other.Connected() && step.Browser(other) == browser {
				c.Done(socket, "next")
			}
		}
	})
}

// roomOf returns the "room-<N>" the socket is in, or "" if none.
func roomOf(s *sio.Socket) string {
	for _, r := range s.Rooms() {
		if strings.HasPrefix(r, "room-") {
			return r
		}
	}
	return ""
}
