package sio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestEIO3OfficialClientV2 runs the scenarios of interop/node/v2-scenarios.mjs
// (the official socket.io-client 2.5.0) against our server with AllowEIO3
// and, with the same scenarios, against the official server with
// allowEIO3, so that each one shows we answer a v2 client as it does. They
// run one at a time: the heartbeat scenario must not starve on a busy
// machine.
func TestEIO3OfficialClientV2(t *testing.T) {
	nodetest.Setup(t)
	names := strings.Fields(nodetest.Run(t, "v2-scenarios.mjs", "--list"))
	if len(names) == 0 {
		t.Fatal("v2-scenarios.mjs lists no scenario")
	}

	cfg := fixture.Config()
	cfg.AllowEIO3 = true
	io := fixture.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ours := httptest.NewServer(mux)
	t.Cleanup(func() {
		io.Close()
		ours.Close()
	})

	for _, server := range []struct{ name, url string }{{"ours", ours.URL}, {"official", startOfficialEIO3(t)}} {
		t.Run(server.name, func(t *testing.T) {
			for _, name := range names {
				t.Run(name, func(t *testing.T) {
					out := nodetest.Run(t, "v2-scenarios.mjs", "--url", server.url, "--scenario", name)
					if !strings.Contains(out, "PASS "+name) {
						t.Errorf("no PASS line:\n%s", out)
					}
				})
			}
		})
	}
}

// startOfficialEIO3 starts the official fixture (fixture-server.mjs) with
// allowEIO3 for the rest of the test and returns its URL.
func startOfficialEIO3(t *testing.T) string {
	t.Helper()
	node := nodetest.Start(t, nodetest.FixtureScript, "--port", "0", "--allow-eio3")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	line, err := node.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("the official fixture did not start: %v\n%s", err, node.Report())
	}
	return "http://127.0.0.1:" + strings.TrimSpace(strings.TrimPrefix(line, "LISTENING "))
}

// v3Poller is an Engine.IO v3 polling client by hand, for comparing bytes.
type v3Poller struct {
	t      *testing.T
	url    string // .../socket.io/?EIO=3&transport=polling
	sid    string
	client *http.Client
}

// do sends a request and returns "<status> <Content-Type> <body>", the sid
// replaced with SID.
func (p *v3Poller) do(method, body, contentType string) string {
	p.t.Helper()
	u := p.url
	if p.sid != "" {
		u += "&sid=" + p.sid
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	if p.sid == "" {
		var open struct{ SID string }
		if _, rest, ok := strings.Cut(string(b), ":0"); ok {
			json.Unmarshal([]byte(rest), &open)
		}
		p.sid = open.SID
	}
	out := string(b)
	if p.sid != "" {
		out = strings.ReplaceAll(out, p.sid, "SID")
	}
	return fmt.Sprintf("%d %s %q", res.StatusCode, res.Header.Get("Content-Type"), out)
}

// packets GETs until n packets other than pongs have come, and returns them.
func (p *v3Poller) packets(n int) []string {
	p.t.Helper()
	var got []string
	for len(got) < n {
		req, _ := http.NewRequest("GET", p.url+"&sid="+p.sid, nil)
		res, err := p.client.Do(req)
		if err != nil {
			p.t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		ps, err := engine.DecodePayloadV3(b, res.Header.Get("Content-Type") == "application/octet-stream")
		if res.StatusCode != 200 || err != nil {
			p.t.Fatalf("GET = %d %q: %v", res.StatusCode, b, err)
		}
		for _, pk := range ps {
			if pk.Type != engine.PacketPong {
				got = append(got, string(engine.AppendPacketV3(nil, pk)))
			}
		}
	}
	return got
}

func v3Text(packets ...string) string {
	var b strings.Builder
	for _, p := range packets {
		fmt.Fprintf(&b, "%d:%s", len(utf16.Encode([]rune(p))), p)
	}
	return b.String()
}

// TestEIO3WireMatchesOfficial plays one v3 polling exchange by hand against
// our fixture and the official one (both with allowEIO3) and compares what
// they answer, byte for byte (the sid aside): the handshake, the server's
// CONNECT to "/", a binary payload both ways, a heartbeat, lengths in UTF-16
// code units, and the end of the session.
func TestEIO3WireMatchesOfficial(t *testing.T) {
	nodetest.Setup(t)
	cfg := fixture.Config()
	cfg.AllowEIO3 = true
	io := fixture.New(cfg)
	ours := httptest.NewServer(io)
	t.Cleanup(func() {
		io.Close()
		ours.Close()
	})
	official := startOfficialEIO3(t)

	play := func(base string) []string {
		p := &v3Poller{t: t, url: base + "/socket.io/?EIO=3&transport=polling", client: &http.Client{Timeout: 5 * time.Second}}
		var out []string
		out = append(out, "handshake "+p.do("GET", "", ""))
		p.do("POST", v3Text("2"), "text/plain;charset=UTF-8")
		out = append(out, "connect "+strings.Join(p.packets(2), " "))
		bin, _ := engine.AppendPayloadV3(nil, []engine.Packet{
			{Type: engine.PacketMessage, Data: []byte(`51-["message",{"_placeholder":true,"num":0}]`)},
			{Type: engine.PacketMessage, Data: []byte{1, 2, 3}, Binary: true},
		}, true)
		out = append(out, "post binary "+p.do("POST", string(bin), "application/octet-stream"))
		out = append(out, "binary back "+p.do("GET", "", ""))
		out = append(out, "ping "+p.do("POST", v3Text("2"), "text/plain;charset=UTF-8")+" "+p.do("GET", "", ""))
		p.do("POST", v3Text(`42["message","é😀"]`), "text/plain;charset=UTF-8")
		out = append(out, "utf16 "+p.do("GET", "", ""))
		out = append(out, "close "+p.do("POST", v3Text("41", "1"), "text/plain;charset=UTF-8"))
		last := ""
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if last = p.do("GET", "", ""); strings.HasPrefix(last, "400 ") {
				break
			}
		}
		return append(out, "after close "+last)
	}
	want := play(official)
	got := play(ours.URL)
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Errorf("step %d:\nofficial: %s\nours:     %s", i, w, g)
		} else {
			t.Logf("same: %s", w)
		}
	}
}
