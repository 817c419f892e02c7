package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
)

// recoveryTestServer serves the testserver with --recovery d and records
// the sockets it lets go of, once their sessions are kept.
func recoveryTestServer(t *testing.T, d time.Duration) (string, *nodetest.Departures) {
	t.Helper()
	// A slow heartbeat: a ping timeout on a busy machine is recoverable,
	// but would cut a connection the test did not mean to.
	ts := NewTestServer(TestServerConfig{PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second, Recovery: d})
	gone := &nodetest.Departures{}
	for _, nsp := range []string{"/", "/custom"} {
		ts.io.Of(nsp).OnConnection(func(s *sio.Socket) {
			// Disconnect handlers run once the session is kept.
			s.OnDisconnect(func(sio.Reason) { gone.Mark(s.ID()) })
		})
	}
	srv := httptest.NewServer(ts)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return srv.URL, gone
}

// TestRecoveryOfficialClient: socket.io-client 4.8 against workbook
// testserver --recovery and against the official server with recovery on,
// on both transports and on "/" and "/custom": recovered false at first;
// the transport cut from the client side twice in a row while another
// client sends to its room and to everyone, then recovered with the same
// id, the missed events in order and its rooms kept; a new session once the
// duration has passed; none after the client's own disconnect().
func TestRecoveryOfficialClient(t *testing.T) {
	nodetest.Setup(t)
	const short = time.Second
	type server struct {
		url  string
		gone *nodetest.Departures
	}
	servers := map[string][2]server{} // name -> long duration, short duration
	goLong, goLongGone := recoveryTestServer(t, time.Minute)
	goShort, goShortGone := recoveryTestServer(t, short)
	servers["workbook"] = [2]server{{goLong, goLongGone}, {goShort, goShortGone}}
	nodeLong, nodeShort := nodetest.StartRecoveryServer(t, time.Minute), nodetest.StartRecoveryServer(t, short)
	servers["official"] = [2]server{{nodeLong.URL, nodeLong.Gone}, {nodeShort.URL, nodeShort.Gone}}
	for _, name := range []string{"workbook", "official"} {
		for _, nsp := range []string{"/", "/custom"} {
			for _, transport := range []string{"polling", "websocket"} {
				for _, c := range []string{"recover", "expiry", "client-disconnect"} {
					label := map[string]string{"/": "root", "/custom": "custom"}[nsp]
					t.Run(name+"/"+label+"/"+transport+"/"+c, func(t *testing.T) {
						t.Parallel()
						srv := servers[name][0]
						if c == "expiry" {
							srv = servers[name][1]
						}
						nodetest.RunRecoveryClient(t, srv.url, srv.gone, "--case", c, "--nsp", nsp,
							"--transport", transport, "--recovery-ms", "1000")
					})
				}
			}
		}
	}
}
