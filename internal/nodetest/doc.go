// Package nodetest runs the Node.js side of the interop tests: the official
// socket.io and socket.io-client npm packages, pinned in interop/node, driven
// from Go tests.
//
// The simplest use runs one script to completion:
//
//	out := nodetest.Run(t, "scenarios.mjs", "--list")
//
// Start runs a script in the background, reads its stdout line by line and
// writes to its stdin; the process is killed when the test ends:
//
//	p := nodetest.Start(t, "fixture-server.mjs", "--port", "0")
//	line, err := p.WaitLine(ctx, "LISTENING ")
//
// StartFixture wraps the official reference server (interop/node/
// fixture-server.mjs) and Scenarios/RunScenario run the official client
// scenarios (interop/node/scenarios.mjs) against any server that implements
// the fixture contract, ours included:
//
//	for _, sc := range nodetest.Scenarios(t) {
//		t.Run(sc.Name, func(t *testing.T) {
//			if !sc.Serial {
//				t.Parallel()
//			}
//			nodetest.RunScenario(t, url, sc.Name, restart)
//		})
//	}
//
// Every entry point calls Setup first. Setup skips the test when node or npm
// is missing (it fails it instead when the environment variable CI is
// non-empty) and installs interop/node/node_modules from the committed
// package-lock.json when it is missing or stale, holding a file lock so that
// test binaries running in parallel install only once.
//
// The package needs a Unix-like system (process groups, flock).
package nodetest
