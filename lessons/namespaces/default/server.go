package defaultns

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: every client that connects to the
// default namespace, "/", makes everyone in it get "hi".
func Setup(io *sio.Server, log *step.Log) {
	// io.OnConnection is short for io.Of("/").OnConnection.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("someone connected to", socket.Namespace().Name())
		// io.Emit is short for io.Of("/").Emit: everyone in "/".
		io.Emit("hi", "Hello everyone!")

		// Events arrive in a namespace too: this socket is the client's
		// socket in "/", and hears only what the client emits there.
		socket.On("hi", func(e *sio.Event) {
			log.Println("The client in", socket.Namespace().Name(), "says:", e.Arg(0))
		})
	})
}
