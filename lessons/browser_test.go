package lessons_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/lessons"
)

// A step page, as headless Chromium sees it: the page loads, its client
// pane connects, the tasks get ticked as the learner does them, editing
// the client code and pressing Run changes what the panes do, and nothing
// is logged to the console as an error. Each step runs in its own tab
// (cookies of its own: a browser of its own), in the language given; a
// path may carry a query, as the texts link to some steps ("?clients=3").
var stepPages = []struct {
	path string
	lang lessons.Lang
	play func(t *testing.T, p *page)
}{
	{"/lessons/hello/connect/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("connect")
		p.click("add-client")
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 2`, "two connected panes")
		p.waitTask("two")
		p.eval(`document.querySelector('.pane button[aria-label="Reload"]').click()`)
		p.waitTask("reconnect")
		p.waitLog("A user disconnected")
		// Edit and Run: the panes now write their socket id in the page.
		p.edit(`const socket = io();`, `const socket = io();
      socket.on("connect", () => { document.body.dataset.edited = socket.id; });`)
		p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => f.contentDocument?.body?.dataset.edited)`,
			"every pane running the edited code")
		p.wait(`!document.getElementById('edited').hidden`, "the editor marked edited")
		p.click("reset")
		p.wait(`document.getElementById('edited').hidden && workbookStep.editor.value === JSON.parse(document.getElementById('step-data').textContent).client`,
			"the original code back")
		// A key goes to the next page.
		p.eval(`document.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true }))`)
		p.wait(`location.pathname === '/lessons/events/'`, "the next page, after pressing n")
	}},
	{"/lessons/events/message/", lessons.ES, func(t *testing.T, p *page) {
		p.waitTask("receive")
		p.wait(`document.querySelector('.pane iframe').contentDocument.body.textContent.includes('¡Mensaje enviado 4 segundos')`, "the message in the pane")
		p.edit(`text.textContent = data;`, `text.textContent = data;
        socket.send("A reply from the edited client");`)
		p.waitTask("reply")
		p.waitLog("El cliente dice: A reply from the edited client")
	}},
	{"/lessons/events/custom-event/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("receive")
		p.wait(`document.querySelector('.pane iframe').contentDocument.body.textContent.includes('A custom event named testerEvent!')`, "the description in the pane")
		p.edit(`text.textContent = data.description;`, `text.textContent = data.description;
        socket.emit("testerEvent", { description: "edited", from: "the test" });`)
		p.waitTask("echo")
		p.waitLog(`testerEvent from the client: {"description":"edited","from":"the test"}`)
	}},
	{"/lessons/events/client-event/", lessons.ES, func(t *testing.T, p *page) {
		p.waitTask("emit")
		p.waitLog("Sent an event from the client!")
		p.edit(`"Sent an event from the client!"`, `"¡Hola desde el editor!"`)
		p.waitTask("own-text")
		p.waitLog("¡Hola desde el editor!")
		p.click("show-done")
		p.waitTask("object")
		p.waitLog(`"from":"the finished client"`)
	}},
	{"/lessons/broadcast/everyone/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("count")
		p.waitPanes(`t === "1 client connected!"`, "the count in the pane")
		p.click("add-client")
		p.click("add-client")
		p.waitPanes(`t === "3 clients connected!"`, "3 in each of three panes")
		p.waitTask("more")
		p.removePane(2)
		p.waitPanes(`t === "2 clients connected!"`, "2 in each pane left")
		p.waitTask("leave")
		p.waitLog("A user disconnected. 2 clients connected!")
		p.edit(`text.textContent = data.description;`, `text.textContent = data.description.toUpperCase();`)
		p.waitPanes(`t === "2 CLIENTS CONNECTED!"`, "the edited client in each pane")
	}},
	{"/lessons/broadcast/others/?clients=3", lessons.ES, func(t *testing.T, p *page) {
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 3`, "three connected panes")
		p.waitTask("welcome")
		p.waitTask("others")
		// The last to connect keeps its welcome; the others show the count.
		p.wait(`(() => { const texts = `+paneTexts+`;
			return texts.filter((t) => t === "¡Hola, te damos la bienvenida!").length === 1 &&
				texts.filter((t) => t === "¡3 clientes conectados!").length === 2; })()`, "one welcome and two counts")
		p.removePane(0)
		p.waitPanes(`t === "¡2 clientes conectados!"`, "the count in the panes left")
		p.waitTask("leave")
		p.click("show-done")
		p.waitPanes(`t === "¡2 clientes conectados!" || t === "¡Hola, te damos la bienvenida!"`, "the finished client")
		p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => f.contentDocument?.querySelector('#history li'))`, "a history in each pane")
	}},
	{"/lessons/namespaces/default/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("hi")
		p.waitPanes(`t === "Hello everyone!"`, "hi in the pane")
		p.click("add-client")
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 2`, "two connected panes")
		p.waitTask("everyone")
		p.edit(`text.textContent = data;`, `text.textContent = data;
        socket.emit("hi", "Hello server!");`)
		p.waitTask("reply")
		p.waitLog("The client in / says: Hello server!")
		// A namespace this server does not have: the pane says why.
		p.edit(`const socket = io();`, `const socket = io("/nowhere");`)
		p.wait(`[...document.querySelectorAll('.pane')].every((el) => el.dataset.state === 'error' &&
			el.querySelector('.state').textContent.includes('Invalid namespace'))`, "Invalid namespace in every pane")
	}},
	{"/lessons/namespaces/custom/", lessons.ES, func(t *testing.T, p *page) {
		p.waitTask("join")
		p.waitPanes(`t === "¡Hola a todos!"`, "hi in the pane")
		p.wait(`document.querySelector('.pane .state').textContent.startsWith('/my-namespace ')`, "the namespace in the pane's state")
		p.click("add-client")
		p.waitTask("everyone")
		p.edit(`const socket = io("/my-namespace");`, `const socket = io("/my-namespace");
      const main = io();`)
		p.waitTask("both")
		// Two sockets in each pane, on one Manager.
		p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => {
			try { return f.contentWindow.eval('main.connected && socket.connected && main.io === socket.io'); } catch { return false; }
		})`, "/ and /my-namespace on one Manager in every pane")
		p.click("show-done")
		p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) =>
			f.contentDocument?.getElementById('session')?.textContent.endsWith(': una conexión'))`, "the shared session in the finished client")
	}},
	{"/lessons/rooms/join/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("join")
		p.waitPanes(`t === "You are in room no. 1"`, "room 1 in the pane")
		p.click("add-client")
		p.waitTask("roommate")
		p.click("add-client")
		p.wait(`JSON.stringify(`+paneTexts+`) === JSON.stringify(["You are in room no. 1", "You are in room no. 1", "You are in room no. 2"])`,
			"rooms 1, 1 and 2")
		p.waitTask("next")
		p.waitLog("A user joined room-2")
		// A pane of room 1 goes; the next client takes its place.
		p.removePane(0)
		p.click("add-client")
		p.wait(`JSON.stringify(`+paneTexts+`) === JSON.stringify(["You are in room no. 1", "You are in room no. 2", "You are in room no. 1"])`,
			"the free place in room 1 taken")
		p.edit(`text.textContent = data;`, `text.textContent = "Edited: " + data;`)
		p.waitPanes(`t.startsWith("Edited: You are in room no. ")`, "the edited client in each pane")
	}},
	{"/lessons/rooms/leave/?clients=2", lessons.ES, func(t *testing.T, p *page) {
		p.waitPanes(`t === "Estás en la sala n.º 1"`, "both panes in room 1")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('leave').click()`)
		p.waitTask("leave")
		p.wait(`JSON.stringify(`+paneTexts+`) === JSON.stringify(["Has salido de la sala n.º 1", "Un cliente ha salido de la sala n.º 1"])`,
			"the one who left and the one who stayed told")
		p.waitTask("told")
		p.waitLog("Un usuario ha salido de room-1")
		p.click("add-client")
		p.waitTask("retake")
		p.wait(`JSON.stringify(`+paneTexts+`) === JSON.stringify(["Has salido de la sala n.º 1", "Estás en la sala n.º 1", "Estás en la sala n.º 1"])`,
			"the free place taken")
		// The finished client: leave, then join again with a new socket.
		p.click("show-done")
		p.waitPanes(`t.startsWith("Estás en la sala n.º ")`, "the finished client in a room")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('leave').click()`)
		p.wait(`document.querySelector('.pane iframe').contentDocument.getElementById('text').textContent.startsWith('Has salido de la sala n.º ')`, "left")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('again').click()`)
		p.waitPanes(`t.startsWith("Estás en la sala n.º ")`, "in a room again")
	}},
	{"/lessons/errors/connect-error/", lessons.ES, func(t *testing.T, p *page) {
		p.waitTask("connect")
		p.waitPanes(`t === "¡Estás dentro!"`, "the welcome in the pane")
		p.edit(`token: "open sesame"`, `token: "guess"`)
		p.waitTask("refused")
		p.wait(`(() => { const d = document.querySelector('.pane iframe').contentDocument;
			return d.getElementById('text')?.textContent === "Rechazado: no autorizado" &&
				d.getElementById('hint').textContent.startsWith('conéctate con ') && d.getElementById('hint').textContent.includes('open sesame'); })()`, "the reason and the hint in the pane")
		p.waitLog("Rechazado un cliente con el token guess")
		p.click("reset")
		p.waitPanes(`t === "¡Estás dentro!"`, "in again with the token")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('kick').click()`)
		p.waitTask("kicked")
		p.wait(`document.querySelector('.pane iframe').contentDocument.getElementById('text').textContent === "Desconectado: io server disconnect"`,
			"the reason in the pane")
		p.waitLog("Un usuario se ha desconectado: server namespace disconnect")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('again').click()`)
		p.waitPanes(`t === "¡Estás dentro!"`, "in again after Connect again")
	}},
	{"/lessons/errors/reconnect/", lessons.EN, func(t *testing.T, p *page) {
		// The only client of the step's server in this run: its counts are
		// known.
		p.waitPanes(`t === "Connected: connection 1 since the server started"`, "the welcome in the pane")
		p.waitTimeline(0, "connect")
		p.waitWebSocket()
		p.click("fault-cut")
		p.wait(`document.getElementById('fault-status').textContent === "Done: 1 of your clients affected."`, "the fault's answer")
		p.waitTimeline(1, "disconnect transport close", "reconnect_attempt 1", "reconnect 1", "connect")
		p.waitTask("cut")
		p.waitPanes(`t === "Connected: connection 2 since the server started"`, "connection 2")
		p.waitLog("A user disconnected: transport close")

		p.waitWebSocket()
		p.click("fault-stop-pings")
		p.waitTimeline(5, "disconnect ping timeout", "reconnect_attempt 1", "reconnect 1", "connect")
		p.waitTask("timeout")
		p.waitPanes(`t === "Connected: connection 3 since the server started"`, "connection 3")

		p.waitWebSocket()
		p.click("fault-restart")
		// A countdown (3 s, then 2, 1), never an outage that is over.
		p.wait(`/^The server is down; it starts again in [123] s\.$/.test(document.getElementById('fault-status').textContent)`, "the restart's answer")
		p.waitLog("[workbook] server stopped")
		p.wait(`(() => { const l = `+timeline+`.slice(9); const names = l.map((x) => x.split(" ")[0]);
			const attempts = names.filter((n) => n === "reconnect_attempt").length;
			return l[0] === "disconnect transport close" && attempts >= 2 &&
				names.filter((n) => n === "reconnect_error").length === attempts - 1 &&
				l.at(-2) === "reconnect " + attempts && names.at(-1) === "connect"; })()`,
			"failed attempts while the server is down, then reconnect")
		p.waitTask("restart")
		p.waitPanes(`t === "Connected: connection 4 since the server started"`, "back to the same server, which counts on")
		p.wait(`document.getElementById('fault-status').textContent === "The server is up again: your clients reconnect by themselves."`,
			"the status saying the server is up once the client is back")

		// Two attempts allowed: both fail while the server is down (with
		// short waits, well inside its 3 s outage on a slow machine too).
		p.edit(`reconnectionDelay: 500,`, `reconnectionDelay: 200,`)
		p.waitPanes(`t.startsWith("Connected: connection ")`, "the edited client connected")
		p.edit(`reconnectionAttempts: 10,`, `reconnectionAttempts: 2,`)
		p.waitPanes(`t.startsWith("Connected: connection ")`, "the edited client connected")
		p.waitWebSocket()
		p.click("fault-restart")
		// The Manager gives up inside its handling of the last failure, so
		// reconnect_failed comes just before that attempt's reconnect_error.
		p.wait(`(() => { const l = `+timeline+`.slice(-4).map((x) => x.split(" ")[0]);
			return JSON.stringify(l) === JSON.stringify(["reconnect_attempt", "connect_error", "reconnect_failed", "reconnect_error"]) &&
				`+timeline+`.filter((x) => x.startsWith("reconnect_attempt ")).at(-1) === "reconnect_attempt 2"; })()`,
			"reconnect_failed after two attempts")
		p.wait(`document.querySelector('.pane iframe').contentDocument.getElementById('text').textContent === "Gave up reconnecting"`, "the pane giving up")
		p.waitLog("[workbook] server started again")
	}},
	{"/lessons/debugging/trace/", lessons.EN, func(t *testing.T, p *page) {
		p.waitTask("debug")
		p.waitPanes(`t.startsWith("Connected as ")`, "connected in the pane")
		p.waitLog("A user connected with the debug pattern *")
		const lines = `[...document.querySelector('.pane iframe').contentDocument.querySelectorAll('#lines li')].map((li) => li.textContent)`
		p.wait(lines+`.some((l) => l.startsWith("socket.io-client:manager ")) && `+lines+`.some((l) => l.startsWith("engine.io-client:"))`,
			"the client's debug lines in the pane")
		p.wait(lines+`.every((l) => !l.includes("%c"))`, "the lines without their colour codes")
		p.eval(`document.querySelector('.pane iframe').contentDocument.getElementById('debug-me').click()`)
		p.waitTask("debugMe")
		p.waitLog("debugMe from the client:")
		p.waitPanes(`t.startsWith("The server sent back ")`, "debugged in the pane")
		p.edit(`const pattern = "*";`, `const pattern = "engine.io-client:*";`)
		p.waitTask("pattern")
		p.waitLog("A user connected with the debug pattern engine.io-client:*")
		p.waitPanes(`t.startsWith("Connected as ")`, "the edited client connected")
		p.wait(`(() => { const l = `+lines+`; return l.length > 0 && l.every((x) => x.startsWith("engine.io-client:")); })()`,
			"only engine.io-client lines in the pane")
	}},
	{"/lessons/internals/transports/", lessons.EN, func(t *testing.T, p *page) {
		p.wait(`document.querySelectorAll('.pane .state')[0].textContent.split('connected (').length === 4`, "three connected clients in the pane")
		p.waitTransports(`polling === "polling" && websocket === "websocket" && upgrading === "polling → websocket"`, "each client on its transports")
		p.waitLog("The polling only client connected over polling")
		p.waitLog("The websocket only client connected over websocket")
		p.waitLog("The upgrading client upgraded: the server now sees it on websocket")
		// Nothing ticks before the learner does something: the page as the
		// server now renders it has no task done.
		if err := p.tab.Navigate(p.string(`location.href`)); err != nil {
			t.Fatal(err)
		}
		if n := p.string(`String(document.querySelectorAll('.tasks li.done').length)`); n != "0" {
			t.Errorf("%s tasks ticked on page load", n)
		}
		p.waitTransports(`polling === "polling" && websocket === "websocket" && upgrading === "polling → websocket"`, "each client on its transports after the reload")
		// Connect again, on each row: a new connection each, which ticks
		// its task; the upgrading one upgrades again.
		const upgrades = `document.getElementById('log').textContent.split('The upgrading client upgraded').length - 1`
		before := p.string(`String(` + upgrades + `)`)
		for _, id := range []string{"polling-only", "websocket-only", "upgrading"} {
			p.eval(`document.querySelector('.pane iframe').contentDocument.querySelector('#` + id + `').parentElement.querySelector('button').click()`)
		}
		p.waitTask("polling")
		p.waitTask("websocket")
		p.waitTask("upgrade")
		p.wait(upgrades+` > `+before, "another upgrade in the log")
		p.waitTransports(`polling === "polling" && websocket === "websocket" && upgrading === "polling → websocket"`, "upgraded again")
	}},
	{"/lessons/internals/handshake/", lessons.ES, func(t *testing.T, p *page) {
		p.waitTask("open")
		p.waitPanes(`t.startsWith("Conectado como ")`, "connected in the pane, in Spanish")
		p.waitPane(0, `[...d.querySelectorAll("#handshake tr")].map((tr) => tr.cells[0].textContent).join() === "sid,upgrades,pingInterval,pingTimeout,maxPayload" &&
			d.querySelector("#handshake tr").cells[1].textContent.length === 22`, "the open packet's fields in the pane")
		p.waitPane(0, `wire.some((l) => l.startsWith("↓ 0{\"sid\":")) && wire.some((l) => l.startsWith("↓ 40{\"sid\":"))`, "the open packet and the CONNECT reply in the pane")
		p.paneClick(0, "chat")
		p.waitTask("event")
		p.waitLog(`chat: {"text":"hello"}`)
		p.waitPane(0, `wire.includes('↑ 42["chat",{"text":"hello"}]  message: event')`, "the chat event in the pane")
		p.paneClick(0, "add")
		p.waitTask("ack")
		p.waitPane(0, `text.textContent === "2 + 3 = 5, dice el ack del servidor"`, "the sum in the pane")
		p.waitPane(0, `wire.includes('↑ 420["add",2,3]  message: event, ack id 0') && wire.includes('↓ 430[5]  message: ack, ack id 0')`, "the event and its ack in the pane")
		p.paneClick(0, "add")
		p.waitPane(0, `wire.includes('↑ 421["add",2,3]  message: event, ack id 1') && wire.includes('↓ 431[5]  message: ack, ack id 1')`, "the next ack id")
		p.waitLog("add: 2 + 3 - la suma vuelve en el ack")
	}},
	{"/lessons/internals/binary/", lessons.EN, func(t *testing.T, p *page) {
		p.waitPanes(`t.startsWith("Connected over ")`, "connected in the pane")
		p.wait(`document.querySelector('.pane iframe').contentWindow.eval('socket.io.engine.transport.name') === 'websocket'`, "the pane on WebSocket")
		p.paneClick(0, "send")
		p.waitTask("sent")
		p.waitTask("received")
		p.waitLog(`Got 5 bytes over websocket - "hello"`)
		const helloSHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
		p.waitPane(0, `text.textContent === "The server sent back 32 bytes, the SHA-256 of yours: `+helloSHA256+`"`, "the digest in the pane")
		p.waitPane(0, `wire.includes('↑ 451-["file",{"_placeholder":true,"num":0}]') && wire.includes('↑ 68 65 6c 6c 6f  binary attachment, 5 bytes') &&
			wire.includes('↓ 451-["digest",{"_placeholder":true,"num":0}]') && wire.some((l) => l.startsWith('↓ 2c f2 4d ba ') && l.endsWith('  binary attachment, 32 bytes'))`,
			"the placeholders and the attachments in the pane")
		// Over polling, the attachment goes as "b" + base64 in the POST.
		p.edit(`const socket = io();`, `const socket = io({ transports: ["polling"] });`)
		p.waitPanes(`t === "Connected over polling"`, "the edited client connected")
		p.paneClick(0, "send")
		p.waitTask("polling")
		p.waitLog(`Got 5 bytes over polling - "hello"`)
		p.waitPane(0, `text.textContent.endsWith(": `+helloSHA256+`")`, "the digest over polling")
	}},
	{"/lessons/chat/app/?clients=2", lessons.EN, func(t *testing.T, p *page) {
		// The names are the step server's, shared with the run in Spanish
		// that goes on at the same time: each run has names of its own.
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 2`, "two connected panes")
		p.chat(0, `name.value = "Ana"; login.requestSubmit();`)
		p.waitTask("name")
		p.waitPane(0, `text.textContent === "You are Ana, in general."`, "Ana in the first pane")
		p.chat(1, `name.value = "Ana"; login.requestSubmit();`)
		p.waitTask("taken")
		p.waitPane(1, `error.textContent === "Ana username is taken! Try some other username."`, "the name taken")
		p.chat(1, `name.value = "   "; login.requestSubmit();`)
		p.waitPane(1, `error.textContent === "A username needs 1 to 20 characters."`, "an empty name refused")
		p.chat(1, `name.value = "Bea"; login.requestSubmit();`)
		p.waitPane(1, `text.textContent === "You are Bea, in general." && !chat.hidden`, "Bea in the second pane")
		p.chat(0, `message.value = "Hello, Bea"; chat.requestSubmit();`)
		p.waitTask("message")
		p.waitTask("other")
		p.waitPane(1, `messages.textContent.includes("Ana: Hello, Bea")`, "Ana's message in Bea's pane")
		// The homework, as a learner's own code would do it.
		p.waitTask("online")
		p.chat(0, `socket.emit("typing", true)`)
		p.waitTask("typing")
		p.chat(0, `socket.emit("private", { to: "Bea", message: "psst" })`)
		p.waitTask("private")
		p.chat(1, `message.value = "<img src=x onerror=alert(1)>"; chat.requestSubmit();`)
		p.waitTask("html")
		for i := range 2 {
			p.waitPane(i, `messages.textContent.includes("Bea: <img src=x onerror=alert(1)>") && !messages.querySelector("img")`,
				"the hostile message as text")
		}
		p.chat(1, `room.value = "games"; room.dispatchEvent(new Event("change"));`)
		p.waitTask("room")
		p.waitPane(1, `text.textContent === "You are Bea, in games."`, "Bea in games")
		// Ana's pane goes; Bea takes the name.
		p.removePane(0)
		p.waitLog("Ana left the chat; the name is free again")
		p.chat(0, `name.value = "Ana"; login.requestSubmit();`)
		p.waitTask("reuse")
		p.waitPane(0, `text.textContent === "You are Ana, in games."`, "the freed name taken")
	}},
	{"/lessons/chat/app/", lessons.ES, func(t *testing.T, p *page) {
		p.chat(0, `name.value = "Carmen"; login.requestSubmit();`)
		p.waitTask("name")
		p.waitPane(0, `text.textContent === "Eres Carmen, en general." && d.querySelector("#chat button").textContent === "Enviar"`,
			"the client's words in Spanish")
		// Refused, in Spanish: the message stays in the input, to be mended.
		p.chat(0, `message.value = "   "; chat.requestSubmit();`)
		p.waitPane(0, `error.textContent === "Un mensaje lleva de 1 a 500 caracteres."`, "an empty message refused, in Spanish")
		if v := p.string(`document.querySelector('.pane iframe').contentDocument.getElementById('message').value`); v != "   " {
			t.Errorf("the refused message's input holds %q", v)
		}
		p.chat(0, `message.value = "<b>negrita</b>"; message.dispatchEvent(new Event("input"));`)
		p.waitPane(0, `d.getElementById("count").textContent === "14/500" && d.getElementById("message").maxLength === 500 && d.getElementById("name").maxLength === 20`, "the counter and the limits")
		p.chat(0, `chat.requestSubmit();`)
		p.waitTask("message")
		p.waitTask("html")
		p.waitPane(0, `d.getElementById("message").value === "" && d.getElementById("count").textContent === "0/500"`, "the input empty once the message went out")
		p.waitPane(0, `messages.textContent.includes("Carmen: <b>negrita</b>") && messages.querySelectorAll("b").length === messages.querySelectorAll("li").length`,
			"the markup as text")
		// The finished version does the homework: who is online, who is
		// typing, private messages.
		p.click("show-done")
		p.waitPane(0, `d.getElementById("online")`, "the finished client")
		// The page's script has run once its socket exists: a form
		// submitted before it has its handler would reload the page.
		p.wait(`(() => { try { return document.querySelectorAll('.pane iframe')[0].contentWindow.eval('socket.connected') === true; } catch { return false; } })()`, "the finished client connected")
		p.chat(0, `name.value = "Dora"; login.requestSubmit();`)
		p.waitPane(0, `text.textContent === "Eres Dora, en general."`, "Dora in the first pane")
		p.click("add-client")
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 2`, "two connected panes")
		p.waitPane(1, `d.getElementById("online")`, "the finished client in the second pane")
		p.chat(1, `name.value = "Eva"; login.requestSubmit();`)
		p.waitPane(0, `/\bDora\b/.test(d.getElementById("online").textContent) && /\bEva\b/.test(d.getElementById("online").textContent)`, "both names online in the first pane")
		p.chat(1, `message.value = "h"; message.dispatchEvent(new Event("input"));`)
		p.waitPane(0, `d.getElementById("typing").textContent === "Eva escribiendo…"`, "Eva typing in the first pane")
		p.chat(1, `$("to").value = "Dora"; $("secret").value = "psst"; $("private").requestSubmit();`)
		p.waitPane(0, `messages.textContent.includes("de Eva (privado): psst")`, "the private message in Dora's pane")
		p.waitPane(1, `messages.textContent.includes("para Dora (privado): psst")`, "its copy in Eva's pane")
	}},
	{"/lessons/acks/callbacks/", lessons.EN, func(t *testing.T, p *page) {
		p.waitPanes(`t.startsWith("Connected as ")`, "connected in the pane")
		p.paneClick(0, "add")
		p.waitTask("callback")
		p.waitPane(0, `messages.textContent.includes('add 2 + 3: {"sum":5}')`, "the sum in the pane")
		p.paneClick(0, "await")
		p.waitTask("error")
		p.waitPane(0, `messages.textContent.includes('add 2 + "three" failed: add needs two numbers')`, "the error in the pane")
		p.paneClick(0, "slow")
		p.waitTask("timeout")
		p.waitPane(0, `messages.textContent.includes("slow: operation has timed out")`, "the timeout in the pane")
		p.waitLog("slow: the answer leaves in 2 s")
	}},
	{"/lessons/acks/server-asks/?clients=2", lessons.ES, func(t *testing.T, p *page) {
		p.wait(`document.querySelectorAll('.pane[data-state="connected"]').length === 2`, "two connected panes")
		p.paneClick(0, "ask")
		p.waitTask("answer")
		p.waitPane(0, `messages.textContent.includes("veredicto: contestaste 42")`, "the verdict in the pane")
		p.eval(`document.querySelectorAll('.pane iframe')[1].contentDocument.getElementById("silent").checked = true`)
		p.paneClick(1, "ask")
		p.waitTask("silent")
		p.waitPane(1, `messages.textContent.includes("veredicto: ninguna respuesta en 3 s")`, "the silence in the pane")
		p.eval(`document.querySelectorAll('.pane iframe')[1].contentDocument.getElementById("vote").value = "spaces"`)
		p.paneClick(0, "poll")
		p.waitTask("broadcast")
		p.waitPane(0, `/resultados: (tabs, spaces|spaces, tabs)/.test(messages.textContent)`, "both votes in the pane")
		p.waitLog("Encuesta: 2 respuestas")
	}},
	{"/lessons/recovery/catch-up/", lessons.ES, func(t *testing.T, p *page) {
		p.waitPanes(`t.startsWith("Conectado como ")`, "connected in the pane")
		first := `document.querySelector('.pane iframe').contentWindow.eval('socket.id')`
		p.waitWebSocket()
		p.paneClick(0, "count")
		p.waitPane(0, `messages.textContent.includes("número 1")`, "the count started")
		p.click("fault-cut")
		p.waitTask("recovered")
		p.waitTask("missed")
		p.waitPane(0, `text.textContent.startsWith("Recuperado como ")`, "recovered in the pane")
		p.waitPane(0, `[...messages.querySelectorAll("li")].map((li) => li.textContent).filter((l) => l.startsWith("número ")).join() ===
			"número 1,número 2,número 3,número 4,número 5,número 6,número 7,número 8,número 9,número 10"`, "every number once, in order")
		p.waitLog("Un usuario ha vuelto como")
		id := p.string(first)
		p.paneClick(0, "leave")
		p.waitTask("fresh")
		p.waitPane(0, `text.textContent.startsWith("Conectado como ") && !text.textContent.endsWith(`+strconv.Quote(id)+`)`, "a new socket in the pane")
	}},
	{"/lessons/scaling/two-nodes/?clients=2", lessons.EN, func(t *testing.T, p *page) {
		p.wait(`[...document.querySelectorAll("article.text strong")].some((e) => e.textContent === "embedded Redis")`, "the Redis in use named")
		p.waitPane(0, `text.textContent.startsWith("Connected to node A as ")`, "pane 1 on node A")
		p.waitPane(1, `text.textContent.startsWith("Connected to node B as ")`, "pane 2 on node B")
		p.waitTask("each")
		p.eval(`(() => { const d = document.querySelectorAll('.pane iframe')[0].contentDocument;
			d.getElementById("input").value = "hello from the browser"; d.getElementById("form").requestSubmit(); })()`)
		p.waitTask("crossed")
		p.waitPane(1, `messages.textContent.includes("message: hello from the browser")`, "node A's message in node B's pane")
		p.waitLog("[A] message: hello from the browser")
		p.paneClick(0, "nodes")
		p.waitTask("count")
		p.waitPane(0, `messages.textContent.includes("2 nodes in the cluster")`, "two nodes counted")
		p.paneClick(1, "join")
		p.waitLog("[B] joined news") // in the room before node A sends to it
		p.paneClick(0, "news")
		p.waitTask("room")
		p.waitPane(1, `messages.textContent.includes("news: news from node A")`, "node A's news in node B's pane")
	}},
}

