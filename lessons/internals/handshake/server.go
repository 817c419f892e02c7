package handshake

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, badAdd, sumBack string }{
	"en": {"A user connected: session", "add needs two numbers:", "- the sum goes back in the ack"},
	"es": {"Un usuario se ha conectado: sesión", "add necesita dos números:", "- la suma vuelve en el ack"},
}

// Setup sets up the step's server: it logs each connection with its two
// ids, logs chat events, and answers add events through their ack.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		// Two ids: the Engine.IO session's (the open packet's sid), and the
		// socket's in the namespace (the sid of the 40 packet).
		log.Println(lines.connected, socket.SessionID(), "socket", socket.ID())

		socket.On("chat", func(e *sio.Event) {
			log.Println("chat:", e.Arg(0))
		})

		socket.On("add", func(e *sio.Event) {
			var a, b float64
			if err := e.Bind(&a, &b); err != nil {
				log.Println(lines.badAdd, err)
				return
			}
			log.Println("add:", a, "+", b, lines.sumBack)
			e.Ack(a + b)
		})
	})
}
