package catchup

import (
	"sync"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"recovered", "missed", "fresh"}

// Faults are the fault buttons of the step page: the cut.
var Faults = []step.Fault{step.FaultCut}

// countTime is how long a count of Setup lasts, with some slack.
const countTime = 5*time.Second + 500*time.Millisecond

// Check ticks the tasks from what the server sees:
//   - recovered: a client of the browser came back as its old socket
//     after the learner cut its connection;
//   - missed: ... and the server was counting for it while it was away, so
//     it had numbers to catch up on;
//   - fresh: a client that asked for its old session (its CONNECT carries
//     the pid) got a new socket instead, as one that left by itself does.
func Check(io *sio.Server, c *step.Checker) {
	var mu sync.Mutex
	countUntil := map[string]time.Time{} // socket id -> when its count ends
	missed := map[string]time.Time{}     // socket id -> it went away while numbers were being sent to it
	io.OnConnection(func(socket *sio.Socket) {
		id := socket.ID()
		if socket.Recovered() {
			if c.BackAfter(socket, step.FaultCut) {
				c.Done(socket, "recovered")
			}
			mu.Lock()
			_, m := missed[id]
			delete(missed, id)
			mu.Unlock()
			if m {
				c.Done(socket, "missed")
			}
		} else if _, asked := socket.Handshake().Auth["pid"]; asked {
			c.Done(socket, "fresh")
		}
		socket.On("count", func(*sio.Event) {
			mu.Lock()
			countUntil[id] = time.Now().Add(countTime)
			mu.Unlock()
		})
		socket.OnDisconnect(func(sio.Reason) {
			mu.Lock()
			defer mu.Unlock()
			now := time.Now()
			if now.Before(countUntil[id]) {
				missed[id] = now
			}
			delete(countUntil, id)
			// A client that never comes back is forgotten once its
			// session could no longer be restored.
			for k, at := range missed {
				if now.Sub(at) > Config.ConnectionStateRecovery.MaxDisconnectionDuration {
					delete(missed, k)
				}
			}
		})
	})
}
