package defaultns

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says is what the server says, in each language of the workbook: the
// learner's, from step.Lang (English by default). The workbook runs this
// server once per language, and a learner's clients reach the one of
// theirs, so everyone in "/" reads the language of this socket.
var says = map[string]struct{ connected, clientIn, says, hi string }{
	"en": {"someone connected to", "The client in", "says:", "Hello everyone!"},
	"es": {"alguien se ha conectado a", "El cliente de", "dice:", "¡Hola a todos!"},
}

// Setup sets up the step's server: every client that connects to the
// default namespace, "/", makes everyone in it get "hi".
func Setup(io *sio.Server, log *step.Log) {
	// io.OnConnection is short for io.Of("/").OnConnection.
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		say := says[step.Lang(socket)]
		log.Println(say.connected, socket.Namespace().Name())
		// io.Emit is short for io.Of("/").Emit: everyone in "/".
		io.Emit("hi", say.hi)

		// Events arrive in a namespace too: this socket is the client's
		// socket in "/", and hears only what the client emits there.
		socket.On("hi", func(e *sio.Event) {
			log.Println(say.clientIn, socket.Namespace().Name(), say.says, e.Arg(0))
		})
	})
}
