package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/engine"
)

// seqRows returns the sequence diagram's rows of a replay page, by label.
func seqRows(t *testing.T, body string) map[string]*html.Node {
	t.Helper()
	out := map[string]*html.Node{}
	for _, r := range find(parse(t, body), byClass("wbi-seq-row")) {
		out[text(find(r, byClass("wbi-seq-label"))[0])] = r
	}
	return out
}

// seqAck returns the ack element of a diagram row: its text, href and
// class ("" when it has none).
func seqAck(r *html.Node) (txt, href, class string) {
	a := find(r, byClass("wbi-seq-ack"))
	if len(a) == 0 {
		return "", "", ""
	}
	return strings.TrimSpace(text(a[0])), attr(a[0], "href"), attr(a[0], "class")
}

// TestReplayAcks: in the sequence diagram, an EVENT with an ack id and
// its ACK carry the round trip and link to each other, client → server and
// server → client; an ack that never came is flagged once the session
// closed, and waits while it is open. The replay's trace shows the round
// trip too.
func TestReplayAcks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordAcks("S", false)
	e.recordAcks("O", true)

	body := e.getOK("/inspector/sessions/S/replay")
	rows := seqRows(t, body)
	for _, c := range []struct{ event, ack, rtt string }{
		{"42 EVENT say ack 1", "43 ACK ack 1", "RTT 12ms"}, // client → server
		{"42 EVENT ask ack 2", "43 ACK ack 2", "RTT 30ms"}, // server → client
	} {
		ev, ack := rows[c.event], rows[c.ack]
		if ev == nil || ack == nil {
			t.Fatalf("no rows %q and %q in %v", c.event, c.ack, rows)
		}
		evID, ackID := attr(ev, "id"), attr(ack, "id")
		if evID != "wbi-seq-p"+attr(ev, "data-packet") || ackID != "wbi-seq-p"+attr(ack, "data-packet") {
			t.Errorf("%s: anchors %q and %q", c.event, evID, ackID)
		}
		if attr(ev, "data-ack-peer") != attr(ack, "data-packet") || attr(ack, "data-ack-peer") != attr(ev, "data-packet") {
			t.Errorf("%s: peers %q and %q", c.event, attr(ev, "data-ack-peer"), attr(ack, "data-ack-peer"))
		}
		if txt, href, _ := seqAck(ev); txt != c.rtt || href != "#"+ackID {
			t.Errorf("%s: ack %q → %q, want %q → #%s", c.event, txt, href, c.rtt, ackID)
		}
		if txt, href, _ := seqAck(ack); txt != c.rtt || href != "#"+evID {
			t.Errorf("%s: ack %q → %q, want %q → #%s", c.ack, txt, href, c.rtt, evID)
		}
	}
	if txt, href, class := seqAck(rows["42 EVENT lost ack 3"]); txt != "no ack" || href != "" || !strings.Contains(class, "wbi-seq-ack-missing") {
		t.Errorf("the lost ack: %q %q %q", txt, href, class)
	}
	if txt, _, _ := seqAck(rows["42 EVENT big"]); txt != "" {
		t.Errorf("an EVENT without an ack id has %q", txt)
	}
	if !strings.Contains(body, "say ack 1 (12ms)") {
		t.Error("the replay's trace does not show the round trip")
	}

	// Open, the lost ack may still come; in Spanish, the flag is too.
	rows = seqRows(t, e.getOK("/inspector/sessions/O/replay"))
	if txt, _, class := seqAck(rows["42 EVENT lost ack 3"]); txt != "waiting" || strings.Contains(class, "missing") {
		t.Errorf("the open session's lost ack: %q %q", txt, class)
	}
	rows = seqRows(t, e.getOK("/inspector/sessions/S/replay?lang=es"))
	if txt, _, _ := seqAck(rows["42 EVENT lost ack 3"]); txt != "sin ack" {
		t.Errorf("in Spanish: %q", txt)
	}
}

// TestReplayAcksAcrossPages: an EVENT on one replay page whose ACK is on
// the next still shows the round trip, and links to the replay opened at
// the ACK; the ACK links back the same way.
func TestReplayAcksAcrossPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	r := e.rec
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	r.RecordOpen(at(0), "L", "/socket.io/", "c1", "10.0.0.1", "ua", "websocket")
	r.RecordPacket(at(1), "L", engine.In, "websocket", msg(`0`))
	r.RecordPacket(at(2), "L", engine.In, "websocket", msg(`27["slow"]`))
	// More than a replay page of heartbeats between the EVENT and its ACK.
	for i := range 2100 {
		r.RecordPacket(at(3+i), "L", engine.Out, "websocket", engine.Packet{Type: engine.PacketPing})
	}
	r.RecordPacket(at(5000), "L", engine.Out, "websocket", msg(`37["done"]`))
	r.RecordClose(at(5001), "L", "transport close")
	e.flush()

	rows := seqRows(t, e.getOK("/inspector/sessions/L/replay"))
	ev := rows["42 EVENT slow ack 7"]
	if ev == nil || rows["43 ACK ack 7"] != nil {
		t.Fatal("the first page should hold the EVENT and not its ACK")
	}
	txt, href, _ := seqAck(ev)
	u, err := url.Parse(href)
	if err != nil || txt != "RTT 5s" || u.Path != "/inspector/sessions/L/replay" || u.Query().Get("packet") != attr(ev, "data-ack-peer") || u.Fragment != "wbi-seq-p"+attr(ev, "data-ack-peer") {
		t.Fatalf("the EVENT's ack on the first page: %q → %q", txt, href)
	}
	rows = seqRows(t, e.getOK(href))
	ack := rows["43 ACK ack 7"]
	if ack == nil || rows["42 EVENT slow ack 7"] != nil {
		t.Fatal("the ACK's page should hold it and not the EVENT")
	}
	txt, href, _ = seqAck(ack)
	if u, _ := url.Parse(href); txt != "RTT 5s" || u.Query().Get("packet") != attr(ev, "data-packet") {
		t.Errorf("the ACK's link back: %q → %q", txt, href)
	}
}
