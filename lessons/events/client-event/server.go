package clientevent

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: it logs whatever a client sends with
// the event clientEvent.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		socket.On("clientEvent", func(e *sio.Event) {
			log.Println(e.Arg(0))
		})
	})
}
