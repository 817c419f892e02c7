package lessons_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio/client"
)

// putSource sends a PUT of a step's server.js as browser and returns the
// status and body.
func putSource(t testing.TB, base, stepKey, browser, src string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, base+"/lessons/"+stepKey+"/server.js", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if browser != "" {
		req.Header.Add("Cookie", "wb_client="+browser)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// dialWelcome connects a client of errors/reconnect as browser and returns
// it with the welcomes it gets (each connection's).
func dialWelcome(ctx context.Context, t *testing.T, base, browser string) (*client.Socket, chan any) {
	t.Helper()
	s := reconnectClient(t, base, browser)
	welcome := make(chan any, 8)
	s.On("welcome", func(e *client.Event) { welcome <- e.Arg(0) })
	if err := s.ConnectContext(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s, welcome
}

func next(ctx context.Context, t *testing.T, ch chan any, what string) any {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("no %s", what)
	}
	return nil
}

// A browser's edited server.js runs for that browser alone: its clients
// reach it through the step's own path, a syntax error answers 400 with its
// line and leaves the running server as it was, the faults reach the
// browser's own server and tick its tasks, and DELETE brings the step's
// server back. Another browser sees the step's server throughout.
func TestSiteRunsEachBrowsersJavaScript(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const key = "errors/reconnect"
	finished, err := lessons.StepServerJS(key)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(finished, `socket.emit("welcome", connections);`, `socket.emit("welcome", "edited " + connections);`, 1)
	if edited == finished {
		t.Fatal("the edit found nothing to replace in server.js")
	}

	if status, body := putSource(t, base, key, "js-ann", edited, nil); status != http.StatusOK || !strings.Contains(body, `"running":true`) {
		t.Fatalf("PUT = %d %s", status, body)
	}
	ann, annWelcome := dialWelcome(ctx, t, base, "js-ann")
	if w := next(ctx, t, annWelcome, "welcome from the edited server"); w != "edited 1" {
		t.Errorf("ann's welcome: %v, want %q", w, "edited 1")
	}
	// The classroom counts a client of a learner's own server as connected.
	waitClassroom(t, base, "js-ann connected to her own server", func(c lessons.Classroom) bool {
		row := rowOf(c, "js-ann")
		return row != nil && len(row.Online) == 1 && row.Online[0].Step == key && row.Online[0].Clients == 1
	})
	bob, bobWelcome := dialWelcome(ctx, t, base, "js-bob")
	if w := next(ctx, t, bobWelcome, "welcome from the step's server"); w != float64(1) {
		t.Errorf("bob's welcome: %v, want 1 from the step's server", w)
	}

	res, body := get(t, base+"/lessons/"+key+"/server.js", cookie("js-ann"))
	if res.Header.Get("X-Workbook-Server") != "javascript" || body != edited {
		t.Errorf("GET as ann: %s, %d bytes", res.Header.Get("X-Workbook-Server"), len(body))
	}
	res, body = get(t, base+"/lessons/"+key+"/server.js", cookie("js-bob"))
	if res.Header.Get("X-Workbook-Server") != "default" || body != finished {
		t.Errorf("GET as bob: %s, %d bytes", res.Header.Get("X-Workbook-Server"), len(body))
	}

	// A syntax error: 400 with its line, and ann's server goes on.
	status, body := putSource(t, base, key, "js-ann", "let a = 1;\nio.on(\"connection\", (socket) => {\n  socket.emit(\"x\",;\n});\n", nil)
	var syntax struct {
		Error string
		Line  int
	}
	if status != http.StatusBadRequest || json.Unmarshal([]byte(body), &syntax) != nil || syntax.Line != 3 || syntax.Error == "" {
		t.Errorf("PUT of a syntax error = %d %s, want 400 with line 3", status, body)
	}
	if !ann.Connected() {
		t.Error("a refused edit disconnected ann's client")
	}
	// From another site: refused.
	if status, _ := putSource(t, base, key, "js-ann", edited, http.Header{"Origin": {"http://evil.example"}}); status != http.StatusForbidden {
		t.Errorf("PUT from another site = %d, want 403", status)
	}

	// The cut reaches ann's own server, and her client comes back to it.
	if status, body := post(t, base+"/lessons/"+key+"/faults/cut", cookie("js-ann")); status != http.StatusOK || !strings.Contains(body, `"clients":1`) {
		t.Fatalf("POST cut = %d %s", status, body)
	}
	if w := next(ctx, t, annWelcome, "welcome after the cut"); w != "edited 2" {
		t.Errorf("ann's welcome after the cut: %v, want %q", w, "edited 2")
	}
	waitDone(t, site, "js-ann", key+"/cut")
	waitLog(t, site, "errors", "reconnect", "[workbook] cutting the connection of 1 client(s)", "A user disconnected: transport close",
		"A user connected: connection 2 since the server started")

	// DELETE: ann is back on the step's server (its clients are
	// disconnected with the instance, and reconnect there).
	if res, body := request(t, http.MethodDelete, base+"/lessons/"+key+"/server.js", cookie("js-ann")); res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE = %d %s", res.StatusCode, body)
	}
	if w := next(ctx, t, annWelcome, "welcome from the step's server after DELETE"); w != float64(2) {
		t.Errorf("ann's welcome after DELETE: %v, want 2 (bob's was 1)", w)
	}
	untouchedBob := bob.Connected()
	if !untouchedBob {
		t.Error("bob's client was disconnected")
	}
	select {
	case w := <-bobWelcome:
		t.Errorf("bob was welcomed again: %v", w)
	default:
	}
}

// The official client's errors/reconnect contract, on a browser's own
// JavaScript server, through the Site's fault buttons (cut, stop-pings,
// restart): what TestStepContracts checks of the Go server holds of the
// learner's server.js too, and its tasks tick from its traffic.
func TestStepContractReconnectInJavaScript(t *testing.T) {
	contractInJavaScript(t, "errors/reconnect")
}

// TestStepContractRecoveryInJavaScript: the learner's own server.js of
// recovery/catch-up runs with the step's connection state recovery, and
// the cut (a fault of the Site) reaches it.
func TestStepContractRecoveryInJavaScript(t *testing.T) {
	contractInJavaScript(t, "recovery/catch-up")
}

// contractInJavaScript runs the contract of a step with faults (which
// need the Site) against the step's server.js, run as a browser's own: the
// log must hold the lines of the step's contract (contracts), in order,
// the "[workbook]" lines of the faults among the script's own, and its
// tasks must tick.
func contractInJavaScript(t *testing.T, key string) {
	t.Helper()
	var log, tasks []string
	for _, c := range contracts {
		if c.step == key && c.lang == "" { // the script runs without --lang
			log, tasks = c.log, c.tasks
		}
	}
	nodetest.Setup(t)
	site, base := startSite(t, lessons.Options{DB: mustOpenDB(t)})
	const browser = "node-contract-js"
	src, err := lessons.StepServerJS(key)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := putSource(t, base, key, browser, src, nil); status != http.StatusOK {
		t.Fatalf("PUT = %d %s", status, body)
	}
	runLessonScript(t, "--url", base, "--step", key, "--client", browser)
	lesson, stepSlug, _ := strings.Cut(key, "/")
	waitLog(t, site, lesson, stepSlug, log...)
	var keys []string
	for _, task := range tasks {
		keys = append(keys, key+"/"+task)
	}
	waitDone(t, site, browser, keys...)
	res, _ := get(t, base+"/lessons/"+key+"/server.js", cookie(browser))
	if res.Header.Get("X-Workbook-Server") != "javascript" {
		t.Errorf("the browser's server after the contract: %q, want its own", res.Header.Get("X-Workbook-Server"))
	}
}
