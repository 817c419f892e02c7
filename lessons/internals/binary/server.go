package binary

import (
	"crypto/sha256"
	"strconv"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ notBytes, got, bytesOver string }{
	"en": {"file needs bytes, got", "Got", "bytes over"},
	"es": {"file necesita bytes, y llega", "Llegan", "bytes por"},
}

// Setup sets up the step's server: it takes the bytes of a file event and
// answers with a digest event carrying their SHA-256, 32 bytes.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		socket.On("file", func(e *sio.Event) {
			// A binary argument arrives as a []byte.
			data, ok := e.Arg(0).([]byte)
			if !ok {
				log.Println(lines.notBytes, e.Arg(0))
				return
			}
			log.Println(lines.got, len(data), lines.bytesOver, socket.Transport(), "-", strconv.Quote(string(data)))

			// A []byte argument goes out as a binary attachment.
			sum := sha256.Sum256(data)
			socket.Emit("digest", sum[:])
		})
	})
}
