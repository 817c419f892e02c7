package serverasks

import (
	"encoding/json"
	"strings"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// Tasks are what the learner can try in this step, in the order the page
// lists them. Their text is in step.en.md and step.es.md ("task.<id>").
var Tasks = []string{"answer", "silent", "broadcast"}

// Check ticks the tasks from what the server sent:
//   - answer: a verdict on a client's answer to the question;
//   - silent: a verdict that no answer came in time;
//   - broadcast: the results of a poll that two clients or more answered.
func Check(io *sio.Server, c *step.Checker) {
	c.OnSent("verdict", func(socket *sio.Socket, args []json.RawMessage) {
		var verdict string
		if len(args) == 0 || json.Unmarshal(args[0], &verdict) != nil {
			return
		}
		for _, say := range says { // in any language
			switch {
			case strings.HasPrefix(verdict, say.answered):
				c.Done(socket, "answer")
			case verdict == say.silent:
				c.Done(socket, "silent")
			}
		}
	})
	c.OnSent("results", func(socket *sio.Socket, args []json.RawMessage) {
		var results struct{ Answers []any }
		if len(args) > 0 && json.Unmarshal(args[0], &results) == nil && len(results.Answers) >= 2 {
			c.Done(socket, "broadcast")
		}
	})
}
