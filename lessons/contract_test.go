package lessons_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/lessons"
)

// contracts says, for each step, what the official client must see
// (interop/node/lesson-steps.mjs checks that) and what the server must have
// logged and ticked once it has.
var contracts = []struct {
	step       string   // lesson/step
	transports string   // for the client
	log        []string // lines the step's log must hold, in order
	sentInLog  bool     // the log must also hold each SENT value
	tasks      []string // ticked for the client's browser
	lang       string   // the browser's wb_lang cookie, if any
}{
	{
		step: "hello/connect",
		log:  []string{"A user connected", "A user disconnected", "A user connected", "A user disconnected"},
		// The client's two connections follow each other: "reconnect".
		tasks: []string{"connect", "reconnect"},
	},
	{
		step:       "hello/connect",
		transports: "websocket",
		log:        []string{"A user connected", "A user disconnected", "A user connected", "A user disconnected"},
		tasks:      []string{"connect", "reconnect"},
	},
	{
		step:      "events/message",
		log:       []string{"A user connected", "The client says: thanks from the official client", "A user disconnected"},
		sentInLog: true,
		tasks:     []string{"receive", "reply"},
	},
	{
		// The server's words in the learner's language (wb_lang), its
		// log's too.
		step:      "events/message",
		lang:      "es",
		log:       []string{"Un usuario se ha conectado", "El cliente dice: thanks from the official client", "Un usuario se ha desconectado"},
		sentInLog: true,
		tasks:     []string{"receive", "reply"},
	},
	{
		step:      "events/custom-event",
		lang:      "es",
		log:       []string{"Un usuario se ha conectado", "testerEvent del cliente:", "Un usuario se ha desconectado"},
		sentInLog: true,
		tasks:     []string{"receive", "echo"},
	},
	{
		step:      "events/custom-event",
		log:       []string{"A user connected", "testerEvent from the client:", "A user disconnected"},
		sentInLog: true,
		tasks:     []string{"receive", "echo"},
	},
	{
		step:  "hello/connect",
		lang:  "es",
		log:   []string{"Un usuario se ha conectado", "Un usuario se ha desconectado", "Un usuario se ha conectado", "Un usuario se ha desconectado"},
		tasks: []string{"connect", "reconnect"},
	},
	{
		step:      "events/client-event",
		sentInLog: true,
		tasks:     []string{"emit", "own-text", "object"},
	},
	// Counts depend on whoever is on the step: one contract per step of
	// broadcast, namespaces and rooms and language, never two at once.
	// The workbook runs those steps' servers once per language, so the
	// English and the Spanish contract of a step meet nobody else.
	{
		step: "broadcast/everyone", lang: "es",
		log:   esCountLog,
		tasks: []string{"count", "more", "leave"},
	},
	{
		step: "broadcast/others", lang: "es",
		log:   esCountLog,
		tasks: []string{"welcome", "others", "leave"},
	},
	{
		step: "namespaces/default", lang: "es",
		log:       []string{"alguien se ha conectado a /", "alguien se ha conectado a /", "El cliente de / dice:"},
		sentInLog: true,
		tasks:     []string{"hi", "everyone", "reply"},
	},
	{
		step: "namespaces/custom", lang: "es",
		log:   []string{"alguien se ha conectado a /my-namespace", "alguien se ha conectado a /", "alguien se ha conectado a /my-namespace"},
		tasks: []string{"join", "everyone", "both"},
	},
	{
		step: "rooms/join", lang: "es",
		log:   []string{"Un usuario ha entrado en room-1", "Un usuario ha entrado en room-1", "Un usuario ha entrado en room-2", "Un usuario ha entrado en room-1"},
		tasks: []string{"join", "roommate", "next"},
	},
	{
		step: "rooms/leave", lang: "es",
		log:   []string{"Un usuario ha entrado en room-1", "Un usuario ha entrado en room-1", "Un usuario ha salido de room-1", "Un usuario ha entrado en room-1"},
		tasks: []string{"leave", "told", "retake"},
	},
	{
		step: "broadcast/everyone",
		log: []string{"A user connected.", "A user connected.", "A user connected.",
			"A user disconnected.", "A user disconnected.", "A user disconnected."},
		tasks: []string{"count", "more", "leave"},
	},
	{
		step: "broadcast/others",
		log: []string{"A user connected.", "A user connected.", "A user connected.",
			"A user disconnected.", "A user disconnected.", "A user disconnected."},
		tasks: []string{"welcome", "others", "leave"},
	},
	{
		step:      "namespaces/default",
		log:       []string{"someone connected to /", "someone connected to /", "The client in / says:"},
		sentInLog: true,
		tasks:     []string{"hi", "everyone", "reply"},
	},
	{
		step:  "namespaces/custom",
		log:   []string{"someone connected to /my-namespace", "someone connected to /", "someone connected to /my-namespace"},
		tasks: []string{"join", "everyone", "both"},
	},
	{
		step:  "rooms/join",
		log:   []string{"A user joined room-1", "A user joined room-1", "A user joined room-2", "A user joined room-1"},
		tasks: []string{"join", "roommate", "next"},
	},
	{
		step:  "rooms/leave",
		log:   []string{"A user joined room-1", "A user joined room-1", "A user left room-1", "A user joined room-1"},
		tasks: []string{"leave", "told", "retake"},
	},
	{
		step: "errors/connect-error",
		log: []string{"Refused a client with the token wrong", "A user connected with the right token",
			"Kicking a user out, as asked", "A user disconnected: server namespace disconnect",
			"A user connected with the right token"},
		tasks: []string{"connect", "refused", "kicked"},
	},
	{
		step: "errors/connect-error",
		lang: "es",
		log: []string{"Rechazado un cliente con el token wrong", "Un usuario se ha conectado con el token correcto",
			"Echando a un usuario, como ha pedido", "Un usuario se ha desconectado: server namespace disconnect",
			"Un usuario se ha conectado con el token correcto"},
		tasks: []string{"connect", "refused", "kicked"},
	},
	{
		// A learner's restart reaches that browser only, and the server
		// goes on: its counter too.
		step: "errors/reconnect",
		log: []string{"A user connected: connection 1 since the server started",
			"[workbook] cutting the connection of 1 client(s)", "A user disconnected: transport close",
			"A user connected: connection 2 since the server started",
			"[workbook] no more pings to 1 client(s)", "A user disconnected: transport close",
			"A user connected: connection 3 since the server started",
			"[workbook] server stopped for 1 client(s) of one browser", "A user disconnected: forced close",
			"[workbook] server started again for them", "A user connected: connection 4 since the server started"},
		tasks: []string{"cut", "timeout", "restart"},
	},
	{
		step:      "debugging/trace",
		log:       []string{"A user connected without a debug pattern", "A user connected with the debug pattern *", "A user connected with the debug pattern socket.io-client:*,-socket.io-client:url", "debugMe from the client:"},
		sentInLog: true,
		tasks:     []string{"debug", "pattern", "debugMe"},
	},
	{
		step:      "debugging/trace",
		lang:      "es",
		log:       []string{"Un usuario se ha conectado sin patrón de depuración", "Un usuario se ha conectado con el patrón de depuración *", "Un usuario se ha conectado con el patrón de depuración socket.io-client:*,-socket.io-client:url", "debugMe del cliente:"},
		sentInLog: true,
		tasks:     []string{"debug", "pattern", "debugMe"},
	},
	{
		step: "internals/transports",
		lang: "es",
		log: []string{"El cliente polling only se ha conectado por polling",
			"El cliente websocket only se ha conectado por websocket",
			"El cliente upgrading se ha conectado por polling",
			"El cliente upgrading ha cambiado de transporte: el servidor ahora lo ve en websocket"},
		tasks: []string{"polling", "websocket", "upgrade"},
	},
	{
		step:       "internals/handshake",
		transports: "polling",
		lang:       "es",
		log:        []string{"Un usuario se ha conectado: sesión", "chat:", "add: 2 + 3 - la suma vuelve en el ack"},
		sentInLog:  true,
		tasks:      []string{"open", "event", "ack"},
	},
	{
		step:       "internals/binary",
		transports: "polling",
		lang:       "es",
		log:        []string{`Llegan 5 bytes por polling - "hello"`, `Llegan 3 bytes por polling - "\x00\xffa"`},
		tasks:      []string{"sent", "received", "polling"},
	},
	{
		// The script makes its three clients with their own transports.
		step: "internals/transports",
		log: []string{"The polling only client connected over polling",
			"The websocket only client connected over websocket",
			"The upgrading client connected over polling",
			"The upgrading client upgraded: the server now sees it on websocket"},
		tasks: []string{"polling", "websocket", "upgrade"},
	},
	{
		step:       "internals/handshake",
		transports: "polling",
		log:        []string{"A user connected: session", "chat:", "add: 2 + 3 - the sum goes back in the ack"},
		sentInLog:  true,
		tasks:      []string{"open", "event", "ack"},
	},
	{
		step:       "internals/handshake",
		transports: "websocket",
		log:        []string{"A user connected: session", "chat:", "add: 2 + 3 - the sum goes back in the ack"},
		sentInLog:  true,
		tasks:      []string{"open", "event", "ack"},
	},
	{
		step:       "internals/binary",
		transports: "polling",
		log:        []string{`Got 5 bytes over polling - "hello"`, `Got 3 bytes over polling - "\x00\xffa"`},
		tasks:      []string{"sent", "received", "polling"},
	},
	{
		step:       "internals/binary",
		transports: "websocket",
		log:        []string{`Got 5 bytes over websocket - "hello"`, `Got 3 bytes over websocket - "\x00\xffa"`},
		tasks:      []string{"sent", "received"},
	},
	{
		// Names are shared by everyone on the step: one contract, in
		// Spanish (the JavaScript server's, in lessons/jsserver, is in
		// English).
		step: "chat/app",
		lang: "es",
		log: []string{"Un usuario se ha conectado", "Un usuario se ha conectado", "Ana ha entrado en el chat", "Un usuario se ha conectado",
			"Bea ha entrado en el chat", "Ana ha salido del chat; el nombre vuelve a estar libre", "Ana ha entrado en el chat"},
		tasks: []string{"name", "taken", "message", "other", "html", "room", "reuse", "typing", "online", "private"},
	},
	{step: "acks/callbacks", log: ackCallbacksLog, tasks: []string{"callback", "error", "timeout"}},
	{step: "acks/callbacks", lang: "es", log: ackCallbacksLogES, tasks: []string{"callback", "error", "timeout"}},
	{
		step: "recovery/catch-up",
		log: []string{"A user connected as", "Counting to 10 for", "[workbook] cutting the connection",
			"A user disconnected: transport close", "A user came back as", "A user disconnected: client namespace disconnect",
			"A user connected as"},
		tasks: []string{"recovered", "missed", "fresh"},
	},
	{
		// The poll counts everyone on the step: one contract, in Spanish
		// (the JavaScript server's, in lessons/jsserver, is in English).
		step: "acks/server-asks", lang: "es", log: ackServerAsksLogES, tasks: []string{"answer", "silent", "broadcast"},
	},
	{step: "scaling/two-nodes", log: twoNodesLog, tasks: []string{"each", "crossed", "count", "room"}},
	{step: "scaling/two-nodes", lang: "es", log: twoNodesLogES, tasks: []string{"each", "crossed", "count", "room"}},
}

