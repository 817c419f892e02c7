package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/engine"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.Local)

func msg(s string) engine.Packet { return engine.Packet{Type: engine.PacketMessage, Data: []byte(s)} }

// recordSearchable records, through the recorder's API, sessions A (a
// lesson step, event join and its ack, closed cleanly), B (a
// CONNECT_ERROR, then a ping timeout) and C (open, event chat), and n more
// plain ones before them, closed.
func (e *env) recordSearchable(n int) {
	e.t.Helper()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for i := range n {
		sid := fmt.Sprintf("p%03d", i)
		e.rec.RecordOpen(at(-10000+i), sid, "/socket.io/", "", "10.0.0.9", "ua", "websocket")
		e.rec.RecordClose(at(-10000+i), sid, "transport close")
	}
	e.rec.RecordOpen(at(0), "A", "/lessons/rooms/join/socket.io/", "c1", "10.0.0.1", "ua", "polling")
	e.rec.RecordPacket(at(3), "A", engine.In, "polling", msg(`21["join","r1"]`))
	e.rec.RecordPacket(at(9), "A", engine.Out, "polling", msg(`31[true]`))
	e.rec.RecordClose(at(20), "A", "transport close")
	e.rec.RecordOpen(at(30), "B", "/socket.io/", "c2", "10.0.0.2", "ua", "websocket")
	e.rec.RecordPacket(at(32), "B", engine.Out, "websocket", msg(`4/admin,{"message":"no"}`))
	e.rec.RecordPacket(at(33), "B", engine.In, "websocket", msg(`2["chat","hi"]`))
	e.rec.RecordClose(at(40), "B", "ping timeout")
	e.rec.RecordOpen(at(50), "C", "/socket.io/", "c2", "10.0.0.2", "ua", "websocket")
	e.rec.RecordPacket(at(51), "C", engine.In, "websocket", msg(`2["chat","yo"]`))
	e.flush()
}

// listed returns the sessions a page of the list shows, in order, and the
// links of its pager.
func (e *env) listed(path string) (sids []string, older, newer string) {
	e.t.Helper()
	res, body := e.get(nil, path)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("%s: status %d\n%s", path, res.StatusCode, body)
	}
	doc := parse(e.t, body)
	for _, tr := range find(doc, byClass("wbi-session")) {
		sids = append(sids, attr(tr, "data-sid"))
	}
	if a := find(doc, byAttr("id", "wbi-older")); len(a) > 0 {
		older = attr(a[0], "href")
	}
	if a := find(doc, byAttr("id", "wbi-newer")); len(a) > 0 {
		newer = attr(a[0], "href")
	}
	return sids, older, newer
}

// TestSessionsFilters: each filter of the sessions list, from its query
// parameter, shows the sessions it selects and keeps its value in the form;
// the classroom's link (?client=) is one of them.
func TestSessionsFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordSearchable(0)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"C", "B", "A"}},
		{"path=rooms/join", []string{"A"}},
		{"path=/lessons/", []string{"A"}},
		{"path=/socket.io/", []string{"C", "B"}},
		{"client=c2", []string{"C", "B"}},
		{"addr=10.0.0.1", []string{"A"}},
		{"reason=ping+timeout", []string{"B"}},
		{"error=1", []string{"B"}},
		{"event=chat", []string{"C", "B"}},
		{"event=join", []string{"A"}},
		{"state=open", []string{"C"}},
		{"state=closed", []string{"B", "A"}},
		{"since=" + t0.Add(30*time.Millisecond).Format(time.RFC3339Nano), []string{"C", "B"}},
		{"until=" + t0.Add(time.Millisecond).Format(time.RFC3339Nano), []string{"A"}},
		{"client=c2&error=1", []string{"B"}},
		{"event=nothing", nil},
	} {
		got, _, _ := e.listed("/inspector/?" + c.query)
		if !slices.Equal(got, c.want) {
			t.Errorf("?%s: %v, want %v", c.query, got, c.want)
		}
	}
	// The form keeps the filter, so that the next one starts from it.
	_, body := e.get(nil, "/inspector/?event=chat&error=1&state=closed")
	doc := parse(t, body)
	if in := find(doc, byAttr("name", "event")); len(in) != 1 || attr(in[0], "value") != "chat" {
		t.Error("the event box lost its value")
	}
	if in := find(doc, byAttr("name", "error")); len(in) != 1 || !hasAttr(in[0], "checked") {
		t.Error("the error box is not checked")
	}
	// Each lesson session links to its lesson step.
	if len(find(parse(t, e.getOK("/inspector/?client=c1")), byAttr("href", "/lessons/rooms/join/"))) != 1 {
		t.Error("no link to the lesson step")
	}
}

