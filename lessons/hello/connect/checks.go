package connect

import (
	"sync"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"connect", "two", "reconnect"}

// Check ticks the tasks from what the server sees:
//   - connect: a client of this browser connected;
//   - two: two clients of this browser were connected at once;
//   - reconnect: a client of this browser left, and one connected after it.
//
// On a reload the new page's connection can reach the server a moment
// before the server notices that the old one closed, so a connection up to
// two seconds before the leave counts as coming after it.
func Check(io *sio.Server, c *step.Checker) {
	const overlap = 2 * time.Second
	var mu sync.Mutex
	left := map[string]bool{}         // browsers that have seen a client leave
	arrived := map[string]time.Time{} // browser -> its latest connection
	arrivedBy := map[string]*sio.Socket{}
	io.OnConnection(func(socket *sio.Socket) {
		browser := step.Browser(socket)
		c.Done(socket, "connect")
		if step.Connected(socket) >= 2 {
			c.Done(socket, "two")
		}
		mu.Lock()
		back := left[browser]
		arrived[browser], arrivedBy[browser] = time.Now(), socket
		mu.Unlock()
		if back {
			c.Done(socket, "reconnect")
		}
		socket.OnDisconnect(func(sio.Reason) {
			mu.Lock()
			left[browser] = true
			newcomer := arrivedBy[browser]
			recent := newcomer != socket && time.Since(arrived[browser]) < overlap
			mu.Unlock()
			if recent {
				c.Done(newcomer, "reconnect")
			}
		})
	})
}
