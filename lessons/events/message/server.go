package message

import (
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is the message, in each language of the workbook: the learner's,
// from step.Lang (English by default).
var says = map[string]string{
	"en": "Sent a message 4 seconds after connection!",
	"es": "¡Mensaje enviado 4 segundos después de conectar!",
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, clientSays, disconnected string }{
	"en": {"A user connected", "The client says:", "A user disconnected"},
	"es": {"Un usuario se ha conectado", "El cliente dice:", "Un usuario se ha desconectado"},
}

// Setup sets up the step's server: four seconds after a client connects,
// the server sends it a message.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)

		// Send a message four seconds after the connection.
		// Send emits the event named "message".
		timer := time.AfterFunc(4*time.Second, func() {
			socket.Send(says[step.Lang(socket)])
		})

		// Messages can go the other way too.
		socket.On("message", func(e *sio.Event) {
			log.Println(lines.clientSays, e.Arg(0))
		})

		socket.OnDisconnect(func(reason sio.Reason) {
			timer.Stop() // no message for a client that has left
			log.Println(lines.disconnected)
		})
	})
}