// faultPages are the step pages whose fault buttons make requests fail on
// purpose (a restarted server answers 503): the browser logs those as
// errors of the network, which their runs expect.
var faultPages = map[string]bool{"/lessons/errors/reconnect/": true}

// chat runs js in the i-th pane (from 0) of the chat, where the page's
// elements are variables by their ids (name, login, message, chat, room).
func (p *page) chat(i int, js string) {
	p.t.Helper()
	p.waitPane(i, `true`, "the pane's page")
	b, _ := json.Marshal(`(() => { const $ = (id) => document.getElementById(id);
		const name = $("name"), login = $("login"), message = $("message"), chat = $("chat"), room = $("room"); ` + js + ` })()`)
	p.eval(fmt.Sprintf(`document.querySelectorAll('.pane iframe')[%d].contentWindow.eval(%s)`, i, b))
}

// waitPane waits until cond, an expression of the i-th pane's document d,
// its elements text, error, messages, chat, and wire (the texts of its
// #wire list), is true.
func (p *page) waitPane(i int, cond, what string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`(() => { try {
		const d = document.querySelectorAll('.pane iframe')[%d].contentDocument;
		const text = d.getElementById("text"), error = d.getElementById("error"),
			messages = d.getElementById("messages"), chat = d.getElementById("chat");
		const wire = [...d.querySelectorAll("#wire li")].map((li) => li.textContent);
		return !!(text && (messages || d.getElementById("wire")) && (%s));
	} catch { return false; } })()`, i, cond), what)
}

