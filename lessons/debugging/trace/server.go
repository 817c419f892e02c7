package trace

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: it logs the debug pattern each client
// says it runs with, and answers a debugMe event by sending its data back
// as debugged, so that both sides have something to trace.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		pattern, _ := socket.Handshake().Auth["debug"].(string)
		if pattern == "" {
			log.Println("A user connected without a debug pattern")
		} else {
			log.Println("A user connected with the debug pattern", pattern)
		}

		socket.On("debugMe", func(e *sio.Event) {
			log.Println("debugMe from the client:", e.Arg(0))
			socket.Emit("debugged", e.Arg(0))
		})
	})
}
