package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/engine"
)

// recordAcks records session S through the recorder's API: an upgrade
// with its probe, heartbeats, an EVENT from the client acked 12ms later, one
// from the server acked 30ms later, one never acked, and a long payload;
// then the close. open leaves it open.
func (e *env) recordAcks(sid string, open bool) {
	e.t.Helper()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	pkt := func(typ engine.PacketType, data string) engine.Packet {
		return engine.Packet{Type: typ, Data: []byte(data)}
	}
	r := e.rec
	r.RecordOpen(at(0), sid, "/lessons/rooms/join/socket.io/", "c1", "10.0.0.1", "ua", "polling")
	r.RecordPacket(at(1), sid, engine.In, "polling", msg(`0`))
	r.RecordPacket(at(2), sid, engine.Out, "polling", pkt(engine.PacketPing, ""))
	r.RecordPacket(at(3), sid, engine.In, "polling", pkt(engine.PacketPong, ""))
	r.RecordPacket(at(4), sid, engine.In, "websocket", pkt(engine.PacketPing, "probe"))
	r.RecordPacket(at(5), sid, engine.Out, "websocket", pkt(engine.PacketPong, "probe"))
	r.RecordPacket(at(6), sid, engine.Out, "polling", pkt(engine.PacketNoop, ""))
	r.RecordPacket(at(10), sid, engine.In, "websocket", msg(`21["say","hello"]`))
	r.RecordPacket(at(22), sid, engine.Out, "websocket", msg(`31["ok"]`))
	r.RecordPacket(at(30), sid, engine.Out, "websocket", msg(`22["ask"]`))
	r.RecordPacket(at(60), sid, engine.In, "websocket", msg(`32[]`))
	r.RecordPacket(at(70), sid, engine.In, "websocket", msg(`23["lost"]`))
	r.RecordPacket(at(80), sid, engine.In, "websocket", msg(`2["big","`+strings.Repeat("x", 400)+`"]`))
	if !open {
		r.RecordClose(at(90), sid, "transport close")
	}
	e.flush()
}

// rowsOf returns the packet table's rows of a session page, by raw text.
func rowsOf(t *testing.T, body string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tr := range find(parse(t, body), byClass("wbi-pkt")) {
		c := cells(tr)
		raw := text(find(tr, byClass("wbi-raw"))[0])
		if d := find(tr, byTag("details")); len(d) > 0 {
			raw = "<long>"
		}
		out[strings.TrimSpace(raw)] = append(c, attr(tr, "id"))
	}
	return out
}

// TestSessionAcks: an EVENT with an ack id is linked to its ACK both ways,
// with the round trip, in the table and in the trace; an ack that never
// came is flagged once the session closed, and waits while it is open.
func TestSessionAcks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordAcks("S", false)
	e.recordAcks("O", true)
	body := e.getOK("/inspector/sessions/S")
	rows := rowsOf(t, body)
	const ack = 8 // the ack column
	for raw, want := range map[string]string{
		`421["say","hello"]`: "1 · 12ms", `431["ok"]`: "1 · 12ms",
		`422["ask"]`: "2 · 30ms", `432[]`: "2 · 30ms",
		`423["lost"]`: "3 · no ack",
	} {
		if r := rows[raw]; r == nil || r[ack] != want {
			t.Errorf("%s: ack cell %q, want %q", raw, r, want)
		}
	}
	doc := parse(t, body)
	// Each end links to the other's row.
	ev, ok := rows[`421["say","hello"]`], rows[`431["ok"]`]
	if links := find(doc, byAttr("href", "#"+ok[len(ok)-1])); len(links) != 1 {
		t.Errorf("no link from the EVENT to its ACK (%s)", ok[len(ok)-1])
	}
	if links := find(doc, byAttr("href", "#"+ev[len(ev)-1])); len(links) != 1 {
		t.Errorf("no link from the ACK to its EVENT (%s)", ev[len(ev)-1])
	}
	if n := len(find(doc, byClass("wbi-ack-missing"))); n != 1 {
		t.Errorf("%d missing acks flagged, want 1", n)
	}
	// The trace says it too.
	var trace []string
	for _, d := range find(doc, byClass("wbi-pkt-desc")) {
		trace = append(trace, text(d))
	}
	joined := strings.Join(trace, "\n")
	if !strings.Contains(joined, "EVENT say ack 1 (12ms)") || !strings.Contains(joined, "EVENT lost ack 3 (no ack)") {
		t.Errorf("the trace does not show the round trips:\n%s", joined)
	}
	// The open session waits for its ack.
	if r := rowsOf(t, e.getOK("/inspector/sessions/O"))[`423["lost"]`]; r == nil || r[ack] != "3 · waiting" {
		t.Errorf("open session, unanswered EVENT: %q", r)
	}
}

