package serverasks

import (
	"context"
	"fmt"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// says holds what the server asks and answers one client, in each
// language of the workbook: the learner's, from step.Lang (English by
// default).
var says = map[string]struct{ question, answered, silent string }{
	"en": {"What is 6 × 7?", "you answered ", "no answer within 3 s"},
	"es": {"¿Cuánto es 6 × 7?", "contestaste ", "ninguna respuesta en 3 s"},
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, asking, noAnswer, answered, polling, pollTimeout, poll, answers string }{
	"en": {"A user connected", "Asking: what is 6 × 7?", "No answer within 3 s", "The client answered", "Polling every client", "Poll: the timeout passed with", "Poll:", "answers"},
	"es": {"Un usuario se ha conectado", "Preguntando: ¿cuánto es 6 × 7?", "Sin respuesta en 3 s", "El cliente ha respondido", "Preguntando a todos los clientes", "Encuesta: el plazo ha pasado con", "Encuesta:", "respuestas"},
}

// Setup sets up the step's server: on "ask me" it asks that client a
// question and waits 3 s at most for the answer; on "poll" it asks every
// client at once and gathers their answers, for 3 s at most.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)
		say := says[step.Lang(socket)]

		// A function last asks the client for an answer; with Timeout it
		// gets an error instead when none comes in time.
		socket.On("ask me", func(*sio.Event) {
			log.Println(lines.asking)
			socket.Timeout(3*time.Second).Emit("question", say.question, func(args []any, err error) {
				if err != nil {
					log.Println(lines.noAnswer)
					socket.Emit("verdict", say.silent)
					return
				}
				var answer any
				if len(args) > 0 {
					answer = args[0]
				}
				log.Println(lines.answered, answer)
				socket.Emit("verdict", fmt.Sprint(say.answered, answer))
			})
		})

		// A broadcast that gathers every client's answer. EmitWithAck
		// waits, so it runs on a goroutine of its own.
		socket.On("poll", func(*sio.Event) {
			log.Println(lines.polling)
			go func() {
				answers, err := io.Timeout(3*time.Second).EmitWithAck(context.Background(), "vote", "Tabs or spaces?")
				if answers == nil {
					answers = []any{}
				}
				if err != nil {
					log.Println(lines.pollTimeout, len(answers), lines.answers)
				} else {
					log.Println(lines.poll, len(answers), lines.answers)
				}
				socket.Emit("results", map[string]any{"answers": answers, "complete": err == nil})
			}()
		})
	})
}
