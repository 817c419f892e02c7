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
//	srv := httptest.NewServer(handler)
//	t.Cleanup(srv.Close) // not defer: parallel subtests run after the function returns
//	url := srv.URL
//	for _, sc := range nodetest.Scenarios(t) {
//		t.Run(sc.Name, func(t *testing.T) {
//			if !sc.Serial {
//				t.Parallel()
//			}
//			nodetest.RunScenario(t, url, sc.Name, restart)
//		})
//	}
//
// Serial scenarios run one by one inside the loop; the parallel ones start
// only once the function returns, so a serial one never shares the server.
//
// Every entry point calls Setup first. Setup skips the test when node or npm
// is missing (it fails it instead when the environment variable CI is
// non-empty) and installs interop/node/node_modules from the committed
// package-lock.json when it is missing or stale, holding a file lock so that
// test binaries running in parallel install only once.
//
// The package needs a Unix-like system (process groups, flock).
package nodetest
