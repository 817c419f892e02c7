package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/admin"
)

// TestAdminUIInChromium loads the official Admin UI, as the
// @socket.io/admin-ui npm package builds it (pinned in interop/node), in
// headless Chromium from an origin of its own, logs in to our testserver
// with --admin-ui through its form, and checks that it lists an official
// socket.io-client's socket with its rooms, that it shows the client's
// events, that its join form puts the socket in a room, and that an emit
// sent over the UI's connection reaches the client.
//
// The UI 0.5.1 has no emit form (its SocketRooms.vue has an empty emit
// method): the test sends the "emit" command over the UI's own socket, as
// a form would; uiFiles hands that socket to the test.
func TestAdminUIInChromium(t *testing.T) {
	nodeDir := nodetest.Setup(t)
	uiDir := filepath.Join(nodeDir, "node_modules", "@socket.io", "admin-ui", "ui", "dist")
	if _, err := os.Stat(filepath.Join(uiDir, "index.html")); err != nil {
		t.Fatalf("the Admin UI is not in the npm package: %v", err)
	}
	b := browsertest.New(t)

	hash, err := bcrypt.GenerateFromPassword([]byte("pass word"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// The UI from its own origin; any origin is let in, as with testserver
	// --admin-ui, so the UI's credentialed polling is checked for real.
	adm, err := admin.New(admin.Options{Username: "admin", PasswordHash: string(hash), ServerID: "testserver"})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's 300 ms heartbeat drops the UI on a busy machine.
	ts := NewTestServer(TestServerConfig{PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second, Admin: adm})
	srv := httptest.NewServer(ts)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	ui := httptest.NewServer(uiFiles(t, uiDir))
	t.Cleanup(ui.Close)

	app := nodetest.Start(t, "admin-client.mjs", "--url", srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	line, err := app.WaitLine(ctx, "CONNECTED ")
	if err != nil {
		t.Fatalf("the official client did not connect: %v\n%s", err, app.Report())
	}
	appID := strings.TrimPrefix(line, "CONNECTED ")

	tab := b.NewTab(t)
	if err := tab.Navigate(ui.URL + "/"); err != nil {
		t.Fatal(err)
	}
	const store = `document.querySelector("[data-app]").__vue__.$store.state`
	waitUI := func(what, expr string) {
		t.Helper()
		if err := tab.WaitFor(expr, 45*time.Second); err != nil {
			t.Fatalf("%s: %v\nconsole:\n%s", what, err, tab.ConsoleText())
		}
	}
	waitUI("the login form", `document.querySelectorAll("form input[type=text], form input[type=password]").length >= 3`)
	var filled bool
	fill := fmt.Sprintf(`(() => {
		const form = document.querySelector("form");
		const inputs = form.querySelectorAll("input[type=text], input[type=password]");
		const set = (el, v) => { el.value = v; el.dispatchEvent(new Event("input", {bubbles: true})); };
		set(inputs[0], %q); set(inputs[1], "admin"); set(inputs[2], "pass word");
		return true;
	})()`, srv.URL)
	if err := tab.Eval(fill, &filled); err != nil {
		t.Fatal(err)
	}
	waitUI("the connect button", `!document.querySelector("form button[type=submit]").disabled`)
	if err := tab.Eval(`document.querySelector("form button[type=submit]").click(), true`, nil); err != nil {
		t.Fatal(err)
	}
	waitUI("connected", store+`.connection.connected === true`)
	waitUI("the session id kept", `(localStorage.getItem("session_id") || "").length >= 16`)

	// The client's socket is listed, with its rooms.
	socketJS := fmt.Sprintf(`(%s.main.namespaces.find(n => n.name === "/") || {sockets: []}).sockets.find(s => s.id === %q)`, store, appID)
	waitUI("the client's socket listed", socketJS+` !== undefined`)
	var rooms []string
	if err := tab.Eval(socketJS+`.rooms`, &rooms); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rooms) != fmt.Sprintf("[%s]", appID) {
		t.Errorf("rooms %v, want the socket's own", rooms)
	}
	if err := tab.Eval(fmt.Sprintf(`location.hash = "#/n/%%2F/sockets/%s", true`, appID), nil); err != nil {
		t.Fatal(err)
	}
	waitUI("the socket's page", fmt.Sprintf(`document.body.innerText.includes(%q)`, appID))

	// Its join form: the client joins a room, and the page shows it.
	waitUI("the join form", `document.querySelector(".select-room input") !== null`)
	join := `(() => {
		const input = document.querySelector(".select-room input");
		input.focus();
		input.value = "blue-room";
		input.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`
	if err := tab.Eval(join, nil); err != nil {
		t.Fatal(err)
	}
	waitUI("the room typed", `document.querySelector(".select-room input").value === "blue-room"`)
	if err := tab.Eval(`document.querySelector(".select-room").closest("form").querySelector("button[type=submit]").click(), true`, nil); err != nil {
		t.Fatal(err)
	}
	waitUI("the room joined", socketJS+`.rooms.includes("blue-room")`)
	waitUI("the room on the page", `[...document.querySelectorAll("table td")].some(td => td.innerText.trim() === "blue-room")`)
	if sock := ts.io.Of("/").Socket(appID); sock == nil || !strings.Contains(fmt.Sprint(sock.Rooms()), "blue-room") {
		t.Errorf("the server's socket is not in blue-room")
	}

	// An event both ways: "message" from the client, "message-back" from
	// the server, in the UI's events and on its events page.
	if err := app.Write("emit message hello from node"); err != nil {
		t.Fatal(err)
	}
	events := store + `.main.namespaces.find(n => n.name === "/").events`
	waitUI("the event received", events+`.some(e => e.type === "event_received" && e.eventName === "message" && e.args[0] === "hello from node")`)
	waitUI("the event sent", events+`.some(e => e.type === "event_sent" && e.eventName === "message-back")`)
	if err := tab.Eval(`location.hash = "#/events/", true`, nil); err != nil {
		t.Fatal(err)
	}
	waitUI("the events page", `document.body.innerText.includes("message-back")`)

	// An emit over the UI's connection reaches the official client.
	emit := fmt.Sprintf(`window.__adminSocket.emit("emit", "/", %q, "from-ui", "hi", {n: 1}), true`, appID)
	waitUI("the UI's socket caught", `window.__adminSocket !== undefined && window.__adminSocket.connected`)
	if err := tab.Eval(emit, nil); err != nil {
		t.Fatal(err)
	}
	got, err := app.WaitLine(ctx, "EVENT from-ui ")
	if err != nil {
		t.Fatalf("the emit from the UI did not arrive: %v\n%s", err, app.Report())
	}
	var args []any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got, "EVENT from-ui ")), &args); err != nil || fmt.Sprint(args) != "[hi map[n:1]]" {
		t.Errorf("from-ui %q: %v", got, err)
	}
	for _, m := range tab.Exceptions() {
		t.Errorf("uncaught in the UI: %v", m)
	}
}

// externalLink matches the UI's stylesheets from CDNs (fonts, icons): the
// test's browser has no network, and does not need them.
var externalLink = regexp.MustCompile(`<link[^>]+href="https://[^"]+"[^>]*>`)

// catchSocket runs before the UI's scripts. The UI keeps its socket in
// SocketHolder.js, whose setter assigns this._socket: a setter of that name
// on Object.prototype sees the assignment first, keeps the socket as
// window.__adminSocket, and then gives the holder its own property, so the
// UI works as before.
const catchSocket = `<script>
Object.defineProperty(Object.prototype, "_socket", {
  configurable: true,
  set(v) {
    if (v && typeof v.emit === "function" && v.nsp === "/admin") window.__adminSocket = v;
    Object.defineProperty(this, "_socket", {value: v, writable: true, configurable: true, enumerable: true});
  },
});
</script>`

// uiFiles serves the UI's files, its index.html without external links
// and with catchSocket first.
func uiFiles(t *testing.T, dir string) http.Handler {
	t.Helper()
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	index = externalLink.ReplaceAll(index, nil)
	index = []byte(strings.Replace(string(index), "<head>", "<head>"+catchSocket, 1))
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(index)
			return
		}
		files.ServeHTTP(w, r)
	})
}
