package clientevent

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"emit", "own-text", "object"}

// The text the start client sends; "own-text" wants another one.
const startText = "Sent an event from the client!"

// Check ticks the tasks from what the server sees:
//   - emit: a client of this browser emitted clientEvent;
//   - own-text: ... with a text of its own (not the one client.html sends);
//   - object: ... with an object rather than a text.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("clientEvent", func(e *sio.Event) {
			c.Done(socket, "emit")
			switch arg := e.Arg(0).(type) {
			case string:
				if arg != startText {
					c.Done(socket, "own-text")
				}
			case map[string]any:
				c.Done(socket, "object")
			}
		})
	})
}
