package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/sio/client"
)

const evil = `<img src=x onerror=alert(1)>`

// recordUpgradedSession records a session that starts on polling, upgrades
// to WebSocket, sends a hostile event, an echo with a binary argument, and
// closes; it returns its id once the close is stored.
func recordUpgradedSession(t *testing.T, e *env) string {
	t.Helper()
	s, sid := e.connect("/socket.io/", "", client.Options{Transports: []string{"polling", "websocket"}})
	waitUpgraded(t, s)
	s.Emit(evil, evil)
	e.echo(s, "", "after", []byte{1, 2, 3})
	s.Disconnect()
	waitFor(t, "the session closed", func() bool {
		e.flush()
		ss, err := e.db.Session(t.Context(), sid)
		return err == nil && !ss.EndedAt.IsZero()
	})
	return sid
}

// timelineJSON is the timeline endpoint's answer as the tests read it.
type timelineJSON struct {
	Session struct {
		SID string `json:"sid"`
	} `json:"session"`
	Total int             `json:"total"`
	Items []timelineEntry `json:"items"`
	Next  string          `json:"next"`
}

// timelineEntry is one item of the timeline endpoint.
type timelineEntry struct {
	T  int64           `json:"t"`
	P  json.RawMessage `json:"p"`
	D  json.RawMessage `json:"d"`
	Ev string          `json:"ev"`
}

func (e *env) timeline(c *http.Client, sid, query string) (*http.Response, timelineJSON, string) {
	e.t.Helper()
	res, body := e.get(c, "/inspector/sessions/"+sid+"/timeline"+query)
	var tl timelineJSON
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &tl); err != nil {
			e.t.Fatalf("timeline%s: %v\n%s", query, err, body)
		}
	}
	return res, tl, body
}

// itemKey names a timeline item: its event, or its kind and id.
func itemKey(it timelineEntry) string {
	var x struct {
		ID int64 `json:"id"`
	}
	switch {
	case it.P != nil:
		json.Unmarshal(it.P, &x)
		return "p" + strconv.FormatInt(x.ID, 10)
	case it.D != nil:
		json.Unmarshal(it.D, &x)
		return "d" + strconv.FormatInt(x.ID, 10)
	}
	return it.Ev
}

// TestTimelineEndpoint: the session's timeline as JSON, in order, paged,
// hostile text kept as data.
func TestTimelineEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	sid := recordUpgradedSession(t, e)

	res, tl, body := e.timeline(nil, sid, "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("timeline: %d %v", res.StatusCode, res.Header)
	}
	if tl.Session.SID != sid || tl.Next != "" || len(tl.Items) != tl.Total || tl.Total < 10 {
		t.Fatalf("timeline: session %q, next %q, %d items of %d", tl.Session.SID, tl.Next, len(tl.Items), tl.Total)
	}
	// The open event comes before the first packet, and the close after
	// the DISCONNECT; times never go back by more than the few µs the
	// server's debug line may precede the recorded handshake by.
	var keys []string
	for i, it := range tl.Items {
		keys = append(keys, itemKey(it))
		if i > 0 && it.T < tl.Items[i-1].T-1000 {
			t.Errorf("item %d at %dµs after %dµs", i, it.T, tl.Items[i-1].T)
		}
	}
	order := strings.Join(keys, " ")
	if open, close := strings.Index(order, "open"), strings.Index(order, "close"); open < 0 || close < open || strings.Index(order, "p") < open {
		t.Errorf("timeline order: %s", order)
	}
	var sawUpgrade, sawEvil, sawDebug bool
	for _, it := range tl.Items {
		switch {
		case it.Ev == "upgrade":
			sawUpgrade = true
		case it.D != nil:
			sawDebug = true
		case it.P != nil:
			var p struct {
				Event string `json:"ev"`
				Raw   string `json:"raw"`
			}
			json.Unmarshal(it.P, &p)
			if p.Event == evil {
				sawEvil = true
				if !strings.Contains(p.Raw, evil) {
					t.Errorf("the hostile packet's raw %q", p.Raw)
				}
			}
		}
	}
	if !sawUpgrade || !sawEvil || !sawDebug {
		t.Errorf("upgrade %v, hostile event %v, debug lines %v", sawUpgrade, sawEvil, sawDebug)
	}
	if strings.Contains(body, "<img") {
		t.Error("the JSON carries the hostile text unescaped")
	}

	// Pages of 3 give the same items.
	var all, paged []string
	for _, it := range tl.Items {
		all = append(all, itemKey(it))
	}
	after := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("no end to the pages")
		}
		q := "?limit=3"
		if after != "" {
			q += "&after=" + url.QueryEscape(after)
		}
		res, page, body := e.timeline(nil, sid, q)
		if res.StatusCode != http.StatusOK || len(page.Items) > 3 {
			t.Fatalf("page %d: %d, %d items\n%s", pages, res.StatusCode, len(page.Items), body)
		}
		for _, it := range page.Items {
			paged = append(paged, itemKey(it))
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if strings.Join(paged, " ") != strings.Join(all, " ") {
		t.Errorf("paged:\n%v\nwhole:\n%v", paged, all)
	}

	for q, want := range map[string]int{
		"?limit=0": 400, "?limit=x": 400, "?limit=100000": 400, "?after=1.2": 400, "?after=a.b.c": 400,
	} {
		if res, _, _ := e.timeline(nil, sid, q); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", q, res.StatusCode, want)
		}
	}
	if res, _, body := e.timeline(nil, "nope", ""); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `"error"`) {
		t.Errorf("unknown session: %d %s", res.StatusCode, body)
	}
}

