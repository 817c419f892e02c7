package everyone

import (
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: whenever a client connects or leaves,
// every client connected gets the number of clients connected.
func Setup(io *sio.Server, log *step.Log) {
	// Go runs the handlers of different clients at the same time, so the
	// count is behind a mutex. The emit is too: the news goes out in the
	// order the count changed, and the last news is the true count.
	var mu sync.Mutex
	clients := 0

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		mu.Lock()
		clients++
		description := clientsConnected(clients)
		log.Println("A user connected.", description)
		// io.Emit: to every client connected, the new one included.
		io.Emit("broadcast", map[string]any{"description": description})
		mu.Unlock()

		socket.OnDisconnect(func(reason sio.Reason) {
			mu.Lock()
			clients--
			description := clientsConnected(clients)
			log.Println("A user disconnected.", description)
			// This client is gone already: all the others hear it.
			io.Emit("broadcast", map[string]any{"description": description})
			mu.Unlock()
		})
	})
}

// clientsConnected says how many clients are connected: "1 client connected!",
// "2 clients connected!".
func clientsConnected(n int) string {
	if n == 1 {
		return "1 client connected!"
	}
	return strconv.Itoa(n) + " clients connected!"
}
