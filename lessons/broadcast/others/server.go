package others

import (
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: a client that connects is welcomed,
// and every other client gets the new number of clients; when a client
// leaves, the others get the number again.
func Setup(io *sio.Server, log *step.Log) {
	var mu sync.Mutex // guards clients, as in the previous step
	clients := 0

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		mu.Lock()
		clients++
		description := clientsConnected(clients)
		log.Println("A user connected.", description)
		// socket.Emit: to this client only.
		socket.Emit("newclientconnect", map[string]any{"description": "Hey, welcome!"})
		// socket.Broadcast().Emit: to every client but this one.
		socket.Broadcast().Emit("newclientconnect", map[string]any{"description": description})
		mu.Unlock()

		socket.OnDisconnect(func(reason sio.Reason) {
			mu.Lock()
			clients--
			description := clientsConnected(clients)
			log.Println("A user disconnected.", description)
			socket.Broadcast().Emit("newclientconnect", map[string]any{"description": description})
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
