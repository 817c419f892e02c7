package custom

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). The workbook runs this
// server once per language, and a learner's clients reach the one of
// theirs, so everyone in a namespace reads the language of this socket.
var says = map[string]struct{ connected, hi string }{
	"en": {"someone connected to", "Hello everyone!"},
	"es": {"alguien se ha conectado a", "¡Hola a todos!"},
}

// Setup sets up the step's server: every client that connects to the
// namespace /my-namespace makes everyone in that namespace get "hi".
func Setup(io *sio.Server, log *step.Log) {
	// A namespace of our own. Clients join it with io("/my-namespace").
	nsp := io.Of("/my-namespace")
	nsp.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		say := says[step.Lang(socket)]
		log.Println(say.connected, socket.Namespace().Name())
		// nsp.Emit: everyone in /my-namespace, and nobody else.
		nsp.Emit("hi", say.hi)
	})

	// The default namespace is still there, with handlers of its own.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		log.Println(says[step.Lang(socket)].connected, socket.Namespace().Name())
	})
}