// paneClick clicks the button with the given id in the i-th pane.
func (p *page) paneClick(i int, id string) {
	p.t.Helper()
	p.waitPane(i, fmt.Sprintf(`d.getElementById(%q)`, id), "the button "+id)
	p.eval(fmt.Sprintf(`document.querySelectorAll('.pane iframe')[%d].contentDocument.getElementById(%q).click()`, i, id))
}

// waitTransports waits until cond, an expression of the transports the
// first pane of internals/transports shows for its clients (polling,
// websocket, upgrading), is true.
func (p *page) waitTransports(cond, what string) {
	p.t.Helper()
	p.wait(`(() => { try {
		const d = document.querySelector('.pane iframe').contentDocument;
		const [polling, websocket, upgrading] = ["polling-only", "websocket-only", "upgrading"].map((id) => d.getElementById(id).textContent);
		return `+cond+`;
	} catch { return false; } })()`, what)
}

// paneTexts is a JavaScript expression: the text of #text in each pane.
const paneTexts = `[...document.querySelectorAll('.pane iframe')].map((f) => f.contentDocument?.getElementById('text')?.textContent)`

// waitPanes waits until every pane has connected and cond, an expression
// of t (the text of the pane's #text, once it has one), is true of each.
func (p *page) waitPanes(cond, what string) {
	p.t.Helper()
	p.wait(`(() => { const texts = `+paneTexts+`;
		return texts.length > 0 && texts.every((t) => typeof t === "string" && (`+cond+`)) &&
			[...document.querySelectorAll('.pane')].every((el) => el.dataset.state === 'connected'); })()`, what)
}

