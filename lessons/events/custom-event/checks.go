package customevent

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"receive", "echo"}

// Check ticks the tasks from what the server sees:
//   - receive: the server emitted testerEvent to a client of this browser;
//   - echo: a client of this browser emitted testerEvent back with an
//     object that has a description.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("testerEvent", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "receive")
	})
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("testerEvent", func(e *sio.Event) {
			if obj, ok := e.Arg(0).(map[string]any); ok && obj["description"] != nil {
				c.Done(socket, "echo")
			}
		})
	})
}
