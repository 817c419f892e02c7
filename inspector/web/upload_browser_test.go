package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestReplayFollowBrowser: the replay page of a session still open shows
// what the session does next without a reload, and says when it ended;
// ?packet= and ?t= open the player at that packet or moment.
func TestReplayFollowBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, dark := range []bool{false, true} {
		t.Run(map[bool]string{false: "light", true: "dark"}[dark], func(t *testing.T) {
			e := newEnv(t, web.Options{})
			s, sid := e.connect("/socket.io/", "", client.Options{})
			e.echo(s, "", "first")
			e.flush()

			tab := b.NewTab(t)
			if err := tab.Emulate(1200, 800, dark); err != nil {
				t.Fatal(err)
			}
			if err := tab.Navigate(e.URL + "/inspector/sessions/" + sid + "/replay"); err != nil {
				t.Fatal(err)
			}
			const page = `document.getElementById("wbi-replay")`
			must(t, tab, page+`.dataset.ready === "1" && `+page+`.dataset.live === "following"`, "the player, following")
			before := evalInt(t, tab, page+`.dataset.items`)

			e.echo(s, "", "second")
			must(t, tab, `[...document.querySelectorAll("#wbi-trace li:not(.wbi-future)")].some(li => li.textContent.includes('"second"'))`,
				"the new event shown")
			if after := evalInt(t, tab, page+`.dataset.items`); after <= before {
				t.Errorf("%d items after the event, %d before", after, before)
			}
			if got, n := evalInt(t, tab, page+`.dataset.shown`), evalInt(t, tab, page+`.dataset.items`); got != n {
				t.Errorf("%d of %d items shown: the reader at the end sees them all", got, n)
			}
			s.Disconnect()
			must(t, tab, page+`.dataset.live === "ended"`, "the end of the session")
			must(t, tab, `[...document.querySelectorAll("#wbi-trace li")].some(li => li.textContent.includes("session closed"))`, "the close in the trace")
			noErrors(t, tab)

			// Deep links: the echo of "second", then a moment.
			ps, err := e.db.Packets(t.Context(), inspector.PacketFilter{SID: sid, Event: "echo", Limit: -1})
			if err != nil || len(ps) != 2 {
				t.Fatalf("echo packets: %d, %v", len(ps), err)
			}
			id := ps[1].ID
			if err := tab.Navigate(fmt.Sprintf("%s/inspector/sessions/%s/replay?packet=%d", e.URL, sid, id)); err != nil {
				t.Fatal(err)
			}
			must(t, tab, page+`.dataset.ready === "1"`, "the player")
			cur := `document.querySelector("#wbi-trace .wbi-current")`
			if got := evalString(t, tab, cur+`.dataset.packet`); got != strconv.FormatInt(id, 10) {
				t.Errorf("?packet=%d opened at packet %q", id, got)
			}
			if shown, i := evalInt(t, tab, page+`.dataset.shown`), evalInt(t, tab, cur+`.dataset.i`); shown != i+1 {
				t.Errorf("?packet: %d shown, the packet is item %d", shown, i)
			}
			ms := ps[1].At.Sub(ps[0].At).Milliseconds() / 2
			start, err := e.db.Session(t.Context(), sid)
			if err != nil {
				t.Fatal(err)
			}
			ms += ps[0].At.Sub(start.StartedAt).Milliseconds()
			if err := tab.Navigate(fmt.Sprintf("%s/inspector/sessions/%s/replay?t=%d", e.URL, sid, ms)); err != nil {
				t.Fatal(err)
			}
			must(t, tab, page+`.dataset.ready === "1"`, "the player")
			want := evalInt(t, tab, fmt.Sprintf(`new Set([...document.querySelectorAll("[data-i]")].filter(e => Number(e.dataset.t) <= %d).map(e => e.dataset.i)).size`, ms*1000))
			if got := evalInt(t, tab, page+`.dataset.shown`); got != want || want == 0 {
				t.Errorf("?t=%d: %d items shown, want %d", ms, got, want)
			}
			if res, _ := e.get(nil, "/inspector/sessions/"+sid+"/replay?t=-4"); res.StatusCode != 400 {
				t.Errorf("?t=-4: %d, want 400", res.StatusCode)
			}
			noErrors(t, tab)
		})
	}
}

