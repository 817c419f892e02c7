package main

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

// TestRecoveryWireMatchesOfficial plays one exchange by hand over WebSocket
// against workbook testserver --recovery and the official server with
// recovery on, and compares the frames once ids and offsets are masked: the
// CONNECT reply with sid and pid, the offset as the last argument of direct
// events, after the placeholders of a binary one, and none on an ack.
func TestRecoveryWireMatchesOfficial(t *testing.T) {
	nodetest.Setup(t)
	goURL, _ := recoveryTestServer(t, time.Minute)
	official := nodetest.StartRecoveryServer(t, time.Minute)
	ids := regexp.MustCompile(`"(sid|pid)":"[\w-]+"`)
	offset := regexp.MustCompile(`,"[\w-]+"\]$`)
	play := func(base string) []string {
		t.Helper()
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, never a slow one
		var got []string
		read := func() {
			t.Helper()
			for {
				typ, data, err := c.ReadMessage()
				if err != nil {
					t.Fatalf("%s: %v after %q", base, err, got)
				}
				if string(data) == "2" {
					_ = c.WriteMessage(websocket.TextMessage, []byte("3"))
					continue
				}
				s := string(data)
				if typ == websocket.BinaryMessage {
					s = fmt.Sprintf("<%x>", data)
				} else if strings.HasPrefix(s, "0{") {
					continue // the open packet: its settings differ
				}
				s = ids.ReplaceAllString(s, `"$1":"ID"`)
				s = offset.ReplaceAllString(s, `,"OFFSET"]`)
				got = append(got, s)
				return
			}
		}
		send := func(typ int, data string) {
			t.Helper()
			if err := c.WriteMessage(typ, []byte(data)); err != nil {
				t.Fatal(err)
			}
		}
		send(websocket.TextMessage, "40")
		read() // CONNECT reply
		read() // auth
		send(websocket.TextMessage, `42["message","x",{"n":1}]`)
		read()
		send(websocket.TextMessage, `421["echo",1]`)
		read()
		send(websocket.TextMessage, `451-["message","é😀",{"_placeholder":true,"num":0}]`)
		send(websocket.BinaryMessage, "\x01\x02")
		read()
		read()
		return got
	}
	want := []string{
		`40{"sid":"ID","pid":"ID"}`,
		`42["auth",{},"OFFSET"]`,
		`42["message-back","x",{"n":1},"OFFSET"]`,
		`431[1]`,
		`451-["message-back","é😀",{"_placeholder":true,"num":0},"OFFSET"]`,
		`<0102>`,
	}
	for name, url := range map[string]string{"official": official.URL, "workbook": goURL} {
		if got := play(url); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestTestServerRecoveryFlag: testserver --recovery turns connection state
// recovery on (the CONNECT reply carries a pid, events an offset); without
// it, neither.
func TestTestServerRecoveryFlag(t *testing.T) {
	for _, flags := range [][]string{nil, {"--recovery", "1m"}} {
		base := startCommand(t, append([]string{"testserver", "--addr", "127.0.0.1:0"}, flags...)...)
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, never a slow one
		var frames []string
		for len(frames) < 3 {
			if len(frames) == 1 {
				if err := c.WriteMessage(websocket.TextMessage, []byte("40")); err != nil {
					t.Fatal(err)
				}
			}
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("%v: %v after %q", flags, err, frames)
			}
			frames = append(frames, string(data))
		}
		c.Close()
		reply, auth := frames[1], frames[2]
		on := flags != nil
		if strings.Contains(reply, `"pid":"`) != on || (auth != `42["auth",{}]`) == !on {
			t.Errorf("%v: CONNECT reply %q, then %q", flags, reply, auth)
		}
	}
}
