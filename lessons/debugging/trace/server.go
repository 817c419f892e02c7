package trace

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ noPattern, pattern, fromClient string }{
	"en": {"A user connected without a debug pattern", "A user connected with the debug pattern", "debugMe from the client:"},
	"es": {"Un usuario se ha conectado sin patrón de depuración", "Un usuario se ha conectado con el patrón de depuración", "debugMe del cliente:"},
}

// Setup sets up the step's server: it logs the debug pattern each client
// says it runs with, and answers a debugMe event by sending its data back
// as debugged, so that both sides have something to trace.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		pattern, _ := socket.Handshake().Auth["debug"].(string)
		if pattern == "" {
			log.Println(lines.noPattern)
		} else {
			log.Println(lines.pattern, pattern)
		}

		socket.On("debugMe", func(e *sio.Event) {
			log.Println(lines.fromClient, e.Arg(0))
			socket.Emit("debugged", e.Arg(0))
		})
	})
}
