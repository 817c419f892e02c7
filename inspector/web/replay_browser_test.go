package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
)

// TestReplayBrowser plays a recorded session in headless Chromium: the
// diagram is there; play shows the items again in their order; step shows
// one more; seeking (the range, a click on a row, the arrow keys) jumps;
// the hostile event stays text; nothing is logged as an error.
func TestReplayBrowser(t *testing.T) {
	b := browsertest.New(t)
	e := newEnv(t, web.Options{})
	sid := recordUpgradedSession(t, e)

	tab := b.NewTab(t)
	if err := tab.Navigate(e.URL + "/inspector/sessions/" + sid + "/replay"); err != nil {
		t.Fatal(err)
	}
	must(t, tab, `document.getElementById("wbi-replay").dataset.ready === "1"`, "the player")
	const page = `document.getElementById("wbi-replay")`
	shown := func() int { return evalInt(t, tab, page+`.dataset.shown`) }
	total := evalInt(t, tab, `new Set([...document.querySelectorAll("[data-i]")].map(e => e.dataset.i)).size`)
	rows := evalInt(t, tab, `document.querySelectorAll("#wbi-seq .wbi-seq-row").length`)
	if rows < 10 || total <= rows || shown() != total {
		t.Fatalf("%d diagram rows, %d items, %d shown", rows, total, shown())
	}
	if !evalBool(t, tab, `document.querySelector("#wbi-seq .wbi-seq-row").textContent.includes("GET handshake")`) {
		t.Error("the diagram does not start with the handshake")
	}
	if got := evalString(t, tab, `document.getElementById("wbi-clock").textContent`); got == "" {
		t.Error("no clock")
	}

	// Play at 10x: record the order in which items appear.
	tab.Eval(`(() => {
		window.appeared = [];
		const mo = new MutationObserver((ms) => {
			for (const m of ms) {
				const e = m.target;
				if (!e.classList.contains("wbi-future") && m.oldValue && m.oldValue.includes("wbi-future") && e.closest("#wbi-trace")) {
					window.appeared.push(Number(e.dataset.i));
				}
			}
		});
		mo.observe(document.getElementById("wbi-trace"), { subtree: true, attributes: true, attributeFilter: ["class"], attributeOldValue: true });
		window.states = [];
		const page = document.getElementById("wbi-replay");
		new MutationObserver(() => {
			window.states.push(page.dataset.state + ":" + document.getElementById("wbi-play").getAttribute("aria-pressed"));
		}).observe(page, { attributes: true, attributeFilter: ["data-state"] });
		const speed = document.getElementById("wbi-speed");
		speed.value = "10";
		speed.dispatchEvent(new Event("change"));
		document.getElementById("wbi-play").click();
	})()`, nil)
	must(t, tab, page+`.dataset.state === "ended"`, "the end of the replay")
	if got := evalString(t, tab, `window.states.join(" ")`); got != "playing:true ended:false" {
		t.Errorf("player states %q, want playing then ended", got)
	}
	var appeared []int
	if err := json.Unmarshal([]byte(evalString(t, tab, `JSON.stringify(window.appeared)`)), &appeared); err != nil {
		t.Fatal(err)
	}
	if len(appeared) != total {
		t.Errorf("%d items appeared while playing, want %d: %v", len(appeared), total, appeared)
	}
	for i, v := range appeared {
		if v != i {
			t.Fatalf("items appeared out of order: %v", appeared)
		}
	}
	if shown() != total {
		t.Errorf("%d shown at the end, want %d", shown(), total)
	}

	// Step from the end starts again, one item at a time.
	tab.Eval(`document.getElementById("wbi-step").click()`, nil)
	must(t, tab, page+`.dataset.shown === "1"`, "one item after a step")
	tab.Eval(`document.getElementById("wbi-step").click()`, nil)
	must(t, tab, page+`.dataset.shown === "2"`, "two items after two steps")
	visible := func(i int) bool {
		return evalBool(t, tab, fmt.Sprintf(`[...document.querySelectorAll('[data-i="%d"]')].every(e => !e.classList.contains("wbi-future"))`, i))
	}
	if !visible(0) || !visible(1) || visible(2) {
		t.Errorf("after two steps: items 0, 1, 2 visible %v %v %v", visible(0), visible(1), visible(2))
	}
	if !evalBool(t, tab, `document.querySelector('#wbi-trace [data-i="1"]').classList.contains("wbi-current")`) {
		t.Error("the stepped item is not marked current")
	}

	// Seek with the range to the middle of the session.
	tab.Eval(`(() => { const s = document.getElementById("wbi-seek"); s.value = String(Math.floor(Number(s.max) / 2)); s.dispatchEvent(new Event("input")); })()`, nil)
	want := evalInt(t, tab, `(() => { const t = Number(document.getElementById("wbi-seek").value) * 1000; return new Set([...document.querySelectorAll("[data-i]")].filter(e => Number(e.dataset.t) <= t).map(e => e.dataset.i)).size; })()`)
	must(t, tab, fmt.Sprintf(page+`.dataset.shown === "%d"`, want), "the items up to the middle")

	// A click on a diagram row shows everything up to it.
	k := evalInt(t, tab, `Number(document.querySelectorAll("#wbi-seq .wbi-seq-row")[5].dataset.i)`)
	tab.Eval(`document.querySelectorAll("#wbi-seq .wbi-seq-row")[5].querySelector(".wbi-seq-label").click()`, nil)
	must(t, tab, fmt.Sprintf(page+`.dataset.shown === "%d"`, k+1), "the items up to the clicked row")

	// The arrow keys on the range move by one item.
	tab.Eval(`document.getElementById("wbi-seek").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }))`, nil)
	must(t, tab, fmt.Sprintf(page+`.dataset.shown === "%d"`, k+2), "one more item after ArrowRight")
	tab.Eval(`document.getElementById("wbi-seek").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }))`, nil)
	must(t, tab, fmt.Sprintf(page+`.dataset.shown === "%d"`, k+1), "one less after ArrowLeft")

	// The hostile event is text, wherever it shows.
	if evalBool(t, tab, `window.pwned !== undefined || document.querySelector("main img") !== null`) {
		t.Error("hostile content became markup")
	}
	if !evalBool(t, tab, fmt.Sprintf(`[...document.querySelectorAll("#wbi-seq .wbi-seq-label")].some(e => e.textContent === %q)`, "42 EVENT "+evil)) {
		t.Error("the hostile event is not a row of text")
	}
	noErrors(t, tab)

	// A heartbeat session idles 25 s between packets: the replay shortens
	// the pause and says so.
	const idle = `{"time":"2025-01-15T10:00:00.000000Z","session":"IDLE","dir":"out","transport":"websocket","raw":"0{\"sid\":\"IDLE\"}","path":"/socket.io/","session_info":{"started_at":"2025-01-15T10:00:00.000000Z","transport":"websocket","ended_at":"2025-01-15T10:00:26.000000Z","close_reason":"ping timeout"}}
{"time":"2025-01-15T10:00:00.010000Z","session":"IDLE","dir":"in","transport":"websocket","raw":"40"}
{"time":"2025-01-15T10:00:25.010000Z","session":"IDLE","dir":"out","transport":"websocket","raw":"2"}
{"time":"2025-01-15T10:00:25.020000Z","session":"IDLE","dir":"in","transport":"websocket","raw":"3"}
`
	if _, err := e.db.Import(t.Context(), strings.NewReader(idle), nil); err != nil {
		t.Fatal(err)
	}
	idleTab := b.NewTab(t)
	if err := idleTab.Navigate(e.URL + "/inspector/sessions/IDLE/replay"); err != nil {
		t.Fatal(err)
	}
	must(t, idleTab, page+`.dataset.ready === "1"`, "the player")
	if got := evalString(t, idleTab, `document.getElementById("wbi-clock").textContent`); got != "0:26.0 / 0:26.0" {
		t.Errorf("clock %q", got)
	}
	idleTab.Eval(`(() => { const s = document.getElementById("wbi-speed"); s.value = "10"; s.dispatchEvent(new Event("change")); document.getElementById("wbi-play").click(); })()`, nil)
	must(t, idleTab, `document.getElementById("wbi-gap").textContent.startsWith("Skipped 23s")`, "the note on the shortened pause")
	must(t, idleTab, page+`.dataset.state === "ended"`, "the end of the replay")
	noErrors(t, idleTab)
}
