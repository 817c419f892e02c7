package reconnect

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"cut", "timeout", "restart"}

// Faults are the fault buttons of the step page, carried out by the
// workbook on this step's server.
var Faults = []step.Fault{step.FaultCut, step.FaultStopPings, step.FaultRestart}

// Check ticks a task when a client of the browser connects again after the
// fault the learner caused:
//   - cut: after its connection was cut;
//   - timeout: after the server stopped pinging it and it gave up;
//   - restart: to the restarted server.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		if c.BackAfter(socket, step.FaultCut) {
			c.Done(socket, "cut")
		}
		if c.BackAfter(socket, step.FaultStopPings) {
			c.Done(socket, "timeout")
		}
		if c.BackAfter(socket, step.FaultRestart) {
			c.Done(socket, "restart")
		}
	})
}
