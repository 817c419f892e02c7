package step

import "github.com/sioworkbook/workbook/sio"

// Fault is a failure the workbook causes on a step's server when the
// learner presses one of the step page's fault buttons. A step offers the
// faults it lists in the registry (a Faults variable beside Tasks in its
// checks.go); the workbook, not the step's server.go, carries them out.
type Fault string

// The faults a step can offer.
const (
	// FaultCut cuts the connections of the browser's clients on the
	// step's server with no close packet, as a network failure would: the
	// clients see "transport close" (or "transport error") and reconnect.
	FaultCut Fault = "cut"
	// FaultStopPings stops the server's heartbeat for the browser's
	// clients: hearing no ping, each gives up after pingInterval +
	// pingTimeout with "ping timeout", and reconnects.
	FaultStopPings Fault = "stop-pings"
	// FaultRestart plays a restart of the step's server to the browser's
	// clients: they are disconnected, their connections are refused for a
	// few seconds, then let in again. Restarting the server itself (every
	// client on the step, Setup and Check again) takes the inspector's
	// token.
	FaultRestart Fault = "restart"
)

// Faults lists every fault, in the order a step page shows their buttons.
var Faults = []Fault{FaultCut, FaultStopPings, FaultRestart}

// Caused records that the workbook caused fault f to the clients of
// browser, so that BackAfter can tell when one of them is back. The
// workbook calls it; a step's Check has no need to.
func (c *Checker) Caused(browser string, f Fault) {
	if browser == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults[browser] == nil {
		c.faults[browser] = map[Fault]bool{}
	}
	c.faults[browser][f] = true
}

// BackAfter reports whether s is a client of a browser that fault f was
// caused to (see Caused), connecting since: the client came back. It is
// true once per fault caused, then false until the fault is caused again.
// Call it from a connection handler.
func (c *Checker) BackAfter(s *sio.Socket, f Fault) bool {
	b := Browser(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.faults[b][f] {
		return false
	}
	delete(c.faults[b], f)
	return true
}
