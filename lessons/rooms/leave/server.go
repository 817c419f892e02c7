package leave

import (
	"slices"
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). The workbook runs this
// server once per language, and a learner's clients reach the one of
// theirs, so everyone in a room reads the language of this socket.
var says = map[string]struct{ joined, left, inRoom, youLeft, clientLeft string }{
	"en": {"A user joined", "A user left", "You are in room no. ", "You left room no. ", "A client left room no. "},
	"es": {"Un usuario ha entrado en", "Un usuario ha salido de", "Estás en la sala n.º ", "Has salido de la sala n.º ", "Un cliente ha salido de la sala n.º "},
}

// Setup sets up the step's server: rooms as in the previous step, and a
// client that asks to leave its room is taken out of it, which frees its
// place for the next client.
func Setup(io *sio.Server, log *step.Log) {
	const perRoom = 2
	var mu sync.Mutex // one client at a time picks its room

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		say := says[step.Lang(socket)]
		mu.Lock()
		roomno := 1
		for len(io.In("room-"+strconv.Itoa(roomno)).FetchSockets()) >= perRoom {
			roomno++
		}
		room := "room-" + strconv.Itoa(roomno)
		socket.Join(room)
		mu.Unlock()
		log.Println(say.joined, room)
		io.To(room).Emit("connectToRoom", say.inRoom+strconv.Itoa(roomno))

		// Only the server can take a socket out of a room: the client asks.
		socket.On("leaveRoom", func(e *sio.Event) {
			if !slices.Contains(socket.Rooms(), room) {
				return // it has left already
			}
			socket.Leave(room)
			log.Println(say.left, room)
			socket.Emit("leftRoom", say.youLeft+strconv.Itoa(roomno))
			// The socket is out of the room now: this reaches the others only.
			io.To(room).Emit("leftRoom", say.clientLeft+strconv.Itoa(roomno))
		})
	})
}
