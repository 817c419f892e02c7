package sio_test

import (
	"fmt"
	"testing"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestOfficialClientScenarios runs every scenario of interop/node/scenarios.mjs
// (the official socket.io-client) against our server. The same scenarios
// pass against the official Node server (internal/nodetest), so each one
// checks that we behave as it does.
func TestOfficialClientScenarios(t *testing.T) {
	nodetest.Setup(t)
	list := nodetest.Scenarios(t)
	shared := fixture.Start(t, nil)
	t.Run("parallel", func(t *testing.T) {
		for _, sc := range list {
			if sc.Serial {
				continue
			}
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				nodetest.RunScenario(t, shared.URL(), sc.Name, nil)
			})
		}
	})
	for _, sc := range list {
		if !sc.Serial {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			f := fixture.Start(t, nil)
			nodetest.RunScenario(t, f.URL(), sc.Name, func(cmd string) error {
				if cmd != "restart" {
					return fmt.Errorf("unknown command %q", cmd)
				}
				return f.Restart()
			})
		})
	}
}
