package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// actClient starts interop/node/act-client.mjs (the official client) on
// url and returns it with its Engine.IO session id, once it is ready.
func actClient(t *testing.T, url string, args ...string) (*nodetest.Proc, string) {
	t.Helper()
	p := nodetest.Start(t, "act-client.mjs", append([]string{"--url", url}, args...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	line, err := p.WaitLine(ctx, "READY ")
	if err != nil {
		t.Fatalf("act-client: %v\n%s", err, p.Report())
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		t.Fatalf("act-client: %q", line)
	}
	return p, f[1]
}

// waitLine waits for the client's next line with prefix.
func waitLine(t *testing.T, p *nodetest.Proc, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	line, err := p.WaitLine(ctx, prefix)
	if err != nil {
		t.Fatalf("waiting for %q: %v\n%s", prefix, err, p.Report())
	}
	return line
}

// actResponse is what POST .../act answers a script.
type actResponse struct {
	Action string `json:"action"`
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Answer *struct {
		Replies  []json.RawMessage `json:"replies"`
		TimedOut bool              `json:"timedOut"`
	} `json:"answer"`
}

// postAct sends an action as act.js does.
func postAct(t *testing.T, base, sid string, form url.Values) (int, actResponse) {
	t.Helper()
	req, err := http.NewRequest("POST", base+web.Prefix+"sessions/"+sid+"/act", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(web.ActHeader, "1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out actResponse
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%d %s: %v", res.StatusCode, b, err)
	}
	return res.StatusCode, out
}

// waitSessionPage waits until the inspector shows session sid live, with
// its forms.
func waitSessionPage(t *testing.T, base, sid string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := get(t, base+web.Prefix+"sessions/"+sid)
		if code == http.StatusOK && strings.Contains(body, `id="wbi-act-emit"`) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session page has no action forms after 60 s: %d\n%s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitOutput runs the command until its output holds every one of want.
func waitOutput(t *testing.T, want []string, args ...string) string {
	t.Helper()
	res := make([]string, len(want))
	for i, w := range want {
		res[i] = regexp.QuoteMeta(w)
	}
	return waitMatch(t, res, args...)
}

// waitMatch runs the workbook with args until its output matches every
// regular expression of res, for up to a minute, and returns the output.
func waitMatch(t *testing.T, res []string, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, _, err := runErr(args...)
		missing := ""
		for _, re := range res {
			if !regexp.MustCompile(re).MatchString(out) {
				missing = re
				break
			}
		}
		if err == nil && missing == "" {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("workbook %s: %v; nothing matches %s in\n%s", strings.Join(args, " "), err, missing, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestActOnServe: from the session page of workbook serve, an official
// client gets an event and its ack answer is shown, joins a room and gets
// an event sent to it, and is disconnected with the server's reason; every
// action is recorded (the packets, sio's "join room" line and the
// inspector's own lines); a form sent without JavaScript works from the
// page's origin and not from another.
func TestActOnServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "act.db")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	p, sid := actClient(t, wb.URL)
	waitSessionPage(t, wb.URL, sid)

	code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "nsp": {"/"}, "event": {"greet"},
		"args": {`["hi", 1.5, {"a": [true, null]}]`}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
		string(res.Answer.Replies[0]) != `{"args":["hi",1.5,{"a":[true,null]}],"got":"greet"}` {
		t.Fatalf("emit: %d %+v %+v", code, res, res.Answer)
	}
	if line := waitLine(t, p, "EVENT "); line != `EVENT greet ["hi",1.5,{"a":[true,null]}]` {
		t.Errorf("the client got %q", line)
	}

	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"join"}, "room": {"r1"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("join: %d %+v", code, res)
	}
	code, res = postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "to": {"room"}, "room": {"r1"}, "event": {"roomy"},
		"args": {`[1]`}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 {
		t.Fatalf("emit to r1: %d %+v", code, res)
	}
	if line := waitLine(t, p, "EVENT "); line != `EVENT roomy [1]` {
		t.Errorf("the client got %q", line)
	}
	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"leave"}, "room": {"r1"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("leave: %d %+v", code, res)
	}
	// Out of r1, the next emit to it reaches nobody: the ack's wait ends
	// at once with no answer, and the client gets nothing (the "all" emit
	// after it is the next event it sees).
	code, res = postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "to": {"room"}, "room": {"r1"}, "event": {"roomy"},
		"ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 0 || res.Answer.TimedOut {
		t.Fatalf("emit to r1 after leave: %d %+v", code, res)
	}
	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "to": {"all"}, "event": {"everyone"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("emit to all: %d %+v", code, res)
	}
	if line := waitLine(t, p, "EVENT "); line != `EVENT everyone []` {
		t.Errorf("the client got %q", line)
	}

	// Bad input: a clear error, nothing sent.
	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"x"}, "args": {`{"a":1}`}}); code != http.StatusBadRequest || !strings.Contains(res.Error, "JSON array") {
		t.Errorf("args not an array: %d %+v", code, res)
	}
	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"join"}, "nsp": {"/nowhere"}, "room": {"r"}}); code != http.StatusBadRequest || !strings.Contains(res.Error, "no socket in namespace /nowhere") {
		t.Errorf("join in a namespace the session is not in: %d %+v", code, res)
	}

	// A form without JavaScript: no header, the page's Origin.
	form := url.Values{"action": {"join"}, "room": {"r2"}}
	for _, tc := range []struct {
		origin string
		want   int
	}{{wb.URL, http.StatusOK}, {"http://evil.example", http.StatusForbidden}, {"", http.StatusForbidden}} {
		req, _ := http.NewRequest("POST", wb.URL+web.Prefix+"sessions/"+sid+"/act", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != tc.want || tc.want == http.StatusOK && !strings.Contains(string(b), `data-state="ok"`) {
			t.Errorf("form from origin %q: %d\n%s", tc.origin, r.StatusCode, b)
		}
	}

	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"disconnect"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("disconnect: %d %+v", code, res)
	}
	if line := waitLine(t, p, "DISCONNECT "); line != "DISCONNECT io server disconnect" {
		t.Errorf("the client says %q", line)
	}

	// Recorded: the events and the acks, sio's lines about the rooms, and
	// the inspector's lines saying who made them.
	waitOutput(t, []string{`greet`, `roomy`, `everyone`}, "packets", "--db", db, "--session", sid)
	waitOutput(t, []string{"join room [r1]", "leave room r1", "join room [r2]",
		`workbook:inspector`, `emit \"greet\" to the socket of /`, "disconnect / from the inspector"},
		"export", "--db", db, "--session", sid, "--debug-lines")
	// Closed, the page offers no forms, and an action is refused.
	waitSessionEnded(t, db, sid)
	if _, body := get(t, wb.URL+web.Prefix+"sessions/"+sid); strings.Contains(body, `id="wbi-act-emit"`) {
		t.Error("a closed session's page has the action forms")
	}
	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"late"}}); code != http.StatusConflict || res.Error == "" {
		t.Errorf("emit to a closed session: %d %+v", code, res)
	}
}

