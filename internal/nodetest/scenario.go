package nodetest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// ScenarioScript holds the official-client scenarios, in interop/node.
const ScenarioScript = "scenarios.mjs"

// ScenarioTimeout bounds one RunScenario; the script itself gives up after
// 25 s.
const ScenarioTimeout = 45 * time.Second

// Scenario describes one scenario of scenarios.mjs, as `--list-json` prints it.
type Scenario struct {
	// Name is what --scenario takes, e.g. "rooms-broadcast".
	Name string `json:"name"`
	// Serial is true when the scenario looks at server-wide state (client
	// count, broadcast to every client, restart): it must not run while other
	// scenarios use the same server.
	Serial bool `json:"serial"`
	// Ctrl lists the CTRL commands the scenario prints (e.g. "restart"); such
	// a scenario needs a ctrl handler in RunScenario.
	Ctrl []string `json:"ctrl"`
	// Summary says what the scenario asserts.
	Summary string `json:"summary"`
}

// Scenarios returns every scenario of scenarios.mjs, in its order.
// It must be called from the goroutine running t.
func Scenarios(t testing.TB) []Scenario {
	t.Helper()
	out := Run(t, ScenarioScript, "--list-json")
	var list []Scenario
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%s --list-json: %v\n%s", ScenarioScript, err, out)
	}
	if len(list) == 0 {
		t.Fatalf("%s --list-json listed no scenario", ScenarioScript)
	}
	return list
}

// RunScenario runs one scenario of scenarios.mjs with the official client
// against the server at url (e.g. "http://127.0.0.1:3000") and fails t unless
// it prints `PASS <name>` and exits 0 within ScenarioTimeout.
//
// When the scenario prints `CTRL <command>`, RunScenario calls ctrl(command)
// and, if it returns nil, answers `ok` on the scenario's stdin. ctrl may be
// nil for scenarios whose Ctrl list is empty. For "restart", ctrl must stop
// the server so that every connection drops without a Socket.IO DISCONNECT
// and start it again on the same port before returning.
//
// Lines starting with "INFO " are copied to the test log. RunScenario must be
// called from the goroutine running t.
func RunScenario(t testing.TB, url, name string, ctrl func(command string) error) {
	t.Helper()
	p := Start(t, ScenarioScript, "--url", url, "--scenario", name)
	drive(t, p, "scenario "+name, ScenarioTimeout, "PASS "+name, ctrl)
}

// drive reads p's stdout until p exits, within timeout: it answers each
// `CTRL <command>` line with `ok` once ctrl(command) returns nil, copies
// INFO lines to the test log, and fails t (naming the run what) unless p
// printed the line pass and exited 0.
func drive(t testing.TB, p *Proc, what string, timeout time.Duration, pass string, ctrl func(command string) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	fail := func(format string, args ...any) {
		t.Helper()
		p.Kill()
		p.markReported()
		t.Fatalf("%s: "+format+"\n%s", append(append([]any{what}, args...), p.Report())...)
	}
	passed := false
	for {
		line, err := p.NextLine(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail("%v", err)
		}
		switch {
		case strings.HasPrefix(line, "CTRL "):
			command := strings.TrimPrefix(line, "CTRL ")
			if ctrl == nil {
				fail("asked for CTRL %s, but got no ctrl handler", command)
			}
			if err := ctrl(command); err != nil {
				fail("CTRL %s: %v", command, err)
			}
			if err := p.Write("ok"); err != nil {
				fail("%v", err)
			}
		case strings.HasPrefix(line, "INFO "):
			t.Log(line)
		case line == pass:
			passed = true
		}
	}
	if code := p.Wait(); code != 0 || !passed {
		fail("exit code %d, %s line seen: %v", code, pass, passed)
	}
}