// TestSessionTable: the packet table hides heartbeats by default but shows
// the probe as such, filters by direction, type, namespace, event and
// text, folds long payloads, and says closed once closed.
func TestSessionTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordAcks("S", false)
	e.recordAcks("O", true)
	body := e.getOK("/inspector/sessions/S")
	rows := rowsOf(t, body)
	if rows["2"] != nil || rows["3"] != nil || rows["6"] != nil {
		t.Error("heartbeats shown by default")
	}
	if r := rows["2probe"]; r == nil || r[4] != "ping probe" {
		t.Errorf("2probe row %q", r)
	}
	if r := rows["3probe"]; r == nil || r[4] != "pong probe" {
		t.Errorf("3probe row %q", r)
	}
	if rows["<long>"] == nil {
		t.Error("the long payload is not folded")
	}
	hb := rowsOf(t, e.getOK("/inspector/sessions/S?hb=1"))
	if hb["2"] == nil || hb["3"] == nil || hb["6"] == nil {
		t.Error("?hb=1 does not show the heartbeats")
	}
	keys := func(m map[string][]string) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for q, want := range map[string][]string{
		"dir=out":                      {"3probe", `422["ask"]`, `431["ok"]`},
		"type=EVENT":                   {`421["say","hello"]`, `422["ask"]`, `423["lost"]`, "<long>"},
		"type=ping":                    {"2", "2probe"},
		"event=say":                    {`421["say","hello"]`},
		"q=hello":                      {`421["say","hello"]`},
		"nsp=/admin":                   nil,
		"dir=in&type=ACK":              {`432[]`},
		"type=EVENT&q=lost&event=lost": {`423["lost"]`},
	} {
		if got := keys(rowsOf(t, e.getOK("/inspector/sessions/S?"+q))); !slices.Equal(got, want) {
			t.Errorf("?%s: %q, want %q", q, got, want)
		}
	}
	if res, _ := e.get(nil, "/inspector/sessions/S?dir=up"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("?dir=up: status %d", res.StatusCode)
	}
	// Closed, not live; an open session joins the live feed.
	state := func(body string) string {
		st := find(parse(t, body), byClass("wbi-live"))
		if len(st) != 1 {
			t.Fatalf("%d live states", len(st))
		}
		return attr(st[0], "data-state")
	}
	if s := state(body); s != "closed" {
		t.Errorf("closed session: state %q", s)
	}
	if s := state(e.getOK("/inspector/sessions/O")); s != "connecting" {
		t.Errorf("open session: state %q", s)
	}
	// The session links to its lesson step and to its browser's sessions.
	doc := parse(t, body)
	if len(find(doc, byAttr("href", "/lessons/rooms/join/"))) != 1 || len(find(doc, byAttr("href", "/inspector/?client=c1"))) != 1 {
		t.Error("no link to the lesson step or to the browser's sessions")
	}
}

// TestSessionCharts: a session's charts are SVG with their numbers in
// words: events per second, bytes in and out, and the acks' round trips.
func TestSessionCharts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordAcks("S", false)
	doc := parse(t, e.getOK("/inspector/sessions/S"))
	summary := func(id string) string {
		t.Helper()
		fig := find(doc, byAttr("id", id))
		if len(fig) != 1 {
			t.Fatalf("no chart %s", id)
		}
		if len(find(fig[0], byTag("rect"))) == 0 {
			t.Errorf("%s: no bars", id)
		}
		return strings.Join(strings.Fields(text(find(fig[0], byClass("wbi-chart-summary"))[0])), " ")
	}
	if s := summary("wbi-chart-events"); !strings.Contains(s, "3 events from the client, 1 to it, over 90ms") {
		t.Errorf("events chart: %q", s)
	}
	if s := summary("wbi-chart-bytes"); !strings.Contains(s, "bytes in") {
		t.Errorf("bytes chart: %q", s)
	}
	if s := summary("wbi-chart-rtt"); !strings.Contains(s, "2 acks, mean 21ms, max 30ms, 1 never answered") {
		t.Errorf("round trips chart: %q", s)
	}
}

// TestSessionTablePaging: a session of 1,203 packets pages back by 500,
// every packet once, in order; newer pages walk forward.
func TestSessionTablePaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	const n = 1203
	e.rec.RecordOpen(t0, "P", "/socket.io/", "", "10.0.0.1", "ua", "websocket")
	for i := range n {
		e.rec.RecordPacket(t0.Add(time.Duration(i)*time.Millisecond), "P", engine.In, "websocket", msg(fmt.Sprintf(`2["n",%d]`, i)))
	}
	e.flush()
	page := func(path string) (ids []string, older, newer string) {
		t.Helper()
		doc := parse(t, e.getOK(path))
		for _, tr := range find(doc, byClass("wbi-pkt")) {
			ids = append(ids, attr(tr, "data-id"))
		}
		if a := find(doc, byClass("wbi-older")); len(a) > 0 {
			older = attr(a[0], "href")
		}
		if a := find(doc, byClass("wbi-newer")); len(a) > 0 {
			newer = attr(a[0], "href")
		}
		return ids, older, newer
	}
	var all []string
	var last string
	pages := 0
	for next := "/inspector/sessions/P"; next != ""; pages++ {
		ids, older, _ := page(next)
		if len(ids) > 500 {
			t.Fatalf("%d rows on a page", len(ids))
		}
		all = append(ids, all...)
		last, next = next, older
		if pages > 5 {
			t.Fatal("more pages than packets")
		}
	}
	if len(all) != n || all[0] != "1" || all[n-1] != fmt.Sprint(n) {
		t.Fatalf("pages back saw %d packets, %s to %s", len(all), all[0], all[len(all)-1])
	}
	for i := 1; i < len(all); i++ {
		if all[i] <= all[i-1] && len(all[i]) <= len(all[i-1]) {
			t.Fatalf("out of order at %d: %s after %s", i, all[i], all[i-1])
		}
	}
	var fwd []string
	ids, _, newer := page(last)
	fwd = append(fwd, ids...)
	for newer != "" {
		ids, _, newer = page(newer)
		fwd = append(fwd, ids...)
	}
	if !slices.Equal(fwd, all) {
		t.Errorf("pages forward saw %d packets", len(fwd))
	}
}
