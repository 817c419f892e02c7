package handshake

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: it logs each connection with its two
// ids, logs chat events, and answers add events through their ack.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		// Two ids: the Engine.IO session's (the open packet's sid), and the
		// socket's in the namespace (the sid of the 40 packet).
		log.Println("A user connected: session", socket.SessionID(), "socket", socket.ID())

		socket.On("chat", func(e *sio.Event) {
			log.Println("chat:", e.Arg(0))
		})

		socket.On("add", func(e *sio.Event) {
			var a, b float64
			if err := e.Bind(&a, &b); err != nil {
				log.Println("add needs two numbers:", err)
				return
			}
			log.Println("add:", a, "+", b, "- the sum goes back in the ack")
			e.Ack(a + b)
		})
	})
}