// timeline is a JavaScript expression: the lines of the first pane's
// timeline (errors/reconnect), each "event detail".
const timeline = `[...(document.querySelector('.pane iframe').contentDocument?.querySelectorAll('#timeline li') ?? [])].map((li) => li.dataset.event + " " + li.dataset.detail)`

// waitTimeline waits until the first pane's timeline, from line from on,
// is want: each an "event detail", or an event alone whatever its detail.
func (p *page) waitTimeline(from int, want ...string) {
	p.t.Helper()
	w, _ := json.Marshal(want)
	p.wait(fmt.Sprintf(`(() => { const l = %s.slice(%d), want = %s;
		return l.length === want.length && want.every((w, i) => w.includes(" ") ? l[i] === w : l[i].split(" ")[0] === w); })()`,
		timeline, from, w), fmt.Sprintf("the timeline from line %d to be %q", from, want))
}

// waitWebSocket waits until every pane's connection is on WebSocket.
func (p *page) waitWebSocket() {
	p.t.Helper()
	p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => {
		try { return f.contentWindow.eval('socket.io.engine.transport.name') === 'websocket'; } catch { return false; }
	})`, "every pane on WebSocket")
}

// removePane closes the i-th pane (from 0) with its ✕ button, once every
// pane's connection is on WebSocket, as a learner's would be by the time
// they click. (A pane removed within moments of connecting, still on
// polling, sometimes goes unnoticed by the server until the heartbeat
// gives up, some 45 s later.)
func (p *page) removePane(i int) {
	p.t.Helper()
	p.wait(`[...document.querySelectorAll('.pane iframe')].every((f) => {
		try { return f.contentWindow.eval('socket.io.engine.transport.name') === 'websocket'; } catch { return false; }
	})`, "every pane on WebSocket")
	p.eval(fmt.Sprintf(`document.querySelectorAll('.pane')[%d].querySelector('header button:last-of-type').click()`, i))
}

func TestStepPagesInChromium(t *testing.T) {
	b := browsertest.New(t)
	site, base := startSite(t, lessons.Options{})
	covered := map[string]bool{}
	for _, sp := range stepPages {
		path, query, _ := strings.Cut(sp.path, "?") // query: "clients=3", as a text links to the step
		covered[path] = true
		t.Run(strings.Trim(path, "/"), func(t *testing.T) {
			t.Parallel()
			if query != "" {
				query += "&"
			}
			p := open(t, b, base+path+"?"+query+"lang="+string(sp.lang))
			if lang := p.string(`document.documentElement.lang`); lang != string(sp.lang) {
				t.Errorf("page in %q, want %q", lang, sp.lang)
			}
			p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
			sp.play(t, p)
			p.noConsoleErrors(faultPages[path])
		})
	}
	for key := range site.StepTasks() {
		if !covered["/lessons/"+key+"/"] {
			t.Errorf("step %s has no browser test", key)
		}
	}
}

// TestOtherPagesInChromium loads the home page, the lesson pages and the
// step pages in both languages, on a site of its own (so that its clients
// do not count on TestStepPagesInChromium's steps): no console error, the
// shortcuts dialog opens, and a step's first pane connects.
func TestOtherPagesInChromium(t *testing.T) {
	b := browsertest.New(t)
	site, base := startSite(t, lessons.Options{})
	for _, path := range site.PagePaths() {
		isStep := strings.Count(path, "/") > 3
		for _, l := range lessons.Langs {
			t.Run(strings.Trim(path, "/")+"/"+string(l), func(t *testing.T) {
				t.Parallel()
				p := open(t, b, base+path+"?lang="+string(l))
				if lang := p.string(`document.documentElement.lang`); lang != string(l) {
					t.Errorf("page in %q", lang)
				}
				p.eval(`document.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }))`)
				p.wait(`document.getElementById('shortcuts').open`, "the shortcuts dialog")
				if isStep {
					p.wait(`document.querySelector('.pane[data-state="connected"]')`, "a connected pane")
				}
				p.noConsoleErrors(false)
			})
		}
	}
}

// page is a tab on a workbook page, with helpers that fail the test.
type page struct {
	t   *testing.T
	tab *browsertest.Tab
}

func open(t *testing.T, b *browsertest.Browser, url string) *page {
	t.Helper()
	p := &page{t: t, tab: b.NewTab(t)}
	if err := p.tab.Navigate(url); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%s\nconsole:\n%s\nserver log pane:\n%s", fmt.Sprintf(format, args...), p.tab.ConsoleText(),
		p.string(`document.getElementById('log')?.innerText ?? ''`))
}

func (p *page) eval(expr string) {
	p.t.Helper()
	if err := p.tab.Eval(expr, nil); err != nil {
		p.fail("%v", err)
	}
}

func (p *page) string(expr string) string {
	p.t.Helper()
	var s string
	if err := p.tab.Eval(expr, &s); err != nil {
		p.t.Fatalf("%v", err)
	}
	return s
}

// wait waits until expr is truthy; the 4 s events of the steps fit. A
// page that navigates meanwhile (a link, a key) is waited for again.
func (p *page) wait(expr, what string) {
	p.t.Helper()
	deadline := time.Now().Add(12 * time.Second)
	for {
		err := p.tab.WaitFor(expr, time.Until(deadline))
		if err == nil {
			return
		}
		if !navigating(err) || time.Now().After(deadline) {
			p.fail("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// navigating reports whether err says that the page went away while an
// expression ran in it: it was navigating to another.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "navigated or closed") || strings.Contains(msg, "context was destroyed") ||
		strings.Contains(msg, "Cannot find context")
}

func (p *page) click(id string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`document.getElementById(%q).click()`, id))
}

func (p *page) waitTask(id string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`document.querySelector('.tasks li[data-task=%q]').classList.contains('done')`, id), "task "+id+" ticked")
}

func (p *page) waitLog(text string) {
	p.t.Helper()
	js, _ := json.Marshal(text)
	p.wait(fmt.Sprintf(`document.getElementById('log').textContent.includes(%s)`, js), "the server log to show "+string(js))
}

// edit replaces old by new in the client's editor and presses Run.
func (p *page) edit(old, new string) {
	p.t.Helper()
	p.editIn("editor", "run", old, new)
}

// editIn replaces old by new in the page's editor (workbookStep's editor
// or serverEditor) and clicks the button run.
func (p *page) editIn(editor, run, old, new string) {
	p.t.Helper()
	o, _ := json.Marshal(old)
	n, _ := json.Marshal(new)
	var ok bool
	err := p.tab.Eval(fmt.Sprintf(`(() => {
		const editor = workbookStep[%q];
		if (!editor.value.includes(%s)) return false;
		editor.value = editor.value.replace(%s, %s);
		document.getElementById(%q).click();
		return true;
	})()`, editor, o, o, n, run), &ok)
	if err != nil || !ok {
		p.fail("editing %s: %v, found: %v", o, err, ok)
	}
}

// noConsoleErrors fails the test for any error or uncaught exception in
// the page or its panes; errors the browser logs about failed requests
// (source "network") too, unless network is set.
func (p *page) noConsoleErrors(network bool) {
	p.t.Helper()
	for _, m := range p.tab.Console() {
		if network && m.Source == "network" && !m.IsException() {
			continue
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			p.t.Errorf("console %s (%s:%d)", m, m.URL, m.Line)
		}
	}
}