// TestSessionsBadFilter: a filter that cannot be read is answered 400 with
// what is wrong, and the form to fix it.
func TestSessionsBadFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	for _, q := range []string{"since=yesterday", "until=12:00", "state=maybe", "error=yes", "before=x", "after=1.x"} {
		res, body := e.get(nil, "/inspector/?"+q)
		name, _, _ := strings.Cut(q, "=")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The filter is wrong: "+name) {
			t.Errorf("?%s: status %d, body without the error", q, res.StatusCode)
		}
		if len(find(parse(t, body), byAttr("id", "wbi-filter"))) != 1 {
			t.Errorf("?%s: no form", q)
		}
	}
}

// TestSessionsPaging: following "older" from the first page to the last
// sees every session once, newest first, and "newer" walks back; the
// filter stays in the links.
func TestSessionsPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	const n = 250
	e.recordSearchable(n)
	var all []string
	var pages []string
	next := "/inspector/"
	for next != "" {
		pages = append(pages, next)
		got, older, _ := e.listed(next)
		if len(got) == 0 || len(got) > 100 {
			t.Fatalf("%s: %d rows", next, len(got))
		}
		all = append(all, got...)
		next = older
		if len(pages) > 10 {
			t.Fatal("more pages than sessions")
		}
	}
	want := []string{"C", "B", "A"}
	for i := n - 1; i >= 0; i-- {
		want = append(want, fmt.Sprintf("p%03d", i))
	}
	if !slices.Equal(all, want) {
		t.Fatalf("paging back saw %d sessions, want %d:\n%v", len(all), len(want), all)
	}
	// From the last page, newer gives the pages seen before, in reverse.
	var back []string
	_, _, newer := e.listed(pages[len(pages)-1])
	for newer != "" {
		got, _, nw := e.listed(newer)
		back = append(got, back...)
		newer = nw
	}
	if !slices.Equal(back, want[:len(want)-len(all[100*(len(pages)-1):])]) {
		t.Errorf("paging forward saw %v", back)
	}
	// A filter stays on every page.
	got, older, _ := e.listed("/inspector/?addr=10.0.0.9")
	if len(got) != 100 || !strings.Contains(older, "addr=10.0.0.9") {
		t.Errorf("filtered first page: %d rows, older %q", len(got), older)
	}
}

// getOK fetches a page that must answer 200, and returns its body.
func (e *env) getOK(path string) string {
	e.t.Helper()
	res, body := e.get(nil, path)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("%s: status %d\n%s", path, res.StatusCode, body)
	}
	return body
}

// TestLinks: every inspector page links to the lessons; a learner's panel
// links to their sessions.
func TestLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordSearchable(0)
	for _, path := range []string{"/inspector/", "/inspector/sessions/A", "/inspector/tail", "/inspector/nowhere"} {
		_, body := e.get(nil, path)
		if len(find(parse(t, body), byAttr("href", "/lessons/"))) == 0 {
			t.Errorf("%s: no link to the lessons", path)
		}
	}
	req, _ := http.NewRequest("GET", e.URL+"/test/panel", nil)
	req.Header.Set("Cookie", "wb_client=browser-c1")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	body := string(b)
	if len(find(parse(t, body), byAttr("href", "/inspector/?client=browser-c1"))) != 1 {
		t.Errorf("the panel does not link to its browser's sessions:\n%s", body)
	}
}

// TestSessionsActivity: the sessions list draws connects and disconnects
// over the filter's time range, and the close reasons, each linking to its
// sessions.
func TestSessionsActivity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	e.recordSearchable(0)
	q := "since=" + url.QueryEscape(t0.Format(time.RFC3339Nano)) + "&until=" + url.QueryEscape(t0.Add(60*time.Millisecond).Format(time.RFC3339Nano))
	doc := parse(t, e.getOK("/inspector/?"+q))
	fig := find(doc, byAttr("id", "wbi-chart-sessions"))
	if len(fig) != 1 || len(find(fig[0], byTag("rect"))) == 0 {
		t.Fatal("no connects chart")
	}
	if s := strings.Join(strings.Fields(text(find(fig[0], byClass("wbi-chart-summary"))[0])), " "); !strings.Contains(s, "3 connects, 2 disconnects") {
		t.Errorf("connects chart: %q", s)
	}
	reasons := find(doc, byAttr("id", "wbi-chart-reasons"))
	if len(reasons) != 1 {
		t.Fatal("no close reasons")
	}
	var got []string
	for _, tr := range find(reasons[0], byTag("tr")) {
		got = append(got, strings.Join(cells(tr), "|"))
	}
	if want := []string{"ping timeout||1", "transport close||1"}; !slices.Equal(got, want) {
		t.Errorf("reasons %q, want %q", got, want)
	}
	if len(find(reasons[0], byAttr("href", "/inspector/?"+url.Values{"reason": {"ping timeout"}, "since": {t0.Format(time.RFC3339Nano)},
		"until": {t0.Add(60 * time.Millisecond).Format(time.RFC3339Nano)}}.Encode()))) != 1 {
		t.Error("the reason does not link to its sessions")
	}
}
