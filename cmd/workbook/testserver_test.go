package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/internal/nodetest"
)

// v3Open is the official server's answer to a v3 handshake with the suites'
// settings: the length of the open packet, then the packet.
var v3Open = regexp.MustCompile(`^(\d+):(0\{"sid":"[\w-]{20}","upgrades":\["websocket"\],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000\})$`)

// testserver --allow-eio3 serves socket.io-client 2.x on /socket.io/, with
// the room events on "/custom"; without the flag, v3 is refused as upstream.
func TestTestServerAllowEIO3(t *testing.T) {
	plain := startCommand(t, "testserver", "--addr", "127.0.0.1:0")
	if code, body := get(t, plain+"/socket.io/?EIO=3&transport=polling"); code != 400 || body != `{"code":5,"message":"Unsupported protocol version"}` {
		t.Errorf("v3 handshake without --allow-eio3: %d %s", code, body)
	}

	base := startCommand(t, "testserver", "--addr", "127.0.0.1:0", "--allow-eio3")
	code, body := get(t, base+"/socket.io/?EIO=3&transport=polling")
	m := v3Open.FindStringSubmatch(body)
	if code != 200 || m == nil || m[1] != strconv.Itoa(len(m[2])) {
		t.Fatalf("v3 handshake: %d %q", code, body)
	}
	if code, body := get(t, base+"/socket.io/?EIO=4&transport=polling"); code != 200 || !strings.HasPrefix(body, `0{"sid":"`) {
		t.Errorf("v4 handshake with --allow-eio3: %d %q", code, body)
	}

	nodetest.Setup(t)
	for _, name := range []string{"v2-custom-query", "v2-v4-broadcast", "v2-raw-handshake"} {
		t.Run(name, func(t *testing.T) {
			out := nodetest.Run(t, "v2-scenarios.mjs", "--url", base, "--scenario", name)
			if !strings.Contains(out, "PASS "+name) {
				t.Errorf("no PASS line:\n%s", out)
			}
		})
	}
}
