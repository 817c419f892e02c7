// Package defaultns is the step namespaces/default: "default" is a Go
// keyword, so the package is named differently from its folder.
package defaultns

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"hi", "everyone", "reply"}

// Check ticks the tasks from what the server sees:
//   - hi: the server sent "hi" to a client of this browser;
//   - everyone: a client of this browser connected while another of its
//     clients was connected, which then got "hi" again;
//   - reply: a client of this browser emitted "hi" in "/".
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("hi", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "hi")
	})
	io.OnConnection(func(socket *sio.Socket) {
		if step.Connected(socket) >= 2 {
			c.Done(socket, "everyone")
		}
		socket.On("hi", func(*sio.Event) { c.Done(socket, "reply") })
	})
}
