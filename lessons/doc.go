// Package lessons serves the workbook's lessons as live pages: the chapters
// of the tutorial, each step with its text, its Go server code (the very
// file that runs), an editable client page running in live panes, the
// step's server log, the tasks the learner can complete and the
// inspector's packet panel.
//
// # Serving
//
// New loads every lesson and starts one Socket.IO server per step; the Site
// is an http.Handler for "/":
//
//	site, err := lessons.New(lessons.Options{
//		Observer: recorder,    // the inspector sees every step's packets
//		DB:       sqlDB,       // progress in the table lesson_progress
//		Panel:    panel,       // the inspector's packet panel, per page
//	})
//	mux.Handle("/", site)
//	defer site.Close()
//
// Every Options field may be zero: nothing recorded, progress in memory, a
// slot where the panel would be. Close ends the step servers and the live
// feeds of open pages; call it before shutting the HTTP server down.
//
// # Lessons and steps
//
// A lesson is a folder (hello/, events/) and a step is a Go package inside
// it (events/message/). The registry in lessons.go lists them in order: it
// is the one place order lives, and a folder's name is its slug in the URL.
//
//	<lesson>/lesson.en.md, lesson.es.md   the lesson's introduction (front matter: title)
//	<lesson>/<step>/step.en.md, step.es.md the step's text (front matter: title, task.<id>)
//	<lesson>/<step>/server.go              func Setup(io *sio.Server, log *step.Log)
//	<lesson>/<step>/checks.go              var Tasks []string; func Check(io *sio.Server, c *step.Checker)
//	<lesson>/<step>/client.html            the client page, runnable as it is
//	<lesson>/<step>/client.done.html       optional: a finished version
//	<lesson>/<step>/client.es.html         client.html with the words of its page in Spanish
//	<lesson>/<step>/client.done.es.html    client.done.html so, where there is one
//
// Each step runs on its own sio.Server at /lessons/<lesson>/<step>/socket.io/,
// so every step uses the default namespace as the tutorial does and no step
// sees another's clients. Setup mounts the step's handlers and prints to
// the step's log (shown on the page, and passed to Options.Logger); Check
// then watches the same server and ticks the learner's tasks from what the
// server actually saw (package step). The page shows server.go from the
// embedded source: what the learner reads is what runs.
//
// A step may run on two nodes instead (checks.go's CheckNodes in place of
// Check): Setup runs on node A, at the step's path, and on node B, at
// /lessons/<lesson>/<step>/node-b/socket.io/, joined by the Redis adapter
// on Options.Redis or an embedded Redis; client panes take turns between
// them (see cluster.go).
//
// A step may offer fault buttons (step.Fault): the Site, on a POST to
// /lessons/<lesson>/<step>/faults/<fault>, cuts the requesting browser's
// connections to the step's server, stops their pings, or plays them a
// restart (their sessions closed, their handshakes answered 503 for
// RestartOutage). Restarting the step's server itself, for everyone
// (?scope=step: Setup and Check on a new one), takes Options.Authorize's
// consent.
//
// # Client panes
//
// A pane is an iframe on /lessons/<lesson>/<step>/pane. That document names
// the step's Socket.IO path in <meta name="socket.io-path">, which our
// socket.io.js honours, loads assets/pane.js (which reports the pane's
// sockets to the page), then writes in the client code: the code last run
// in the page, or client.html. So client pages keep the tutorial's
// <script src="/socket.io/socket.io.js"> and io(), exactly as in a Node
// project, and each pane is a connection of its own.
//
// # Browsers, progress and the live feed
//
// A browser is known by the "wb_client" cookie (Options.BrowserID, the
// inspector's web.ClientCookie, sets it; the Site sets the same cookie
// itself otherwise). The panes send it with their handshake, so a step's
// Check knows whose task it ticks (step.Browser). Ticked tasks go to a
// Store (the table lesson_progress of Options.DB, or memory) and to the
// step pages of that browser through /lessons/<lesson>/<step>/live, a
// Server-Sent Events feed that also streams the step's log. The feed stays
// off the step's Socket.IO server, so the panes see only the tutorial's
// traffic.
//
// # The classroom
//
// /classroom/ is for an instructor running one workbook for a class: one
// row per browser with progress, a name or a connection, with the name the
// learner chose (POST /me/name), a link to its sessions in the inspector,
// the steps it is connected to now (by title) and with how many clients,
// where and when it was last active, and its tasks done per lesson. The
// page reloads its table when /classroom/live, a Server-Sent Events feed,
// says something changed; /classroom/data.json serves the same data
// (Classroom). Options.Authorize guards them all (the workbook passes the
// inspector's token check).
//
// A step's log shows a learner the lines about their own clients
// (step.Log.For) and, at the flip of a switch, everyone's. A learner can
// forget their ticks of one lesson or of the whole workbook (POST
// /me/reset).
//
// # Languages
//
// Every text exists in English and Spanish (Langs). A page's language is
// ?lang= (remembered in the "wb_lang" cookie), else the cookie, else the
// browser's Accept-Language, else English. The words around the text are in
// i18n.go, one struct per language. A step's server speaks the learner's
// language too, read from the cookie of the handshake (step.Lang); the
// steps that teach a broadcast run their server once per language
// (stepDef.PerLang), and a learner's clients reach the one of theirs, so
// that one packet for every client is in the language of all of them.
//
// # Tests
//
// The tests walk the registry (every file present, both languages, every
// task with its text), render every page in both languages looking for
// missing text, run the official Node socket.io-client against every step
// (interop/node/lesson-steps.mjs), and drive every page in headless
// Chromium: the pane connects, tasks tick, edited code runs, the console
// stays clean. README.md explains how to add a lesson.
package lessons
