package customevent

import (
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is the event's description, in each language of the workbook: the
// learner's, from step.Lang (English by default).
var says = map[string]string{
	"en": "A custom event named testerEvent!",
	"es": "¡Un evento propio llamado testerEvent!",
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, fromClient, disconnected string }{
	"en": {"A user connected", "testerEvent from the client:", "A user disconnected"},
	"es": {"Un usuario se ha conectado", "testerEvent del cliente:", "Un usuario se ha desconectado"},
}

// Setup sets up the step's server: four seconds after a client connects,
// the server emits a custom event, testerEvent, carrying an object.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)

		timer := time.AfterFunc(4*time.Second, func() {
			// Any name will do, and the data can be an object.
			socket.Emit("testerEvent", map[string]any{
				"description": says[step.Lang(socket)],
			})
		})

		// The same name works the other way: log what the client sends.
		socket.On("testerEvent", func(e *sio.Event) {
			log.Println(lines.fromClient, e.Arg(0))
		})

		socket.OnDisconnect(func(reason sio.Reason) {
			timer.Stop()
			log.Println(lines.disconnected)
		})
	})
}
