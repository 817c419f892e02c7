package web_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/sio/engine"
)

// TestBrowserSearch drives the pages of issue 16 in Chromium: a closed
// session says closed and stays off the live feed, an open one goes live
// then closed when it ends, a filtered table takes only the live packets
// its filter keeps, and a filtered tail only its client's.
func TestBrowserSearch(t *testing.T) {
	b := browsertest.New(t)
	e := newEnv(t, web.Options{})
	e.recordSearchable(0)
	e.recordAcks("S", false)
	e.recordAcks("O", true)
	later := t0.Add(time.Second)

	t.Run("closed", func(t *testing.T) {
		tab := b.NewTab(t)
		if err := tab.Navigate(e.URL + "/inspector/sessions/S"); err != nil {
			t.Fatal(err)
		}
		must(t, tab, `document.readyState === "complete"`, "the page")
		if got := evalString(t, tab, `document.querySelector(".wbi-live").textContent`); got != "closed" {
			t.Errorf("status %q", got)
		}
		// The ack link goes to its ACK's row.
		if err := tab.Eval(`document.querySelector(".wbi-ack a").click(); true`, nil); err != nil {
			t.Fatal(err)
		}
		must(t, tab, `location.hash.startsWith("#p") && document.querySelector(location.hash).textContent.includes("ACK")`, "the ACK's row")
		noErrors(t, tab)
	})

	t.Run("open", func(t *testing.T) {
		tab := open(t, b, e.URL+"/inspector/sessions/O?dir=out")
		e.rec.RecordPacket(later, "O", engine.In, "websocket", msg(`2["from-client"]`))
		e.flush()
		e.rec.RecordPacket(later.Add(time.Millisecond), "O", engine.Out, "websocket", msg(`2["to-client"]`))
		e.flush()
		must(t, tab, `document.querySelector("#wbi-packets").textContent.includes("to-client")`, "the live packet the filter keeps")
		must(t, tab, `document.querySelector("#wbi-trace").textContent.includes("from-client")`, "the other one in the trace")
		if evalBool(t, tab, `document.querySelector("#wbi-packets").textContent.includes("from-client")`) {
			t.Error("the table took a packet its filter leaves out")
		}
		e.rec.RecordClose(later.Add(2*time.Millisecond), "O", "transport close")
		e.flush()
		must(t, tab, `document.querySelector(".wbi-live").dataset.state === "closed"`, "closed once closed")
		noErrors(t, tab)
	})

	t.Run("tail", func(t *testing.T) {
		tab := open(t, b, e.URL+"/inspector/tail?client=c2")
		e.rec.RecordPacket(later, "A", engine.In, "polling", msg(`2["c1-live"]`))
		e.flush()
		e.rec.RecordPacket(later, "C", engine.In, "websocket", msg(`2["c2-live"]`))
		e.flush()
		must(t, tab, `document.querySelector("#wbi-trace").textContent.includes("c2-live")`, "the client's packet")
		if evalBool(t, tab, `document.querySelector("#wbi-trace").textContent.includes("c1-live")`) {
			t.Error("the filtered tail shows another client's packet")
		}
		noErrors(t, tab)
	})
}