// TestReplayPage: the diagram is rendered on the server, one row per packet
// and session event, hostile text as text; the session page links to it;
// later pages count from where they start.
func TestReplayPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{})
	sid := recordUpgradedSession(t, e)

	_, body := e.get(nil, "/inspector/sessions/"+sid)
	if links := find(parse(t, body), byAttr("href", "/inspector/sessions/"+sid+"/replay")); len(links) != 1 {
		t.Error("the session page does not link to its replay")
	}

	res, body := e.get(nil, "/inspector/sessions/"+sid+"/replay")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("replay page: %d", res.StatusCode)
	}
	doc := parse(t, body)
	rows := find(doc, byClass("wbi-seq-row"))
	var labels []string
	for _, r := range rows {
		labels = append(labels, text(find(r, byClass("wbi-seq-label"))[0]))
	}
	joined := strings.Join(labels, " | ")
	if len(rows) < 10 || labels[0] != "GET handshake (polling)" || labels[1] != "0 open" || !strings.HasPrefix(labels[len(labels)-1], "closed: ") {
		t.Errorf("diagram rows: %s", joined)
	}
	for _, want := range []string{"2probe", "3probe", "5 upgrade", "upgraded to websocket", "40 CONNECT", "42 EVENT " + evil, "45 BINARY_EVENT echo ack 0", "binary attachment"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no row %q in %s", want, joined)
		}
	}
	for _, r := range rows {
		l := text(find(r, byClass("wbi-seq-label"))[0])
		switch {
		case l == "2probe" || l == "5 upgrade":
			if !hasClass(r, "wbi-seq-in") || !hasClass(r, "wbi-seq-websocket") || !hasClass(r, "wbi-seq-k-upgrade") {
				t.Errorf("%s row: %s", l, attr(r, "class"))
			}
		case l == "0 open":
			if !hasClass(r, "wbi-seq-out") || !hasClass(r, "wbi-seq-polling") {
				t.Errorf("open row: %s", attr(r, "class"))
			}
		}
	}
	if len(find(doc, byTag("img"))) != 0 {
		t.Error("hostile text became an element")
	}
	// Every item is a line of the trace, in order.
	lines := find(doc, func(n *html.Node) bool {
		return attr(n, "data-i") != "" && n.Parent != nil && attr(n.Parent, "id") == "wbi-trace"
	})
	for i, l := range lines {
		if attr(l, "data-i") != strconv.Itoa(i) {
			t.Fatalf("trace line %d has data-i %s", i, attr(l, "data-i"))
		}
	}
	if count := text(find(doc, byAttr("id", "wbi-count"))[0]); !strings.Contains(count, "Showing all "+strconv.Itoa(len(lines))+" items.") {
		t.Errorf("count %q", count)
	}

	// A later page says where it starts.
	_, tl, _ := e.timeline(nil, sid, "?limit=3")
	res, body = e.get(nil, "/inspector/sessions/"+sid+"/replay?after="+url.QueryEscape(tl.Next))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("second page: %d", res.StatusCode)
	}
	doc = parse(t, body)
	count := strings.Join(strings.Fields(text(find(doc, byAttr("id", "wbi-count"))[0])), " ")
	if want := "Showing items 4–" + strconv.Itoa(tl.Total) + " of " + strconv.Itoa(tl.Total) + "."; !strings.HasPrefix(count, want) || !strings.Contains(count, "From the start") {
		t.Errorf("second page count %q, want %q", count, want)
	}
	if rows := find(doc, byClass("wbi-seq-row")); len(rows) == 0 || attr(rows[0], "data-i") != "0" {
		t.Error("the second page has no rows")
	}

	if res, _ := e.get(nil, "/inspector/sessions/nope/replay"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: %d", res.StatusCode)
	}
	if res, _ := e.get(nil, "/inspector/sessions/"+sid+"/replay?after=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
}

// TestReplayToken: the replay page and the timeline want the token as the
// other pages do.
func TestReplayToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, web.Options{Token: "s3cret"})
	_, sid := e.connect("/socket.io/", "", client.Options{})
	e.flush()
	for _, path := range []string{"/inspector/sessions/" + sid + "/replay", "/inspector/sessions/" + sid + "/timeline"} {
		if res, body := e.get(nil, path); res.StatusCode != http.StatusUnauthorized || strings.Contains(body, sid+`","`) {
			t.Errorf("%s without the token: %d", path, res.StatusCode)
		}
		if res, _ := e.get(nil, path+"?token=wrong"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", path, res.StatusCode)
		}
		c := noRedirects(newJar(t))
		res, _ := e.get(c, path+"?token=s3cret")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
			t.Errorf("%s with the token: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := e.get(c, path); res.StatusCode != http.StatusOK {
			t.Errorf("%s with the cookie: %d", path, res.StatusCode)
		}
	}
}
