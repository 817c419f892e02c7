package others

import (
	"encoding/json"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"welcome", "others", "leave"}

// Check ticks the tasks from what the server sees:
//   - welcome: a client of this browser was welcomed;
//   - others: a client of this browser got the count, that is, heard of
//     another client arriving or leaving;
//   - leave: a client of this browser left while another of its clients
//     stayed, and so heard the count go down.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("newclientconnect", func(socket *sio.Socket, args []json.RawMessage) {
		var data struct {
			Description string `json:"description"`
		}
		if len(args) == 0 || json.Unmarshal(args[0], &data) != nil {
			return
		}
		if isWelcome(data.Description) {
			c.Done(socket, "welcome")
		} else {
			c.Done(socket, "others")
		}
	})
	io.OnConnection(func(socket *sio.Socket) {
		socket.OnDisconnect(func(sio.Reason) {
			if step.Connected(socket) >= 1 {
				c.Done(socket, "leave")
			}
		})
	})
}

// isWelcome reports whether a description is the welcome a new client
// gets, in any language (says); the others get a count.
func isWelcome(description string) bool {
	for _, say := range says {
		if description == say.welcome {
			return true
		}
	}
	return false
}
