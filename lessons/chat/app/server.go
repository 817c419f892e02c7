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

// chatMessage is what a client sends as "msg" ({message, user}) and as
// "private" ({to, message}).
type chatMessage struct {
	Message string `json:"message"`
	User    string `json:"user"` // the client's word for who it is: not taken
	To      string `json:"to"`
}

// Setup sets up the step's server: a chat where each client picks a free
// username, chooses a room, and sends messages to everyone in that room.
// A name is free again once its owner disconnects. Whatever the server
// refuses, it says why with a "chatError" event.
//
// It also serves the tutorial's homework: "typing" tells the room who is
// typing, "users" tells everyone the names online whenever they change,
// and "private" sends a message to one user by name.
func Setup(io *sio.Server, log *step.Log) {
	var mu sync.Mutex
	users := map[string]string{} // the names in use on this server -> their socket's id
	online := func() []string {  // the names, sorted; with mu held
		names := make([]string, 0, len(users))
		for name := range users {
			names = append(names, name)
		}
		slices.Sort(names)
		return names
	}

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
			_, inUse := users[name]
			taken := inUse && name != old
			if !taken {
				delete(users, old) // a new name frees the old one
				users[name] = socket.ID()
			}
			names := online()
			mu.Unlock()
			if taken {
				socket.Emit("userExists", name+" username is taken! Try some other username.")
				return
			}
			socket.SetData(name) // the socket's username, for the handlers below
			log.Println(name, "joined the chat")
			socket.Emit("userSet", map[string]string{"username": name})
			io.Emit("users", names)
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

		// message reads a message event of this client, an object
		// (what says which), and returns the sender's name and the
		// message, its text trimmed; ok is false once the client has been
		// told what is wrong.
		message := func(e *sio.Event, what string) (name string, m chatMessage, ok bool) {
			name, _ = socket.Data().(string)
			if name == "" {
				socket.Emit("chatError", "Choose a username before you send messages.")
				return "", m, false
			}
			if e.Bind(&m) != nil {
				socket.Emit("chatError", "A "+what+".")
				return "", m, false
			}
			m.Message = strings.TrimSpace(m.Message)
			if n := utf8.RuneCountInString(m.Message); n < 1 || n > maxMessage {
				socket.Emit("chatError", "A message needs 1 to 500 characters.")
				return "", m, false
			}
			return name, m, true
		}

		socket.On("msg", func(e *sio.Event) {
			name, data, ok := message(e, "message is an object {message, user}")
			if !ok {
				return
			}
			text := data.Message
			// The server knows who is talking: it does not take the
			// client's word for it, so "user" is the socket's own name.
			io.To(room).Emit("newmsg", map[string]string{"message": text, "user": name})
		})

		// Homework: who is typing, to the others in the room.
		socket.On("typing", func(e *sio.Event) {
			if name, _ := socket.Data().(string); name != "" {
				typing, _ := e.Arg(0).(bool)
				socket.To(room).Emit("typing", map[string]any{"user": name, "typing": typing})
			}
		})

		// Homework: a private message, to one user by name and back to
		// the sender. The server does not log it.
		socket.On("private", func(e *sio.Event) {
			name, data, ok := message(e, "private message is an object {to, message}")
			if !ok {
				return
			}
			text := data.Message
			mu.Lock()
			id, ok := users[data.To]
			mu.Unlock()
			if !ok {
				socket.Emit("chatError", "Nobody called \""+data.To+"\" is online.")
				return
			}
			msg := map[string]string{"from": name, "to": data.To, "message": text}
			io.To(id).Emit("private", msg)
			if id != socket.ID() {
				socket.Emit("private", msg)
			}
		})

		socket.OnDisconnect(func(sio.Reason) {
			name, _ := socket.Data().(string)
			if name == "" {
				log.Println("A user disconnected")
				return
			}
			mu.Lock()
			delete(users, name)
			names := online()
			mu.Unlock()
			log.Println(name, "left the chat; the name is free again")
			io.Emit("users", names)
		})
	})
}
