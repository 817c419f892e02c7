package others

import (
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). As in the previous
// step, the workbook runs this server once per language, so a broadcast
// may take the language of this socket: the others read it too.
var says = map[string]struct {
	connected, disconnected, welcome, one string
	many                                  func(n int) string
}{
	"en": {"A user connected.", "A user disconnected.", "Hey, welcome!", "1 client connected!",
		func(n int) string { return strconv.Itoa(n) + " clients connected!" }},
	"es": {"Un usuario se ha conectado.", "Un usuario se ha desconectado.", "¡Hola, te damos la bienvenida!", "¡1 cliente conectado!",
		func(n int) string { return "¡" + strconv.Itoa(n) + " clientes conectados!" }},
}

// Setup sets up the step's server: a client that connects is welcomed,
// and every other client gets the new number of clients; when a client
// leaves, the others get the number again.
func Setup(io *sio.Server, log *step.Log) {
	var mu sync.Mutex // guards clients, as in the previous step
	clients := 0

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lang := step.Lang(socket)
		mu.Lock()
		clients++
		description := clientsConnected(clients, lang)
		log.Println(says[lang].connected, description)
		// socket.Emit: to this client only.
		socket.Emit("newclientconnect", map[string]any{"description": says[lang].welcome})
		// socket.Broadcast().Emit: to every client but this one.
		socket.Broadcast().Emit("newclientconnect", map[string]any{"description": description})
		mu.Unlock()

		socket.OnDisconnect(func(reason sio.Reason) {
			mu.Lock()
			clients--
			description := clientsConnected(clients, lang)
			log.Println(says[lang].disconnected, description)
			socket.Broadcast().Emit("newclientconnect", map[string]any{"description": description})
			mu.Unlock()
		})
	})
}

// clientsConnected says how many clients are connected, in lang: "1 client
// connected!", "2 clients connected!".
func clientsConnected(n int, lang string) string {
	if n == 1 {
		return says[lang].one
	}
	return says[lang].many(n)
}
