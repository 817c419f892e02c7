package custom

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: every client that connects to the
// namespace /my-namespace makes everyone in that namespace get "hi".
func Setup(io *sio.Server, log *step.Log) {
	// A namespace of our own. Clients join it with io("/my-namespace").
	nsp := io.Of("/my-namespace")
	nsp.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("someone connected to", socket.Namespace().Name())
		// nsp.Emit: everyone in /my-namespace, and nobody else.
		nsp.Emit("hi", "Hello everyone!")
	})

	// The default namespace is still there, with handlers of its own.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println("someone connected to", socket.Namespace().Name())
	})
}
