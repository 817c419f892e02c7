package join

import (
	"encoding/json"
	"strings"
	"sync"

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
	// The rooms each browser's clients are in, counted, so that a
	// connection looks at its own browser's rooms, not at every socket.
	var mu sync.Mutex
	rooms := map[string]map[string]int{}       // browser -> room -> its clients there
	io.OnConnection(func(socket *sio.Socket) { // after Setup's: the socket has its room
		browser := step.Browser(socket)
		room := roomOf(socket)
		if room == "" || browser == "" {
			return
		}
		for _, other := range io.In(room).FetchSockets() {
			if other != socket && step.Browser(other) == browser {
				c.Done(socket, "roommate")
			}
		}
		mu.Lock()
		if rooms[browser] == nil {
			rooms[browser] = map[string]int{}
		}
		rooms[browser][room]++
		elsewhere := len(rooms[browser]) > 1
		mu.Unlock()
		if elsewhere {
			c.Done(socket, "next")
		}
		socket.OnDisconnect(func(sio.Reason) {
			mu.Lock()
			defer mu.Unlock()
			if rooms[browser][room]--; rooms[browser][room] == 0 {
				delete(rooms[browser], room)
			}
			if len(rooms[browser]) == 0 {
				delete(rooms, browser)
			}
		})
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
