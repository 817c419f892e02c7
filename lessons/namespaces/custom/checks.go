package custom

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"join", "everyone", "both"}

// Check ticks the tasks from what the server sees:
//   - join: the server sent "hi" to a client of this browser in
//     /my-namespace;
//   - everyone: a client of this browser connected to /my-namespace while
//     another of its clients was in it, which then got "hi" again;
//   - both: a client of this browser is in "/" and in /my-namespace over
//     one connection (one Engine.IO session).
func Check(io *sio.Server, c *step.Checker) {
	nsp := io.Of("/my-namespace")
	c.OnSent("hi", func(socket *sio.Socket, _ []json.RawMessage) {
		if socket.Namespace().Name() == nsp.Name() {
			c.Done(socket, "join")
		}
	})
	nsp.OnConnection(func(socket *sio.Socket) {
		if step.Connected(socket) >= 2 {
			c.Done(socket, "everyone")
		}
		if sameConnection(socket, io.MainNamespace()) {
			c.Done(socket, "both")
		}
	})
	io.OnConnection(func(socket *sio.Socket) {
		if sameConnection(socket, nsp) {
			c.Done(socket, "both")
		}
	})
}

// sameConnection reports whether a socket of other shares the Engine.IO
// session of s: the same client, multiplexing the two namespaces.
func sameConnection(s *sio.Socket, other *sio.Namespace) bool {
	for _, o := range other.Sockets() {
		if o.SessionID() == s.SessionID() && o.Connected() {
			return true
		}
	}
	return false
}
