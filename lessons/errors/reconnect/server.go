package reconnect

import (
	"sync/atomic"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Config holds the settings this step's server is created with: a short
// heartbeat, so that a server that has gone silent shows within seconds.
// It pings every 2 seconds and waits 2 more for the answer.
var Config = sio.Config{PingInterval: 2 * time.Second, PingTimeout: 2 * time.Second}

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, sinceStart, disconnected string }{
	"en": {"A user connected: connection", "since the server started", "A user disconnected:"},
	"es": {"Un usuario se ha conectado: conexión", "desde que arrancó el servidor", "Un usuario se ha desconectado:"},
}

// Setup sets up the step's server: it numbers the connections it has seen
// since it started, tells each client its number, and logs why each one
// went away.
func Setup(io *sio.Server, log *step.Log) {
	var connections atomic.Int64 // lives as long as the server does

	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		n := connections.Add(1)
		log.Println(lines.connected, n, lines.sinceStart)
		socket.Emit("welcome", n)

		socket.OnDisconnect(func(reason sio.Reason) {
			log.Println(lines.disconnected, reason)
		})
	})
}
