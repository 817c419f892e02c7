package trace

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"debug", "pattern", "debugMe"}

// Check ticks the tasks from what the server sees:
//   - debug: a client of this browser connected saying, in its auth, that
//     it runs with a debug pattern (localStorage.debug);
//   - pattern: ... with a pattern of its own, not the "*" client.html sets;
//   - debugMe: a client of this browser emitted debugMe.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		pattern, _ := socket.Handshake().Auth["debug"].(string)
		if pattern != "" {
			c.Done(socket, "debug")
			if pattern != "*" {
				c.Done(socket, "pattern")
			}
		}
		socket.On("debugMe", func(*sio.Event) { c.Done(socket, "debugMe") })
	})
}
