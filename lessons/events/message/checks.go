package message

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"receive", "reply"}

// Check ticks the tasks from what the server sees:
//   - receive: the server sent "message" to a client of this browser;
//   - reply: a client of this browser sent a "message" of its own.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("message", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "receive")
	})
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("message", func(*sio.Event) { c.Done(socket, "reply") })
	})
}
