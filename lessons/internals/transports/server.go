package transports

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ the, connectedOver, upgraded string }{
	"en": {"The", "client connected over", "client upgraded: the server now sees it on"},
	"es": {"El cliente", "se ha conectado por", "ha cambiado de transporte: el servidor ahora lo ve en"},
}

// Setup sets up the step's server: it logs the transport each client
// started with, and the one the server sees it on once the client says it
// has upgraded.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		// The client names itself in auth, only so that the log can say
		// which of the page's three clients this is.
		name, _ := socket.Handshake().Auth["name"].(string)

		// The transport of the handshake request (?transport=...), the one
		// the client started with.
		first := socket.Handshake().Query.Get("transport")
		log.Println(lines.the, name, lines.connectedOver, first)

		// socket.Transport() is the transport the socket is on now.
		socket.On("upgraded", func(*sio.Event) {
			log.Println(lines.the, name, lines.upgraded, socket.Transport())
		})
	})
}
