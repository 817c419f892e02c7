package everyone

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"count", "more", "leave"}

// Check ticks the tasks from what the server sees:
//   - count: the server sent "broadcast" to a client of this browser;
//   - more: a client of this browser connected while another of its
//     clients was connected, which then heard the count go up;
//   - leave: a client of this browser left while another of its clients
//     stayed, which then heard the count go down.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("broadcast", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "count")
	})
	io.OnConnection(func(socket *sio.Socket) {
		if step.Connected(socket) >= 2 {
			c.Done(socket, "more")
		}
		socket.OnDisconnect(func(sio.Reason) {
			if step.Connected(socket) >= 1 { // the others, this one gone
				c.Done(socket, "leave")
			}
		})
	})
}
