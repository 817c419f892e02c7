package lessons

import (
	"embed"

	"github.com/sioworkbook/workbook/lessons/acks/callbacks"
	serverasks "github.com/sioworkbook/workbook/lessons/acks/server-asks"
	"github.com/sioworkbook/workbook/lessons/broadcast/everyone"
	"github.com/sioworkbook/workbook/lessons/broadcast/others"
	"github.com/sioworkbook/workbook/lessons/chat/app"
	"github.com/sioworkbook/workbook/lessons/debugging/trace"
	"github.com/sioworkbook/workbook/lessons/errors/connect-error"
	"github.com/sioworkbook/workbook/lessons/errors/reconnect"
	"github.com/sioworkbook/workbook/lessons/events/client-event"
	"github.com/sioworkbook/workbook/lessons/events/custom-event"
	"github.com/sioworkbook/workbook/lessons/events/message"
	"github.com/sioworkbook/workbook/lessons/hello/connect"
	"github.com/sioworkbook/workbook/lessons/internals/binary"
	"github.com/sioworkbook/workbook/lessons/internals/handshake"
	"github.com/sioworkbook/workbook/lessons/internals/transports"
	"github.com/sioworkbook/workbook/lessons/namespaces/custom"
	defaultns "github.com/sioworkbook/workbook/lessons/namespaces/default"
	"github.com/sioworkbook/workbook/lessons/recovery/catch-up"
	"github.com/sioworkbook/workbook/lessons/rooms/join"
	"github.com/sioworkbook/workbook/lessons/rooms/leave"
	twonodes "github.com/sioworkbook/workbook/lessons/scaling/two-nodes"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

// registry lists the lessons in the order the workbook teaches them, each
// with its steps in order. It is the one place order lives: a folder's
// name is its slug in the URL (/lessons/<lesson>/<step>/), and the files of
// every entry are read from content.
var registry = []lessonDef{
	{Slug: "hello", Steps: []stepDef{
		{Slug: "connect", Setup: connect.Setup, Tasks: connect.Tasks, Check: connect.Check},
	}},
	{Slug: "events", Steps: []stepDef{
		{Slug: "message", Setup: message.Setup, Tasks: message.Tasks, Check: message.Check},
		{Slug: "custom-event", Setup: customevent.Setup, Tasks: customevent.Tasks, Check: customevent.Check},
		{Slug: "client-event", Setup: clientevent.Setup, Tasks: clientevent.Tasks, Check: clientevent.Check},
	}},
	{Slug: "broadcast", Steps: []stepDef{
		{Slug: "everyone", Setup: everyone.Setup, Tasks: everyone.Tasks, Check: everyone.Check, PerLang: true},
		{Slug: "others", Setup: others.Setup, Tasks: others.Tasks, Check: others.Check, PerLang: true},
	}},
	{Slug: "namespaces", Steps: []stepDef{
		{Slug: "default", Setup: defaultns.Setup, Tasks: defaultns.Tasks, Check: defaultns.Check, PerLang: true},
		{Slug: "custom", Setup: custom.Setup, Tasks: custom.Tasks, Check: custom.Check, PerLang: true},
	}},
	{Slug: "rooms", Steps: []stepDef{
		{Slug: "join", Setup: join.Setup, Tasks: join.Tasks, Check: join.Check, PerLang: true},
		{Slug: "leave", Setup: leave.Setup, Tasks: leave.Tasks, Check: leave.Check, PerLang: true},
	}},
	{Slug: "errors", Steps: []stepDef{
		{Slug: "connect-error", Setup: connecterror.Setup, Tasks: connecterror.Tasks, Check: connecterror.Check},
		{Slug: "reconnect", Setup: reconnect.Setup, Tasks: reconnect.Tasks, Check: reconnect.Check,
			Config: reconnect.Config, Faults: reconnect.Faults},
	}},
	{Slug: "debugging", Steps: []stepDef{
		{Slug: "trace", Setup: trace.Setup, Tasks: trace.Tasks, Check: trace.Check},
	}},
	{Slug: "internals", Steps: []stepDef{
		{Slug: "transports", Setup: transports.Setup, Tasks: transports.Tasks, Check: transports.Check},
		{Slug: "handshake", Setup: handshake.Setup, Tasks: handshake.Tasks, Check: handshake.Check},
		{Slug: "binary", Setup: binary.Setup, Tasks: binary.Tasks, Check: binary.Check},
	}},
	{Slug: "chat", Steps: []stepDef{
		{Slug: "app", Setup: app.Setup, Tasks: app.Tasks, Check: app.Check},
	}},
	// Beyond the tutorial.
	{Slug: "acks", Steps: []stepDef{
		{Slug: "callbacks", Setup: callbacks.Setup, Tasks: callbacks.Tasks, Check: callbacks.Check},
		{Slug: "server-asks", Setup: serverasks.Setup, Tasks: serverasks.Tasks, Check: serverasks.Check},
	}},
	{Slug: "recovery", Steps: []stepDef{
		{Slug: "catch-up", Setup: catchup.Setup, Tasks: catchup.Tasks, Check: catchup.Check,
			Config: catchup.Config, Faults: catchup.Faults},
	}},
	{Slug: "scaling", Steps: []stepDef{
		{Slug: "two-nodes", Setup: twonodes.Setup, Tasks: twonodes.Tasks, CheckNodes: twonodes.CheckNodes},
	}},
}

// content holds the text and code of every lesson, read by path:
// <lesson>/lesson.<lang>.md, and for each step <lesson>/<step>/step.<lang>.md,
// server.go (shown as the file that runs), client.html and, if there is
// one, client.done.html. home.<lang>.md is the home page's text.
//
//go:embed home.*.md */lesson.*.md */*/step.*.md */*/server.go */*/client*.html
var content embed.FS

// lessonDef is one entry of the registry: a lesson folder.
type lessonDef struct {
	Slug  string
	Steps []stepDef
}

// stepDef is one step: a sub-package of its lesson folder.
type stepDef struct {
	Slug string
	// Setup mounts the step's handlers on its own server (server.go).
	Setup func(io *sio.Server, log *step.Log)
	// Tasks are the ids of the step's tasks, in order (checks.go); their
	// text is in the step's Markdown front matter as "task.<id>".
	Tasks []string
	// Check ticks the tasks from what the server sees (checks.go).
	Check func(io *sio.Server, c *step.Checker)
	// CheckNodes, instead of Check, makes a step served by two nodes
	// joined by the Redis adapter (see cluster.go): Setup runs on node A
	// and on node B, and CheckNodes ticks the tasks from what both see,
	// with one checker watching both.
	CheckNodes func(a, b *sio.Server, c *step.Checker)
	// Config holds the settings the step's server starts with, for a step
	// that needs some (server.go's Config: a short heartbeat, say). The
	// Site sets Path, Observer, Logger, ClientScript and ClientModule.
	Config sio.Config
	// Faults are the faults the step page offers buttons for
	// (checks.go's Faults); none for most steps. See step.Fault.
	Faults []step.Fault
	// PerLang runs the step's server once per language of the workbook
	// (step.Langs), each with its own checker: a learner's clients reach
	// the server of the learner's language (the wb_lang cookie, see
	// step.RequestLang), so that what the server broadcasts, one packet
	// for every client, is in the language of all of them. For the steps
	// that teach a broadcast; not with Faults or CheckNodes.
	PerLang bool
}
