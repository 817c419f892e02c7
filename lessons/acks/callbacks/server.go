package callbacks

import (
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says holds the answers' words, in each language of the workbook: the
// learner's, from step.Lang (English by default).
var says = map[string]struct{ needNumbers, late string }{
	"en": {"add needs two numbers", "done, 2 s later"},
	"es": {"add necesita dos números", "hecho, 2 s después"},
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, badAdd, slow string }{
	"en": {"A user connected", "add needs two numbers", "slow: the answer leaves in 2 s"},
	"es": {"Un usuario se ha conectado", "add necesita dos números", "slow: la respuesta sale en 2 s"},
}

// Setup sets up the step's server: add answers with the sum, or with an
// error when it did not get two numbers; slow answers two seconds late.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)
		say := says[step.Lang(socket)]

		// The client's callback is the event's ack: e.Ack(...) calls it,
		// with these arguments, on the client.
		socket.On("add", func(e *sio.Event) {
			if !e.HasAck() {
				return // nobody to answer
			}
			var a, b *float64 // nil: missing, or null
			if err := e.Bind(&a, &b); err != nil || a == nil || b == nil {
				log.Println(lines.badAdd)
				e.Ack(map[string]any{"error": say.needNumbers})
				return
			}
			log.Println("add:", *a, "+", *b)
			e.Ack(map[string]any{"sum": *a + *b})
		})

		// An ack may come later, from any goroutine: here, after 2 s.
		socket.On("slow", func(e *sio.Event) {
			log.Println(lines.slow)
			time.AfterFunc(2*time.Second, func() { e.Ack(say.late) })
		})
	})
}
