package binary

import (
	"crypto/sha256"
	"strconv"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Setup sets up the step's server: it takes the bytes of a file event and
// answers with a digest event carrying their SHA-256, 32 bytes.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		socket.On("file", func(e *sio.Event) {
			// A binary argument arrives as a []byte.
			data, ok := e.Arg(0).([]byte)
			if !ok {
				log.Println("file needs bytes, got", e.Arg(0))
				return
			}
			log.Println("Got", len(data), "bytes over", socket.Transport(), "-", strconv.Quote(string(data)))

			// A []byte argument goes out as a binary attachment.
			sum := sha256.Sum256(data)
			socket.Emit("digest", sum[:])
		})
	})
}
