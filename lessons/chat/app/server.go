package app

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// The chat rooms to choose from; every client starts in the first.
var rooms = []string{"general", "games", "help"}

// Limits, counted in characters once spaces around are trimmed.
const (
	maxName    = 20
	maxMessage = 500
)

// Setup sets up the step's server: a chat where each client picks a free
// username, chooses a room, and sends messages to everyone in that room.
// A name is free again once its owner disconnects. Whatever the server
// refuses, it says why with a "chatError" event.
func Setup(io *sio.Server, log *step.Log) {
	var mu sync.Mutex
	users := map[string]bool{} // the names in use on this server

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("A user connected")
		room := rooms[0]
		socket.Join(room)
		socket.Emit("roomJoined", room)

		socket.On("setUsername", func(e *sio.Event) {
			name := strings.TrimSpace(e.String(0))
			if n := utf8.RuneCountInString(name); n < 1 || n > maxName {
				socket.Emit("chatError", "A username needs 1 to 20 characters.")
				return
			}
			old, _ := socket.Data().(string)
			mu.Lock()
			taken := users[name] && name != old
			if !taken {
				delete(users, old) // a new name frees the old one
				users[name] = true
			}
			mu.Unlock()
			if taken {
				socket.Emit("userExists", name+" username is taken! Try some other username.")
				return
			}
			socket.SetData(name) // the socket's username, for the handlers below
			log.Println(name, "joined the chat")
			socket.Emit("userSet", map[string]string{"username": name})
		})

		socket.On("joinRoom", func(e *sio.Event) {
			next := e.String(0)
			if !slices.Contains(rooms, next) {
				socket.Emit("chatError", "There is no room \""+next+"\". The rooms are "+strings.Join(rooms, ", ")+".")
				return
			}
			socket.Leave(room)
			room = next
			socket.Join(room)
			socket.Emit("roomJoined", room)
		})

		socket.On("msg", func(e *sio.Event) {
			name, _ := socket.Data().(string)
			if name == "" {
				socket.Emit("chatError", "Choose a username before you send messages.")
				return
			}
			var data struct {
				Message string `json:"message"`
				User    string `json:"user"`
			}
			if e.Bind(&data) != nil {
				socket.Emit("chatError", "A message is an object {message, user}.")
				return
			}
			text := strings.TrimSpace(data.Message)
			if n := utf8.RuneCountInString(text); n < 1 || n > maxMessage {
				socket.Emit("chatError", "A message needs 1 to 500 characters.")
				return
			}
			// The server knows who is talking: it does not take the
			// client's word for it, so "user" is the socket's own name.
			io.To(room).Emit("newmsg", map[string]string{"message": text, "user": name})
		})

		socket.OnDisconnect(func(sio.Reason) {
			name, _ := socket.Data().(string)
			if name == "" {
				log.Println("A user disconnected")
				return
			}
			mu.Lock()
			delete(users, name)
			mu.Unlock()
			log.Println(name, "left the chat; the name is free again")
		})
	})
}
