package connecterror

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"connect", "refused", "kicked"}

// Check ticks the tasks from what the server sees:
//   - connect: a client of this browser got in with the token;
//   - refused: the server refused a client of this browser (connect_error);
//   - kicked: the server disconnected a client of this browser that asked.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		c.Done(socket, "connect")
		socket.On("kickMe", func(*sio.Event) { c.Done(socket, "kicked") })
	})
	c.OnRefused(func(browser string, _ json.RawMessage) {
		c.DoneFor(browser, "refused")
	})
}
