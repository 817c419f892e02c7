package web_test

import (
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestActInChromium: the session page's forms, sent by act.js, emit an
// event whose ack answer the page shows, and make the socket join a room
// (the Join button is the form's submitter); no page reload, no console
// error.
func TestActInChromium(t *testing.T) {
	b := browsertest.New(t)
	e := newActEnv(t, "")
	got := make(chan []any, 4)
	s, sid := e.connect("/socket.io/", "", client.Options{})
	s.On("poke", func(ev *client.Event) {
		got <- ev.Args()
		if ev.HasAck() {
			ev.Ack(append([]any{"pong"}, ev.Args()...)...)
		}
	})
	e.echo(s, "")
	e.flush()
	tab := open(t, b, e.URL+"/inspector/sessions/"+sid)
	tab.Eval(`window.wbiMark = 1`, nil) // gone if the page reloads

	tab.Eval(`(() => {
		const f = document.getElementById("wbi-act-emit");
		f.elements.event.value = "poke";
		f.elements.args.value = '["hi", 2]';
		f.elements.ack.checked = true;
		f.querySelector("button[type=submit]").click();
	})()`, nil)
	if err := tab.WaitFor(`document.getElementById("wbi-act-result").dataset.state === "ok"`, wait); err != nil {
		t.Fatalf("%v: %s %s", err, evalString(t, tab, `location.href + " " + document.getElementById("wbi-act-result").outerHTML`), tab.ConsoleText())
	}
	if text := evalString(t, tab, `document.getElementById("wbi-act-result").textContent`); text != `Done. Answer: ["pong","hi",2]` {
		t.Errorf("the page says %q", text)
	}
	select {
	case args := <-got:
		if len(args) != 2 || args[0] != "hi" {
			t.Errorf("the client got %v", args)
		}
	case <-time.After(wait):
		t.Fatal("the client got nothing")
	}

	tab.Eval(`(() => {
		const out = document.getElementById("wbi-act-result");
		out.dataset.state = "";
		const f = document.getElementById("wbi-act-rooms");
		f.elements.room.value = "blue";
		f.querySelector("button[value=join]").click();
	})()`, nil)
	must(t, tab, `document.getElementById("wbi-act-result").dataset.state === "ok"`, "the join's answer")
	waitFor(t, "the socket in room blue", func() bool {
		for _, sock := range e.app.Sockets().Sockets() {
			for _, r := range sock.Rooms() {
				if r == "blue" {
					return true
				}
			}
		}
		return false
	})
	if evalInt(t, tab, `window.wbiMark || 0`) != 1 {
		t.Error("the page reloaded")
	}
	noErrors(t, tab)
}
