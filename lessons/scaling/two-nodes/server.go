package twonodes

import (
	"context"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// logLines is what the server logs about a client, in each language of
// the workbook: its learner's, from step.Lang (English by default).
var logLines = map[string]struct{ connected, joined, noRedis, nodes string }{
	"en": {"A user connected", "joined", "nodes: no answer from Redis:", "Nodes in the cluster:"},
	"es": {"Un usuario se ha conectado", "ha entrado en", "nodes: Redis no responde:", "Nodos en el clúster:"},
}

// Setup sets up one node. The workbook runs it twice, as node A and node
// B: two servers whose Config.NewAdapter is the Redis adapter on the same
// Redis, as two copies of one app behind a load balancer would be. Nothing
// here knows about the other node: io.Emit and io.To(room).Emit publish
// on Redis, and every node delivers to its own clients.
func Setup(io *sio.Server, log *step.Log) {
	io.OnConnection(func(socket *sio.Socket) {
		log := log.For(socket) // lines about this client: its learner's log shows them
		lines := logLines[step.Lang(socket)]
		log.Println(lines.connected)

		// To every client of every node.
		socket.On("chat message", func(e *sio.Event) {
			var msg string
			if e.Bind(&msg) != nil {
				return
			}
			log.Println("message:", msg)
			io.Emit("chat message", msg)
		})

		// A room lives on every node: a client of node B in "news" gets
		// what node A sends to the room.
		socket.On("join", func(e *sio.Event) {
			var room string
			if e.Bind(&room) != nil || room == "" {
				return
			}
			socket.Join(room)
			log.Println(lines.joined, room)
		})
		socket.On("news", func(e *sio.Event) {
			var msg string
			if e.Bind(&msg) != nil {
				return
			}
			log.Println("news:", msg)
			io.To("news").Emit("news", msg)
		})

		// How many nodes share the adapter: Redis counts the subscribers
		// of the cluster's request channel.
		socket.On("nodes", func(e *sio.Event) {
			ctx, cancel := context.WithTimeout(socket.Context(), 5*time.Second)
			defer cancel()
			n, err := io.ServerCount(ctx)
			if err != nil {
				log.Println(lines.noRedis, err)
				e.Ack(map[string]any{"error": err.Error()})
				return
			}
			log.Println(lines.nodes, n)
			e.Ack(map[string]any{"nodes": n})
		})
	})
}