// TestDropImportBrowser: a session downloaded from its page and dropped on
// /inspector/ of another workbook is imported there, once; a file that is
// not one is refused with its reason. In both colour schemes.
func TestDropImportBrowser(t *testing.T) {
	b := browsertest.New(t)
	src := newEnv(t, web.Options{})
	s, sid := src.connect("/socket.io/", "", client.Options{})
	src.echo(s, "", "dropped")
	s.Disconnect()
	src.flush()

	// Each scheme in English, and the light one in Spanish: the script's
	// words in the page's language.
	for _, c := range []struct {
		name, lang string
		dark       bool
	}{{"light", "en", false}, {"dark", "en", true}, {"light/es", "es", false}} {
		dark := c.dark
		// The status's words in this case's language.
		words := map[string][]string{
			"en": {"packets imported", "were here already", "Could not import notes.txt", "Show them"},
			"es": {"paquetes importados", "ya estaban aquí", "No se pudo importar notes.txt", "Verlas"},
		}[c.lang]
		t.Run(c.name, func(t *testing.T) {
			dst := newEnv(t, web.Options{})
			tab := b.NewTab(t)
			if err := tab.Emulate(1200, 800, dark); err != nil {
				t.Fatal(err)
			}
			// The file, as the session page's link gives it.
			if err := tab.Navigate(src.URL + "/inspector/sessions/" + sid); err != nil {
				t.Fatal(err)
			}
			href := evalString(t, tab, `document.getElementById("wbi-download").href`)
			file := evalString(t, tab, fmt.Sprintf(`fetch(%q).then(r => r.text())`, href))
			if len(file) == 0 {
				t.Fatal("the download link gave nothing")
			}
			noErrors(t, tab)

			if err := tab.Navigate(dst.URL + "/inspector/?lang=" + c.lang); err != nil {
				t.Fatal(err)
			}
			must(t, tab, `document.getElementById("wbi-drop-status") !== null`, "the drop zone")
			drop := func(name, content string) {
				t.Helper()
				tab.Eval(fmt.Sprintf(`(() => {
					const dt = new DataTransfer();
					dt.items.add(new File([%q], %q, { type: "application/x-ndjson" }));
					for (const type of ["dragenter", "dragover", "drop"]) {
						document.querySelector("main").dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
					}
				})()`, content, name), nil)
			}
			status := `document.getElementById("wbi-drop-status")`
			drop("session.jsonl", file)
			must(t, tab, status+`.dataset.state === "done"`, "the import")
			if got := evalString(t, tab, status+`.textContent`); !containsAll(got, "session.jsonl", words[0], words[3]) {
				t.Errorf("status: %q", got)
			}
			dst.flush()
			if _, err := dst.db.Session(t.Context(), sid); err != nil {
				t.Errorf("the dropped session is not in the database: %v", err)
			}
			drop("session.jsonl", file)
			must(t, tab, fmt.Sprintf(`%s.textContent.includes(%q)`, status, words[1]), "the second import")
			drop("notes.txt", "not a session\n")
			must(t, tab, status+`.dataset.state === "error"`, "the refusal")
			if got := evalString(t, tab, status+`.textContent`); !containsAll(got, words[2], "line 1") {
				t.Errorf("status: %q", got)
			}
			// The message is readable in this scheme.
			if evalString(t, tab, `getComputedStyle(`+status+`).color`) == evalString(t, tab, `getComputedStyle(document.body).backgroundColor`) {
				t.Error("the status has the page's background colour")
			}
			// The refused import's 400 is the one error the console may show.
			for _, m := range tab.Console() {
				if (m.IsException() || m.Type == "error") && !strings.Contains(m.String(), "status of 400") {
					t.Errorf("console: %s (%s)", m.String(), m.URL)
				}
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestReplayPagesOnBrowser: a followed session that outgrows its replay
// page goes on to the next page by itself, which follows it in turn.
func TestReplayPagesOnBrowser(t *testing.T) {
	b := browsertest.New(t)
	e := newEnv(t, web.Options{})
	s, sid := e.connect("/socket.io/", "", client.Options{})
	e.echo(s, "", "first")
	e.flush()
	tab := b.NewTab(t)
	if err := tab.Navigate(e.URL + "/inspector/sessions/" + sid + "/replay"); err != nil {
		t.Fatal(err)
	}
	const page = `document.getElementById("wbi-replay")`
	must(t, tab, page+`.dataset.ready === "1" && `+page+`.dataset.live === "following"`, "the player, following")
	// Each echo is two packets and their debug lines: well over a page.
	for i := range 600 {
		s.Emit("note", i)
	}
	e.echo(s, "", "last")
	must(t, tab, `location.search.includes("after=") && document.getElementById("wbi-replay")?.dataset.ready === "1"`, "the next page")
	if first := evalInt(t, tab, `Number(document.querySelector("#wbi-trace [data-i]").dataset.i)`); first != 0 {
		t.Errorf("the next page numbers its items from %d", first)
	}
	must(t, tab, `document.body.textContent.includes('"last"')`, "the last event, on the next page or followed there")
	noErrors(t, tab)
}