// esCountLog is the log of the Spanish contracts of broadcast: every line
// with its count, in Spanish too.
var esCountLog = []string{"Un usuario se ha conectado. ¡", "Un usuario se ha conectado. ¡", "Un usuario se ha conectado. ¡",
	"Un usuario se ha desconectado. ¡", "Un usuario se ha desconectado. ¡", "Un usuario se ha desconectado. ¡"}

// twoNodesLog is the log of the scaling chapter's contract: each line
// says which node printed it. twoNodesLogES is the same in Spanish.
var (
	twoNodesLog = []string{"[A] A user connected", "[A] message: hello from node A", "[B] message: hello from node B",
		"[A] Nodes in the cluster: 2", "[B] Nodes in the cluster: 2", "[B] joined news", "[A] news: news for the room"}
	twoNodesLogES = []string{"[A] Un usuario se ha conectado", "[A] message: hello from node A", "[B] message: hello from node B",
		"[A] Nodos en el clúster: 2", "[B] Nodos en el clúster: 2", "[B] ha entrado en news", "[A] news: news for the room"}
)

// The logs of the acknowledgements chapter's contracts (the Go and the
// JavaScript servers print the same lines).
var (
	ackCallbacksLog   = []string{"A user connected", "add: 2 + 3", "add needs two numbers", "slow: the answer leaves in 2 s"}
	ackCallbacksLogES = []string{"Un usuario se ha conectado", "add: 2 + 3", "add necesita dos números", "slow: la respuesta sale en 2 s"}
	ackServerAsksLog  = []string{"A user connected", "A user connected", "Asking: what is 6 × 7?", "The client answered 42",
		"Asking: what is 6 × 7?", "No answer within 3 s", "Polling every client", "Poll: 2 answers"}
	ackServerAsksLogES = []string{"Un usuario se ha conectado", "Un usuario se ha conectado", "Preguntando: ¿cuánto es 6 × 7?", "El cliente ha respondido 42",
		"Preguntando: ¿cuánto es 6 × 7?", "Sin respuesta en 3 s", "Preguntando a todos los clientes", "Encuesta: 2 respuestas"}
)

