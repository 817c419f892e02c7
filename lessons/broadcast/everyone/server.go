package everyone

import (
	"strconv"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). The workbook runs this
// server once per language, and a learner's clients reach the one of
// theirs, so every client here reads the language of any other: a
// broadcast may take this socket's.
var says = map[string]struct {
	connected, disconnected, one string
	many                         func(n int) string
}{
	"en": {"A user connected.", "A user disconnected.", "1 client connected!",
		func(n int) string { return strconv.Itoa(n) + " clients connected!" }},
	"es": {"Un usuario se ha conectado.", "Un usuario se ha desconectado.", "¡1 cliente conectado!",
		func(n int) string { return "¡" + strconv.Itoa(n) + " clientes conectados!" }},
}

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
		lang := step.Lang(socket)
		mu.Lock()
		clients++
		description := clientsConnected(clients, lang)
		log.Println(says[lang].connected, description)
		// io.Emit: to every client connected, the new one included.
		io.Emit("broadcast", map[string]any{"description": description})
		mu.Unlock()

		socket.OnDisconnect(func(reason sio.Reason) {
			mu.Lock()
			clients--
			description := clientsConnected(clients, lang)
			log.Println(says[lang].disconnected, description)
			// This client is gone already: all the others hear it.
			io.Emit("broadcast", map[string]any{"description": description})
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
