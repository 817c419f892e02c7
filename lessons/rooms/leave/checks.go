package leave

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"leave", "told", "retake"}

// Check ticks the tasks from what the server sees:
//   - leave: a client of this browser asked to leave and is out of its room;
//   - told: a client of this browser was told that someone left its room;
//   - retake: a client of this browser joined a room that a client of this
//     browser had left.
func Check(io *sio.Server, c *step.Checker) {
	var mu sync.Mutex
	left := map[string]map[string]bool{} // browser -> rooms its clients left

	c.OnSent("leftRoom", func(socket *sio.Socket, args []json.RawMessage) {
		var text string
		if len(args) == 0 || json.Unmarshal(args[0], &text) != nil {
			return
		}
		for _, say := range says {
			if strings.HasPrefix(text, say.clientLeft) {
				c.Done(socket, "told")
			}
		}
	})
	io.OnConnection(func(socket *sio.Socket) { // after Setup's: the socket has its room
		browser := step.Browser(socket)
		room := roomOf(socket)
		if browser == "" || room == "" {
			return
		}
		mu.Lock()
		back := left[browser][room]
		mu.Unlock()
		if back {
			c.Done(socket, "retake")
		}
		socket.On("leaveRoom", func(*sio.Event) { // after Setup's too
			if roomOf(socket) != "" {
				return
			}
			mu.Lock()
			if left[browser] == nil {
				left[browser] = map[string]bool{}
			}
			left[browser][room] = true
			mu.Unlock()
			c.Done(socket, "leave")
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
