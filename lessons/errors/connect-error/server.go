package connecterror

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says holds what the server tells a client, in each language of the
// workbook: the learner's, from step.Lang (English by default).
var says = map[string]struct{ refused, hint, welcome string }{
	"en": {"not authorized", `connect with io({ auth: { token: "open sesame" } })`, "You are in!"},
	"es": {"no autorizado", `conéctate con io({ auth: { token: "open sesame" } })`, "¡Estás dentro!"},
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ refused, connected, kicking, disconnected string }{
	"en": {"Refused a client with the token", "A user connected with the right token", "Kicking a user out, as asked", "A user disconnected:"},
	"es": {"Rechazado un cliente con el token", "Un usuario se ha conectado con el token correcto", "Echando a un usuario, como ha pedido", "Un usuario se ha desconectado:"},
}

// Setup sets up the step's server: a middleware lets in only the clients
// that bring the right token, and refuses the others with a reason and a
// hint. A client that asks to be kicked out is disconnected by the server.
func Setup(io *sio.Server, log *step.Log) {
	io.Use(func(socket *sio.Socket) error {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		token, _ := socket.Handshake().Auth["token"].(string)
		if token != "open sesame" {
			log.Println(lines.refused, token)
			say := says[step.Lang(socket)]
			return &sio.ConnectError{
				Message: say.refused,
				Data:    map[string]string{"hint": say.hint},
			}
		}
		return nil
	})

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)
		socket.Emit("welcome", says[step.Lang(socket)].welcome)

		socket.On("kickMe", func(e *sio.Event) {
			log.Println(lines.kicking)
			socket.Disconnect()
		})
		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println(lines.disconnected, reason)
		})
	})
}
