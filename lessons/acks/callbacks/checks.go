package callbacks

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"callback", "error", "timeout"}

// Check ticks the tasks from what the server sees:
//   - callback: a client of this browser emitted add with two numbers and
//     a callback (Setup answers with the sum);
//   - error: ... add with a callback but not two numbers (Setup answers
//     with an error);
//   - timeout: ... slow with a callback (Setup answers 2 s later: a client
//     with timeout(1000) has given up by then).
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("add", func(e *sio.Event) {
			if !e.HasAck() {
				return
			}
			var a, b *float64
			if e.Bind(&a, &b) == nil && a != nil && b != nil {
				c.Done(socket, "callback")
			} else {
				c.Done(socket, "error")
			}
		})
		socket.On("slow", func(e *sio.Event) {
			if e.HasAck() {
				c.Done(socket, "timeout")
			}
		})
	})
}
