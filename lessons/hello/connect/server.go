package connect

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: it logs every client that connects and
// every client that leaves.
func Setup(io *sio.Server, log *step.Log) {
	// Runs once for every client that connects.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("A user connected")

		// Runs once when this client leaves: page closed or reloaded,
		// network gone, or socket.disconnect() in the browser.
		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println("A user disconnected")
		})
	})
}
