package transports

import (
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"polling", "websocket", "upgrade"}

// Check ticks the tasks from what the server sees, once the learner asks
// for it: a connection of one of the page's clients made by its "Connect
// again" button (auth.again), never the three the page opens by itself.
//   - polling: the "polling only" client of this browser connected again
//     over polling;
//   - websocket: a client of this browser connected again over WebSocket
//     from the start (its handshake was a WebSocket);
//   - upgrade: a client of this browser that connected again over polling
//     said it had upgraded, and its packet came over WebSocket.
func Check(io *sio.Server, c *step.Checker) {
	io.OnConnection(func(socket *sio.Socket) {
		if again, _ := socket.Handshake().Auth["again"].(bool); !again {
			return
		}
		name, _ := socket.Handshake().Auth["name"].(string)
		first := socket.Handshake().Query.Get("transport")
		switch {
		case first == "polling" && name == "polling only":
			c.Done(socket, "polling")
		case first == "websocket":
			c.Done(socket, "websocket")
		}
		socket.On("upgraded", func(*sio.Event) {
			if first == "polling" && socket.Transport() == "websocket" {
				c.Done(socket, "upgrade")
			}
		})
	})
}
