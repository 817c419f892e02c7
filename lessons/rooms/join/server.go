package join

import (
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). The workbook runs this
// server once per language, and a learner's clients reach the one of
// theirs, so everyone in a room reads the language of this socket.
var says = map[string]struct{ joined, inRoom string }{
	"en": {"A user joined", "You are in room no. "},
	"es": {"Un usuario ha entrado en", "Estás en la sala n.º "},
}

// Setup sets up the step's server: each client that connects goes into the
// first room with a free place, two clients a room, and everyone in that
// room is told its number.
func Setup(io *sio.Server, log *step.Log) {
	const perRoom = 2
	var mu sync.Mutex       // one client at a time picks its room
	inRoom := map[int]int{} // room number -> clients in it

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		say := says[step.Lang(socket)]
		mu.Lock()
		// From room 1 up, skip the rooms that are full.
		roomno := 1
		for inRoom[roomno] >= perRoom {
			roomno++
		}
		inRoom[roomno]++
		room := "room-" + strconv.Itoa(roomno)
		socket.Join(room)
		mu.Unlock()
		log.Println(say.joined, room)

		// A client that goes leaves its place free for the next one.
		socket.OnDisconnect(func(sio.Reason) {
			mu.Lock()
			if inRoom[roomno]--; inRoom[roomno] == 0 {
				delete(inRoom, roomno)
			}
			mu.Unlock()
		})

		// Everyone in the room hears it, the newcomer included.
		io.To(room).Emit("connectToRoom", say.inRoom+strconv.Itoa(roomno))
	})
}
