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

// says holds what the server says to a client, in one language.
type says struct {
	nameLength, taken, noName, badMessage, messageLength string
	noRoom                                               func(room, rooms string) string
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
		messageLength: "A message needs 1 to 500 characters.",
	},
	"es": {
		nameLength: "Un nombre de usuario lleva de 1 a 20 caracteres.",
		taken:      ": ese nombre ya está en uso. Prueba con otro.",
		noRoom: func(room, rooms string) string {
			return "No hay ninguna sala " + strconv.Quote(room) + ". Las salas son " + rooms + "."
		},
		noName:        "Elige un nombre de usuario antes de enviar mensajes.",
		badMessage:    "Un mensaje es un objeto {message, user}.",
		messageLength: "Un mensaje lleva de 1 a 500 caracteres.",
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

// Setup sets up the step's server: a chat where each client picks a free
// username, chooses a room, and sends messages to everyone in that room.
// A name is free again once its owner disconnects. Whatever the server
// refuses, it says why with a "chatError" event.
func Setup(io *sio.Server, log *step.Log) {
	var mu sync.Mutex
	users := map[string]bool{} // the names in use on this server

	io.OnConnection(func(socket *sio.Socket) {
		log.Println("A user connected")
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
			taken := users[name] && name != old
			if !taken {
				delete(users, old) // a new name frees the old one
				users[name] = true
			}
			mu.Unlock()
			if taken {
				socket.Emit("userExists", name+say.taken)
				return
			}
			socket.SetData(name) // the socket's username, for the handlers below
			log.Println(name, "joined the chat")
			socket.Emit("userSet", map[string]string{"username": name})
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

		socket.On("msg", func(e *sio.Event) {
			name, _ := socket.Data().(string)
			if name == "" {
				socket.Emit("chatError", say.noName)
				return
			}
			var data struct {
				Message string `json:"message"`
				User    string `json:"user"`
			}
			if e.Bind(&data) != nil {
				socket.Emit("chatError", say.badMessage)
				return
			}
			text := strings.TrimSpace(data.Message)
			if n := utf8.RuneCountInString(text); n < 1 || n > maxMessage {
				socket.Emit("chatError", say.messageLength)
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
