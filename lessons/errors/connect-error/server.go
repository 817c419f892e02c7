package connecterror

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: a middleware lets in only the clients
// that bring the right token, and refuses the others with a reason and a
// hint. A client that asks to be kicked out is disconnected by the server.
func Setup(io *sio.Server, log *step.Log) {
	io.Use(func(socket *sio.Socket) error {
		log := log.For(socket) // lines about this client: its learner's log shows them
		token, _ := socket.Handshake().Auth["token"].(string)
		if token != "open sesame" {
			log.Println("Refused a client with the token", token)
			return &sio.ConnectError{
				Message: "not authorized",
				Data:    map[string]string{"hint": `connect with io({ auth: { token: "open sesame" } })`},
			}
		}
		return nil
	})

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("A user connected with the right token")
		socket.Emit("welcome", "You are in!")

		socket.On("kickMe", func(e *sio.Event) {
			log.Println("Kicking a user out, as asked")
			socket.Disconnect()
		})
		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println("A user disconnected:", reason)
		})
	})
}
