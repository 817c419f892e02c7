package app

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"name", "taken", "message", "other", "html", "room", "reuse", "typing", "online", "private"}

// Check ticks the tasks from what the server sees:
//   - name: a client of this browser got "userSet";
//   - taken: a client of this browser got "userExists";
//   - message: a client of this browser got its own message back;
//   - other: a client of this browser got someone else's message;
//   - html: a message with "<" and ">" in it went out to a client of this
//     browser (the page shows it as text);
//   - room: a client of this browser moved to a room other than the first;
//   - reuse: a client of this browser got a name that a closed client of
//     this browser had freed;
//
// and the homework's, optional:
//   - typing: a named client of this browser said it is typing;
//   - online: a client of this browser got a list of two names or more;
//   - private: a client of this browser sent a private message to
//     another user (the server sent the sender its copy).
func Check(io *sio.Server, c *step.Checker) {
	var mu sync.Mutex
	// browser -> name -> the client of this browser that was last given
	// it. "reuse" ticks when a name comes back to another client while the
	// one that had it is closed: Connected() turns false before any
	// disconnect handler runs, so the server freeing the name (on its own
	// goroutine, or a learner's JavaScript server on its loop) cannot come
	// first. A client that had closed by the time the checker got to its
	// name (one given a name and closed at once) is kept with a nil socket:
	// closed.
	type holder struct {
		session string
		socket  *sio.Socket
	}
	holders := map[string]map[string]holder{}

	c.OnSentTo("userSet", func(ev step.Sent) {
		// Done while the socket is there, as before: it builds the
		// socket's handshake here (step.Browser). Leaving that to a later
		// Done on another goroutine made Eva's "typing" go missing in the
		// Chromium run under load, a stall not yet understood.
		done := func(task string) {
			if ev.Socket != nil {
				c.Done(ev.Socket, task)
			} else {
				c.DoneFor(ev.Browser, task)
			}
		}
		done("name")
		var data struct {
			Username string `json:"username"`
		}
		if ev.Browser == "" || len(ev.Args) == 0 || json.Unmarshal(ev.Args[0], &data) != nil {
			return
		}
		mu.Lock()
		if holders[ev.Browser] == nil {
			holders[ev.Browser] = map[string]holder{}
		}
		prev, had := holders[ev.Browser][data.Username]
		holders[ev.Browser][data.Username] = holder{session: ev.SessionID, socket: ev.Socket}
		mu.Unlock()
		if had && prev.session != ev.SessionID && (prev.socket == nil || !prev.socket.Connected()) {
			done("reuse")
		}
	})
	c.OnSent("userExists", func(socket *sio.Socket, _ []json.RawMessage) {
		c.Done(socket, "taken")
	})
	c.OnSent("newmsg", func(socket *sio.Socket, args []json.RawMessage) {
		var data struct {
			Message string `json:"message"`
			User    string `json:"user"`
		}
		if len(args) == 0 || json.Unmarshal(args[0], &data) != nil {
			return
		}
		if name, _ := socket.Data().(string); name != "" && name == data.User {
			c.Done(socket, "message")
		} else {
			c.Done(socket, "other")
		}
		if strings.Contains(data.Message, "<") && strings.Contains(data.Message, ">") {
			c.Done(socket, "html")
		}
	})
	c.OnSent("roomJoined", func(socket *sio.Socket, args []json.RawMessage) {
		var room string
		if len(args) > 0 && json.Unmarshal(args[0], &room) == nil && room != rooms[0] {
			c.Done(socket, "room")
		}
	})
	c.OnSent("users", func(socket *sio.Socket, args []json.RawMessage) {
		var names []string
		if len(args) > 0 && json.Unmarshal(args[0], &names) == nil && len(names) >= 2 {
			c.Done(socket, "online")
		}
	})
	c.OnSent("private", func(socket *sio.Socket, args []json.RawMessage) {
		var data struct{ From, To string }
		if len(args) == 0 || json.Unmarshal(args[0], &data) != nil {
			return
		}
		if name, _ := socket.Data().(string); name != "" && name == data.From && data.To != data.From {
			c.Done(socket, "private")
		}
	})
	io.OnConnection(func(socket *sio.Socket) {
		socket.On("typing", func(e *sio.Event) {
			if name, _ := socket.Data().(string); name != "" && e.Arg(0) == true {
				c.Done(socket, "typing")
			}
		})
	})
}
