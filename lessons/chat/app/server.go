package app

import (
	"net/http"
	"slices"
	"strconv"
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

// says holds what the server says to a client, in one language.
type says struct {
	nameLength, taken, noName, badMessage, badPrivate, messageLength string
	noRoom                                                           func(room, rooms string) string
	nobody                                                           func(name string) string
}

// messages are what the server says, in each language the workbook has.
var messages = map[string]says{
	"en": {
		nameLength: "A username needs 1 to 20 characters.",
		taken:      " username is taken! Try some other username.",
		noRoom: func(room, rooms string) string {
			return "There is no room " + strconv.Quote(room) + ". The rooms are " + rooms + "."
		},
		noName:        "Choose a username before you send messages.",
		badMessage:    "A message is an object {message, user}.",
		badPrivate:    "A private message is an object {to, message}.",
		messageLength: "A message needs 1 to 500 characters.",
		nobody:        func(name string) string { return "Nobody called \"" + name + "\" is online." },
	},
	"es": {
		nameLength: "Un nombre de usuario lleva de 1 a 20 caracteres.",
		taken:      ": ese nombre ya está en uso. Prueba con otro.",
		noRoom: func(room, rooms string) string {
			return "No hay ninguna sala " + strconv.Quote(room) + ". Las salas son " + rooms + "."
		},
		noName:        "Elige un nombre de usuario antes de enviar mensajes.",
		badMessage:    "Un mensaje es un objeto {message, user}.",
		badPrivate:    "Un mensaje privado es un objeto {to, message}.",
		messageLength: "Un mensaje lleva de 1 a 500 caracteres.",
		nobody:        func(name string) string { return "No hay nadie conectado que se llame \"" + name + "\"." },
	},
}

// language is the learner's language: the workbook's language switch keeps
// it in the "wb_lang" cookie, which the browser sends with the handshake.
// English when there is none.
func language(socket *sio.Socket) string {
	r := http.Request{Header: socket.Handshake().Headers}
	if c, err := r.Cookie("wb_lang"); err == nil {
		if _, ok := messages[c.Value]; ok {
			return c.Value
		}
	}
	return "en"
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, joined, disconnected, left string }{
	"en": {"A user connected", "joined the chat", "A user disconnected", "left the chat; the name is free again"},
	"es": {"Un usuario se ha conectado", "ha entrado en el chat", "Un usuario se ha desconectado", "ha salido del chat; el nombre vuelve a estar libre"},
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
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)
		say := messages[language(socket)]
		room := rooms[0]
		socket.Join(room)
		socket.Emit("roomJoined", room)

		socket.On("setUsername", func(e *sio.Event) {
			name := strings.TrimSpace(e.String(0))
			if n := utf8.RuneCountInString(name); n < 1 || n > maxName {
				socket.Emit("chatError", say.nameLength)
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
				socket.Emit("userExists", name+say.taken)
				return
			}
			socket.SetData(name) // the socket's username, for the handlers below
			log.Println(name, lines.joined)
			socket.Emit("userSet", map[string]string{"username": name})
			io.Emit("users", names)
		})

		socket.On("joinRoom", func(e *sio.Event) {
			next := e.String(0)
			if !slices.Contains(rooms, next) {
				socket.Emit("chatError", say.noRoom(next, strings.Join(rooms, ", ")))
				return
			}
			socket.Leave(room)
			room = next
			socket.Join(room)
			socket.Emit("roomJoined", room)
		})

		// message reads a message event of this client, an object
		// (bad says which, to the client), and returns the sender's name and the
		// message, its text trimmed; ok is false once the client has been
		// told what is wrong.
		message := func(e *sio.Event, bad string) (name string, m chatMessage, ok bool) {
			name, _ = socket.Data().(string)
			if name == "" {
				socket.Emit("chatError", say.noName)
				return "", m, false
			}
			if e.Bind(&m) != nil {
				socket.Emit("chatError", bad)
				return "", m, false
			}
			m.Message = strings.TrimSpace(m.Message)
			if n := utf8.RuneCountInString(m.Message); n < 1 || n > maxMessage {
				socket.Emit("chatError", say.messageLength)
				return "", m, false
			}
			return name, m, true
		}

		socket.On("msg", func(e *sio.Event) {
			name, data, ok := message(e, say.badMessage)
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
			name, data, ok := message(e, say.badPrivate)
			if !ok {
				return
			}
			text := data.Message
			mu.Lock()
			id, ok := users[data.To]
			mu.Unlock()
			if !ok {
				socket.Emit("chatError", say.nobody(data.To))
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
				log.Println(lines.disconnected)
				return
			}
			mu.Lock()
			delete(users, name)
			names := online()
			mu.Unlock()
			log.Println(name, lines.left)
			io.Emit("users", names)
		})
	})
}
