package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
)

// TestRecoveryOffsetsReachV2Clients: with connection state recovery and
// Engine.IO v3 both on, the official socket.io-client 2.5.0
// (interop/node/v2-offsets.mjs) gets an offset as the last argument of a
// direct event, of a binary one, of a broadcast to everyone and of a
// broadcast to a room on "/custom", and none on an ack: from the official
// server (recovery-server.mjs --allow-eio3) and from workbook testserver
// --recovery --allow-eio3 alike, on both transports. Without recovery our
// server sends no offset.
func TestRecoveryOffsetsReachV2Clients(t *testing.T) {
	nodetest.Setup(t)
	official := nodetest.Start(t, nodetest.RecoveryServerScript, "--port", "0", "--recovery", "60000", "--allow-eio3")
	ctx, cancel := context.WithTimeout(t.Context(), clusterWait)
	defer cancel()
	line, err := official.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("%v\n%s", err, official.Report())
	}
	ours := func(recovery time.Duration) string {
		ts := NewTestServer(TestServerConfig{PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second,
			Recovery: recovery, AllowEIO3: true})
		srv := httptest.NewServer(ts)
		t.Cleanup(func() {
			srv.Close()
			ts.Close()
		})
		return srv.URL
	}
	const withOffsets = `{"bcast":["b","é😀","OFFSET"],"bcast-ack":[true],"message-back":["x",{"n":1},"OFFSET"],` +
		`"message-back-bin":[{"$bin":"010203"},"OFFSET"],"room-msg":[7,"OFFSET"]}`
	servers := []struct {
		name, url, want string
	}{
		{"official", "http://127.0.0.1:" + strings.TrimPrefix(line, "LISTENING "), withOffsets},
		{"workbook", ours(time.Minute), withOffsets},
		{"workbook-without-recovery", ours(0),
			`{"bcast":["b","é😀"],"bcast-ack":[true],"message-back":["x",{"n":1}],"message-back-bin":[{"$bin":"010203"}],"room-msg":[7]}`},
	}
	offset := regexp.MustCompile(`^[\w-]+$`)
	for _, srv := range servers {
		for _, transport := range []string{"websocket", "polling"} {
			t.Run(srv.name+"/"+transport, func(t *testing.T) {
				out := nodetest.Run(t, "v2-offsets.mjs", "--url", srv.url, "--transport", transport)
				_, res, ok := strings.Cut(out, "RESULT ")
				if !ok {
					t.Fatalf("no RESULT line:\n%s", out)
				}
				var got map[string][]any
				if err := json.Unmarshal([]byte(res), &got); err != nil {
					t.Fatalf("%v: %s", err, res)
				}
				// Offsets are opaque: any id-like string in the last place.
				for ev, args := range got {
					if ev == "bcast-ack" || !strings.Contains(srv.want, `"OFFSET"`) || len(args) == 0 {
						continue
					}
					if s, ok := args[len(args)-1].(string); ok && offset.MatchString(s) {
						args[len(args)-1] = "OFFSET"
					}
				}
				if b, _ := json.Marshal(got); string(b) != srv.want {
					t.Errorf("the v2 client got\n%s\nwant\n%s", b, srv.want)
				}
			})
		}
	}
}
