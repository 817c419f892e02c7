package binary

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"sent", "received", "polling"}

// Check ticks the tasks from what the server sees:
//   - sent: a client of this browser emitted file with binary data;
//   - received: the server sent digest, with its bytes, to a client of
//     this browser;
//   - polling: ... a file with binary data that came over polling.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("file", func(e *sio.Event) {
			if !e.HasBinary() {
				return
			}
			c.Done(socket, "sent")
			if socket.Transport() == "polling" {
				c.Done(socket, "polling")
			}
		})
	})
	c.OnSent("digest", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "received")
	})
}
