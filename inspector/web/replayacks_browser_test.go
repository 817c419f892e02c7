package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestReplayAcksBrowser: on the replay of an open session, an EVENT
// waiting for its ack links to the ACK once the follow brings it, with the
// round trip; hovering either marks the other; a lost ack's flag is
// readable. In both colour schemes.
func TestReplayAcksBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, dark := range []bool{false, true} {
		t.Run(map[bool]string{false: "light", true: "dark"}[dark], func(t *testing.T) {
			e := newEnv(t, web.Options{})
			r := e.rec
			start := time.Now()
			at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
			r.RecordOpen(at(0), "A", "/socket.io/", "c1", "10.0.0.1", "ua", "websocket")
			r.RecordPacket(at(1), "A", engine.In, "websocket", msg(`0`))
			r.RecordPacket(at(2), "A", engine.In, "websocket", msg(`24["lost"]`))
			r.RecordPacket(at(3), "A", engine.In, "websocket", msg(`24["again"]`)) // asks id 4 again: the first is lost
			r.RecordPacket(at(4), "A", engine.Out, "websocket", msg(`25["later"]`))
			e.flush()

			tab := b.NewTab(t)
			if err := tab.Emulate(1200, 800, dark); err != nil {
				t.Fatal(err)
			}
			if err := tab.Navigate(e.URL + "/inspector/sessions/A/replay"); err != nil {
				t.Fatal(err)
			}
			const page = `document.getElementById("wbi-replay")`
			must(t, tab, page+`.dataset.ready === "1" && `+page+`.dataset.live === "following"`, "the player, following")
			const row = `[...document.querySelectorAll("#wbi-seq .wbi-seq-row")].find(r => r.textContent.includes(%q))`
			ev := fmt.Sprintf(row, "EVENT later ack 5")
			if got := evalString(t, tab, ev+`.querySelector(".wbi-seq-ack").textContent`); got != "waiting" {
				t.Errorf("before its ACK: %q", got)
			}
			lost := fmt.Sprintf(row, "EVENT lost ack 4")
			if evalString(t, tab, `getComputedStyle(`+lost+`.querySelector(".wbi-seq-ack-missing")).color`) == evalString(t, tab, `getComputedStyle(document.body).backgroundColor`) {
				t.Error("the lost ack's flag has the page's background colour")
			}

			r.RecordPacket(at(34), "A", engine.In, "websocket", msg(`35["ok"]`))
			e.flush()
			must(t, tab, ev+`.querySelector("a.wbi-seq-ack") !== null`, "the EVENT linked to its ACK")
			ack := fmt.Sprintf(row, "ACK ack 5")
			if got, want := evalString(t, tab, ev+`.querySelector("a.wbi-seq-ack").textContent`), "RTT 30ms"; got != want {
				t.Errorf("the EVENT's round trip: %q, want %q", got, want)
			}
			if got, want := evalString(t, tab, ev+`.querySelector("a.wbi-seq-ack").getAttribute("href")`), evalString(t, tab, `"#" + `+ack+`.id`); got != want {
				t.Errorf("the EVENT links to %q, want %q", got, want)
			}
			if got := evalString(t, tab, ack+`.querySelector("a.wbi-seq-ack").getAttribute("href")`); got != evalString(t, tab, `"#" + `+ev+`.id`) {
				t.Errorf("the ACK links to %q", got)
			}
			tab.Eval(ack+`.querySelector(".wbi-seq-label").dispatchEvent(new MouseEvent("mouseover", { bubbles: true }))`, nil)
			if !evalBool(t, tab, ev+`.classList.contains("wbi-seq-peer")`) {
				t.Error("hovering the ACK does not mark its EVENT")
			}
			tab.Eval(ack+`.querySelector(".wbi-seq-label").dispatchEvent(new MouseEvent("mouseout", { bubbles: true }))`, nil)
			if evalBool(t, tab, ev+`.classList.contains("wbi-seq-peer")`) {
				t.Error("the mark stays after the hover")
			}
			noErrors(t, tab)
		})
	}
}