// TestActOnLessonStep: the inspector of workbook serve acts on the
// sessions of the lessons' servers too: an official client of the
// rooms/join step, which puts it in room-1, gets an event sent to that
// room, and its ack comes back.
func TestActOnLessonStep(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "act.db"))
	p, sid := actClient(t, wb.URL, "--path", "/lessons/rooms/join/socket.io/")
	// The step puts it in room-1 and says so, before or after READY (which
	// waits for the upgrade): read what it printed, not the lines to come.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.Stdout(), "EVENT connectToRoom ") {
		if time.Now().After(deadline) {
			t.Fatalf("the client was not told its room:\n%s", p.Report())
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitSessionPage(t, wb.URL, sid)
	code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "to": {"room"}, "room": {"room-1"}, "event": {"hello-room"},
		"ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
		string(res.Answer.Replies[0]) != `{"args":[],"got":"hello-room"}` {
		t.Fatalf("emit to room-1: %d %+v", code, res)
	}
	if line := waitLine(t, p, "EVENT hello-room "); line != "EVENT hello-room []" {
		t.Errorf("the client got %q", line)
	}
}

// TestActThroughProxy: through workbook proxy, the inspector plays the
// server toward an official client: an injected event reaches it, its ack
// is shown, recorded, and not forwarded to the target (ours, which says
// what it got; or the official server); rooms are refused with the
// reason; a disconnect gives the client the server's reason; a session on
// polling says it cannot be acted on.
func TestActThroughProxy(t *testing.T) {
	t.Run("node", func(t *testing.T) {
		fx := nodetest.StartFixture(t)
		actThroughProxy(t, fx.URL)
	})
	t.Run("go", func(t *testing.T) {
		acks := make(chan uint64, 16)
		left := make(chan struct{}, 16)
		// A short ping interval: a polling GET is answered at the latest
		// with a ping, and the injected packets go out with it.
		io := sio.NewServer(sio.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second, Observer: &sio.Observer{SocketPacket: func(_ string, dir engine.Direction, p *parser.Packet) {
			switch {
			case dir == engine.In && (p.Type == parser.Ack || p.Type == parser.BinaryAck):
				acks <- p.ID
			case dir == engine.In && p.Type == parser.Disconnect:
				left <- struct{}{}
			}
		}}})
		target := httptest.NewServer(io)
		t.Cleanup(func() { io.Close(); target.Close() })
		actThroughProxy(t, target.URL)
		// The DISCONNECT the proxy sends the target comes on the same
		// WebSocket after the client's ack: an ack forwarded would be here.
		select {
		case <-left:
		case <-time.After(60 * time.Second):
			t.Fatal("the target got no DISCONNECT from the proxy")
		}
		select {
		case id := <-acks:
			t.Errorf("the target got an ack, id %d", id)
		default:
		}
	})
}