// TestStepContracts runs the official Node socket.io-client against every
// step of a running workbook, checking what the tutorial promises: the
// client's side in lesson-steps.mjs, the server's log and ticked tasks
// here.
func TestStepContracts(t *testing.T) {
	nodetest.Setup(t)
	site, base := startSite(t, lessons.Options{DB: mustOpenDB(t)})
	covered := map[string]bool{}
	for i, c := range contracts {
		covered[c.step] = true
		name := c.step
		if c.transports != "" {
			name += "/" + c.transports
		}
		if c.lang != "" {
			name += "/" + c.lang
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			browser := "node-contract-" + strconv.Itoa(i) // a browser id: letters, digits, '-'
			args := []string{"--url", base, "--step", c.step, "--client", browser}
			if c.transports != "" {
				args = append(args, "--transports", c.transports)
			}
			if c.lang != "" {
				args = append(args, "--lang", c.lang)
			}
			sent := runLessonScript(t, args...)
			lesson, stepSlug, _ := strings.Cut(c.step, "/")
			waitLog(t, site, lesson, stepSlug, c.log...)
			if c.sentInLog {
				if len(sent) == 0 {
					t.Fatal("the client said it SENT nothing")
				}
				for _, v := range sent {
					waitLog(t, site, lesson, stepSlug, logText(t, v))
				}
			}
			var keys []string
			for _, task := range c.tasks {
				keys = append(keys, c.step+"/"+task)
			}
			waitDone(t, site, browser, keys...)
		})
	}
	for key := range site.StepTasks() {
		if !covered[key] {
			t.Errorf("step %s has no contract test", key)
		}
	}
}

// runLessonScript runs lesson-steps.mjs to its PASS line and returns the
// values the client said it SENT, as JSON.
func runLessonScript(t *testing.T, args ...string) []string {
	t.Helper()
	p := nodetest.Start(t, "lesson-steps.mjs", args...)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var sent []string
	passed := false
	for {
		line, err := p.NextLine(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, p.Report())
		}
		switch {
		case strings.HasPrefix(line, "SENT "):
			sent = append(sent, strings.TrimPrefix(line, "SENT "))
		case strings.HasPrefix(line, "INFO "):
			t.Log(line)
		case strings.HasPrefix(line, "PASS "):
			passed = true
		}
	}
	if code := p.Wait(); code != 0 || !passed {
		t.Fatalf("lesson-steps.mjs %v: exit %d\n%s", args, code, p.Report())
	}
	return sent
}

// logText is how a step's log prints a value the client sent as JSON:
// a text as it is, anything else as JSON.
func logText(t *testing.T, sent string) string {
	var s string
	if json.Unmarshal([]byte(sent), &s) == nil {
		return s
	}
	return sent
}
