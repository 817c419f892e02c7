package lessons_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// TestBroadcastInEachLanguage checks that the step of io.emit runs a
// server per language: an English and a Spanish learner on the step at
// the same time each count the clients of their language, in it. With one
// server for both, the English client would read the Spanish newcomer's
// count, in Spanish.
func TestBroadcastInEachLanguage(t *testing.T) {
	_, base := startSite(t, lessons.Options{})
	en := countClient(t, base, "per-lang-en", "")
	en.want(t, "1 client connected!", "the English client")
	es := countClient(t, base, "per-lang-es", "es")
	es.want(t, "¡1 cliente conectado!", "the Spanish client")
	// Another English client: the first hears of it, and of nothing else.
	en2 := countClient(t, base, "per-lang-en2", "")
	en2.want(t, "2 clients connected!", "the second English client")
	en.want(t, "2 clients connected!", "the first English client")
}

// countedClient is a client of broadcast/everyone with the descriptions it
// got, in order.
type countedClient struct{ got chan string }

// want fails the test unless the next description c gets is text; who
// names the client in the message.
func (c countedClient) want(t *testing.T, text, who string) {
	t.Helper()
	if got := c.next(t); got != text {
		t.Fatalf("%s reads %q, want %q", who, got, text)
	}
}

func (c countedClient) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-c.got:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no broadcast within 10 s")
		return ""
	}
}

// countClient connects a client of broadcast/everyone as browser, in lang
// (its wb_lang cookie; none when "").
func countClient(t *testing.T, base, browser, lang string) countedClient {
	t.Helper()
	header := http.Header{"Cookie": {"wb_client=" + browser}}
	if lang != "" {
		header = http.Header{"Cookie": {fmt.Sprintf("wb_client=%s; wb_lang=%s", browser, lang)}}
	}
	s, err := client.New(base, client.Options{
		Path: "/lessons/broadcast/everyone/socket.io/", ForceNew: true, NoAutoConnect: true,
		Header: header, NoReconnection: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := countedClient{got: make(chan string, 16)}
	s.On("broadcast", func(e *client.Event) {
		var data struct{ Description string }
		if err := e.Bind(&data); err != nil {
			t.Errorf("broadcast: %v", err)
			return
		}
		select {
		case c.got <- data.Description:
		default:
			t.Error("more broadcasts than the test reads")
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return c
}

// TestOwnServerInEachLanguage checks that a Spanish learner's own
// server.js of a broadcast step speaks Spanish to their clients, alongside
// the step's servers, and that its traffic ticks their tasks.
func TestOwnServerInEachLanguage(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	const key = "broadcast/everyone"
	finished, err := lessons.StepServerJS(key)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(finished, `io.emit("broadcast", { description });`, `io.emit("broadcast", { description: "editado: " + description });`, 1)
	if edited == finished {
		t.Fatal("the edit found nothing to replace in server.js")
	}
	if status, body := putSource(t, base, key, "per-lang-own", edited, nil); status != http.StatusOK {
		t.Fatalf("PUT = %d %s", status, body)
	}
	own := countClient(t, base, "per-lang-own", "es")
	own.want(t, "editado: ¡1 cliente conectado!", "the learner's own server")
	other := countClient(t, base, "per-lang-other", "es")
	other.want(t, "¡1 cliente conectado!", "another Spanish learner")
	waitDone(t, site, "per-lang-own", key+"/count")
}
