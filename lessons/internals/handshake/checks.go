package handshake

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"open", "event", "ack"}

// Check ticks the tasks from what the server sees:
//   - open: a client of this browser connected (it got an open packet);
//   - event: a client of this browser emitted chat;
//   - ack: a client of this browser emitted add with two numbers, asking
//     for the ack that Setup answers.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		c.Done(socket, "open")
		socket.On("chat", func(*sio.Event) { c.Done(socket, "event") })
		socket.On("add", func(e *sio.Event) {
			var a, b float64
			if e.HasAck() && e.Bind(&a, &b) == nil { // Setup answers it
				c.Done(socket, "ack")
			}
		})
	})
}
