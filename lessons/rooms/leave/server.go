package leave

import (
	"slices"
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: rooms as in the previous step, and a
// client that asks to leave its room is taken out of it, which frees its
// place for the next client.
func Setup(io *sio.Server, log *step.Log) {
	const perRoom = 2
	var mu sync.Mutex // one client at a time picks its room

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		mu.Lock()
		roomno := 1
		for len(io.In("room-"+strconv.Itoa(roomno)).FetchSockets()) >= perRoom {
			roomno++
		}
		room := "room-" + strconv.Itoa(roomno)
		socket.Join(room)
		mu.Unlock()
		log.Println("A user joined", room)
		io.To(room).Emit("connectToRoom", "You are in room no. "+strconv.Itoa(roomno))

		// Only the server can take a socket out of a room: the client asks.
		socket.On("leaveRoom", func(e *sio.Event) {
			if !slices.Contains(socket.Rooms(), room) {
				return // it has left already
			}
			socket.Leave(room)
			log.Println("A user left", room)
			socket.Emit("leftRoom", "You left room no. "+strconv.Itoa(roomno))
			// The socket is out of the room now: this reaches the others only.
			io.To(room).Emit("leftRoom", "A client left room no. "+strconv.Itoa(roomno))
		})
	})
}
