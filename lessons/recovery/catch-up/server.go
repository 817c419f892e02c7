package catchup

import (
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Config turns on connection state recovery: a client whose connection
// dropped, and that comes back within two minutes, gets its socket back
// (same id, same rooms) and the events it missed.
var Config = sio.Config{
	ConnectionStateRecovery: &sio.RecoveryConfig{MaxDisconnectionDuration: 2 * time.Minute},
}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ back, missedFirst, connected, counting, disconnected string }{
	"en": {"A user came back as", "- the missed events went first", "A user connected as", "Counting to 10 for", "A user disconnected:"},
	"es": {"Un usuario ha vuelto como", "- los eventos perdidos han llegado primero", "Un usuario se ha conectado como", "Contando hasta 10 para", "Un usuario se ha desconectado:"},
}

// Setup sets up the step's server: it says whether each client is new or
// came back, and on "count" sends that client the numbers 1 to 10, one
// every half second, whether it is connected at the time or not.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		if socket.Recovered() {
			log.Println(lines.back, socket.ID(), lines.missedFirst)
		} else {
			log.Println(lines.connected, socket.ID())
		}

		var counting atomic.Bool // one count at a time
		socket.On("count", func(*sio.Event) {
			if !counting.CompareAndSwap(false, true) {
				return
			}
			id := socket.ID()
			log.Println(lines.counting, id)
			for i := 1; i <= 10; i++ {
				time.AfterFunc(time.Duration(i)*500*time.Millisecond, func() {
					// To the socket's own room, not socket.Emit: a number
					// sent while the connection is down waits in the
					// server's log of packets for it to come back.
					io.To(id).Emit("number", i)
					if i == 10 {
						counting.Store(false)
					}
				})
			}
		})

		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println(lines.disconnected, reason)
		})
	})
}
