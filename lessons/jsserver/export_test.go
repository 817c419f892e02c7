package jsserver

import "time"

// ScriptSockets returns how many sockets the script's API keeps, read on
// the loop; -1 when the loop did not answer.
func (in *Instance) ScriptSockets() int {
	n := -1
	in.call(5*time.Second, func() { n = len(in.api.sockets) })
	return n
}
