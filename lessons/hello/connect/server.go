package connect

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server logs, in each language of the workbook: the
// learner's, from step.Lang (English by default).
var says = map[string]struct{ connected, disconnected string }{
	"en": {"A user connected", "A user disconnected"},
	"es": {"Un usuario se ha conectado", "Un usuario se ha desconectado"},
}

// Setup sets up the step's server: it logs every client that connects and
// every client that leaves.
func Setup(io *sio.Server, log *step.Log) {
	// Runs once for every client that connects.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		say := says[step.Lang(socket)]
		log.Println(say.connected)

		// Runs once when this client leaves: page closed or reloaded,
		// network gone, or socket.disconnect() in the browser.
		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println(say.disconnected)
		})
	})
}