func actThroughProxy(t *testing.T, target string) {
	db := filepath.Join(t.TempDir(), "proxy.db")
	wb := startWorkbook(t, "proxy", "--target", target, "--addr", "127.0.0.1:0", "--db", db)
	p, sid := actClient(t, wb.URL)
	waitSessionPage(t, wb.URL, sid)

	code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"injected"},
		"args": {`["hi", {"n": 1}]`}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
		string(res.Answer.Replies[0]) != `{"args":["hi",{"n":1}],"got":"injected"}` {
		t.Fatalf("emit: %d %+v", code, res)
	}
	// (The official fixture greets the client with "auth" first.)
	if line := waitLine(t, p, "EVENT injected "); line != `EVENT injected ["hi",{"n":1}]` {
		t.Errorf("the client got %q", line)
	}
	// A BINARY_ACK is caught with its attachment: the answer shows its
	// placeholder.
	code, res = postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"want-binary"}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
		string(res.Answer.Replies[0]) != `{"_placeholder":true,"num":0}` {
		t.Fatalf("emit want-binary: %d %+v", code, res)
	}
	for _, form := range []url.Values{
		{"action": {"join"}, "room": {"r"}},
		{"action": {"emit"}, "to": {"room"}, "room": {"r"}, "event": {"x"}},
		{"action": {"emit"}, "to": {"all"}, "event": {"x"}},
	} {
		if code, res := postAct(t, wb.URL, sid, form); code != http.StatusConflict || !strings.Contains(res.Error, "rooms live in the target server") {
			t.Errorf("%v: %d %+v", form, code, res)
		}
	}
	body := waitSessionPage(t, wb.URL, sid)
	if !strings.Contains(body, `id="wbi-act-norooms"`) {
		t.Error("the page does not say why rooms are out of reach")
	}

	// On long-polling, the injected event goes out with the target's next
	// answer to a GET, and the ack is taken out of the client's POST; a
	// disconnect is refused with the reason.
	pp, psid := actClient(t, wb.URL, "--transports", "polling")
	waitSessionPage(t, wb.URL, psid)
	code, res = postAct(t, wb.URL, psid, url.Values{"action": {"emit"}, "event": {"polled"},
		"args": {`[3]`}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
		string(res.Answer.Replies[0]) != `{"args":[3],"got":"polled"}` {
		t.Fatalf("emit on polling: %d %+v", code, res)
	}
	if line := waitLine(t, pp, "EVENT polled "); line != `EVENT polled [3]` {
		t.Errorf("the polling client got %q", line)
	}
	code, res = postAct(t, wb.URL, psid, url.Values{"action": {"emit"}, "event": {"want-binary"}, "ack": {"1"}, "timeout": {"30"}})
	if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 {
		t.Fatalf("emit want-binary on polling: %d %+v", code, res)
	}
	waitOutput(t, []string{"polled", "want-binary"}, "packets", "--db", db, "--session", psid)
	// A disconnect goes the same way, and the target hears the client
	// leave from the proxy.
	if code, res := postAct(t, wb.URL, psid, url.Values{"action": {"disconnect"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("disconnect on polling: %d %+v", code, res)
	}
	if line := waitLine(t, pp, "DISCONNECT "); line != "DISCONNECT io server disconnect" {
		t.Errorf("the polling client says %q", line)
	}
	pp.Stop()
	waitMatch(t, []string{`out\s+polling\s+message\s+DISCONNECT\s+/`, `in\s+polling\s+message\s+DISCONNECT\s+/`},
		"packets", "--db", db, "--session", psid, "--width", "0")
	// Closing the connection: the DISCONNECT first, in an answer of its
	// own (the close packet, which the client would take first in the
	// same answer, follows on its next GET: TestDisconnectOnPolling in
	// inspector/proxy; act-client.mjs exits at the DISCONNECT).
	cp, csid := actClient(t, wb.URL, "--transports", "polling")
	waitSessionPage(t, wb.URL, csid)
	if code, res := postAct(t, wb.URL, csid, url.Values{"action": {"disconnect"}, "close": {"1"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("disconnect and close on polling: %d %+v", code, res)
	}
	if line := waitLine(t, cp, "DISCONNECT "); line != "DISCONNECT io server disconnect" {
		t.Errorf("the polling client, its connection closed, says %q", line)
	}
	cp.Stop()
	waitMatch(t, []string{`out\s+polling\s+message\s+DISCONNECT\s+/`}, "packets", "--db", db, "--session", csid, "--width", "0")

	if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"disconnect"}}); code != http.StatusOK || !res.OK {
		t.Fatalf("disconnect: %d %+v", code, res)
	}
	if line := waitLine(t, p, "DISCONNECT "); line != "DISCONNECT io server disconnect" {
		t.Errorf("the client says %q", line)
	}
	// Recorded: the injected event going out, the caught ack coming in, the
	// DISCONNECT both ways, and the inspector's lines.
	out := waitOutput(t, []string{`injected`, `2000000000`, "DISCONNECT"}, "packets", "--db", db, "--session", sid, "--width", "0")
	for _, re := range []string{
		`out\s+websocket\s+message\s+EVENT\s+/\s+injected\s+2000000000\b.*\["hi",\{"n":1\}\]`,
		`in\s+websocket\s+message\s+ACK\s+/\s+-\s+2000000000\b`,
		`out\s+websocket\s+message\s+DISCONNECT\s+/`,
		`in\s+websocket\s+message\s+DISCONNECT\s+/`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no packet matches %s:\n%s", re, out)
		}
	}
	waitOutput(t, []string{`workbook:inspector`, `emit \"injected\" to the socket of /`}, "export", "--db", db, "--session", sid, "--debug-lines")
}

// TestActThroughProxyEIO3 acts through the proxy on the official
// socket.io-client 2.5.0 (Engine.IO v3), on long-polling and on WebSocket:
// the injected event reaches the client, its ack is caught, and a
// disconnect ends it.
func TestActThroughProxyEIO3(t *testing.T) {
	// A short ping interval: a v3 client pings at that pace, and the
	// server's pong answers the pending GET, with the injected packets.
	io := sio.NewServer(sio.Config{AllowEIO3: true, PingInterval: 300 * time.Millisecond, PingTimeout: 5 * time.Second})
	target := httptest.NewServer(io)
	t.Cleanup(func() { io.Close(); target.Close() })
	db := filepath.Join(t.TempDir(), "proxy.db")
	wb := startWorkbook(t, "proxy", "--target", target.URL, "--addr", "127.0.0.1:0", "--db", db)
	for _, transports := range []string{"polling", "polling,websocket"} {
		t.Run(transports, func(t *testing.T) {
			p, sid := actClient(t, wb.URL, "--v2", "--transports", transports)
			waitSessionPage(t, wb.URL, sid)
			code, res := postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"injected"},
				"args": {`[3, "v2"]`}, "ack": {"1"}, "timeout": {"30"}})
			if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
				string(res.Answer.Replies[0]) != `{"args":[3,"v2"],"got":"injected"}` {
				t.Fatalf("emit: %d %+v", code, res)
			}
			if line := waitLine(t, p, "EVENT injected "); line != `EVENT injected [3,"v2"]` {
				t.Errorf("the client got %q", line)
			}
			// The 2.x client's binary ack comes as a BINARY_ACK with its
			// attachment.
			code, res = postAct(t, wb.URL, sid, url.Values{"action": {"emit"}, "event": {"want-binary"}, "ack": {"1"}, "timeout": {"30"}})
			if code != http.StatusOK || !res.OK || res.Answer == nil || len(res.Answer.Replies) != 1 ||
				string(res.Answer.Replies[0]) != `{"_placeholder":true,"num":0}` {
				t.Fatalf("emit want-binary: %d %+v", code, res)
			}
			if code, res := postAct(t, wb.URL, sid, url.Values{"action": {"disconnect"}}); code != http.StatusOK || !res.OK {
				t.Fatalf("disconnect: %d %+v", code, res)
			}
			if line := waitLine(t, p, "DISCONNECT "); line != "DISCONNECT io server disconnect" {
				t.Errorf("the client says %q", line)
				out, _, _ := runErr("packets", "--db", db, "--session", sid, "--width", "0")
				t.Log(out)
			}
			tr := strings.Split(transports, ",")
			waitMatch(t, []string{`out\s+` + tr[len(tr)-1] + `\s+message\s+EVENT\s+/\s+injected\b`, `in\s+\w+\s+message\s+BINARY_ACK\b`},
				"packets", "--db", db, "--session", sid, "--width", "0")
		})
	}
}
