// Package jsserver runs a step's server written in JavaScript, as the
// learner edits it (lessons/<lesson>/<step>/server.js), on the workbook's own
// Socket.IO server (package sio), through the embedded JavaScript engine
// goja. Each browser that runs its own edit gets its own Instance, so that
// a learner's edit never changes what another learner sees.
//
// # Run one server
//
// Start compiles the source, runs its top level and returns an Instance, an
// http.Handler for the step's Socket.IO path; a syntax error, or an
// exception of the top level, returns an *Error whose JSON is
// {"error": "...", "line": N}:
//
//	in, err := jsserver.Start(jsserver.Config{
//		Source: src,
//		Log:    stepLog, // console.log goes there
//		Server: sio.Config{Path: "/lessons/hello/connect/socket.io/"},
//		Setup:  func(io *sio.Server) { connect.Check(io, checker) },
//	})
//
// # What the script sees
//
// The global io is the server, with the official server's names: io.on
// ("connection"), io.use((socket, next) => next(err)) with err.data sent
// to the client, io.emit, io.to / io.in / io.except, io.of(name),
// io.timeout(ms).emit(event, ..., (err, responses) => ...) (a broadcast
// that gathers every client's acknowledgement, on io.to(room) too; at most
// 16 waiting at once per instance), io.fetchSockets, io.socketsJoin /
// socketsLeave / disconnectSockets,
// io.sockets (the default namespace, with .sockets and .adapter.rooms).
// A namespace's adapter.serverCount() is a Promise of the number of nodes
// sharing its adapter: 1, or the cluster's size on the Redis adapter (it
// asks Redis; rejected after 5 s without an answer).
// A socket has id, recovered (true for a session restored by connection
// state recovery, which the step's sio.Config turns on), handshake (headers, query, auth, address, time, issued,
// url, secure, xdomain), data, rooms (a Set), conn.id, conn.transport.name,
// nsp, connected, on / once / off, emit and send (a function last asks for
// an acknowledgement), timeout(ms).emit, broadcast, to / in / except, join,
// leave and disconnect(close); a client's ack callback comes as the last
// argument of the listener. Binary arrives as a Uint8Array (a Node server
// gets a Buffer, which is one), and an ArrayBuffer or typed array goes out
// as a binary attachment.
//
// The 0.9-era names of the tutorial work too: io.sockets.emit is io.emit,
// and io.sockets.in(room) is io.in(room), today spelled io.to(room).
//
// Besides io, the globals are JavaScript's own, console (log, info, debug,
// warn, error: each a line of the step's log), setTimeout / setInterval /
// clearTimeout / clearInterval, and crypto.subtle.digest. There is no
// require, no file system, no network and no process.
//
// # Sandbox
//
// A script is hostile until proven otherwise. What is bounded (see Limits):
//
//   - time: a handler (the top level, a listener, a timer, an ack callback)
//     that runs past Limits.HandlerTime (1 s) is interrupted, the log says
//     so with the line, and the server goes on serving;
//   - exceptions: an uncaught exception, or an async handler's rejection,
//     is logged with its line; the server goes on;
//   - timers: at most Limits.Timers pending, a setInterval ticks at most
//     every 10 ms, and a tick that finds the loop's queue full is dropped;
//   - the queue: every sio callback becomes a job of the instance's one
//     goroutine, through a queue of Limits.Queue; a full queue drops the job
//     (counted in the log) and holds up nobody else;
//   - the console: at most Limits.LogLines lines a second, each cut at 4 KiB;
//   - memory, in part: goja has no heap limit, and its built-ins run to
//     their end before an interrupt is seen. So the built-ins that can make
//     a huge value in one call refuse beyond Limits.Size with a RangeError,
//     checked in script code before they run: String repeat, padStart,
//     padEnd, concat, replace and replaceAll; Array join (the parts
//     counted), concat, from and the methods that walk an array (a huge
//     length set by hand, a = []; a.length = 1e9, is cheap until walked);
//     iteration and spread; Function.prototype.apply, Reflect.apply and
//     construct (the arguments list); JSON.stringify (each array in the
//     value); the Array, typed array, ArrayBuffer, Set and Map
//     constructors. A watchdog samples the process heap every 10 ms while
//     a handler runs, and past Limits.HeapGrowth (256 MiB) of growth
//     interrupts it and stops the instance (ErrMemory), freeing what it
//     held. A value sent to a client is bounded in depth and parts;
//   - recursion: the call stack is capped (a RangeError).
//
// What is not bounded: memory kept across handlers (a global array that
// grows a little at each event), as long as no single handler grows the
// heap past the limit; the heap figure is the whole process's, so another
// busy instance can push a handler over it; and a one-call amplifier of
// goja that the list above misses can still allocate without bound before
// any check sees it (the process then dies of it). The list is the known
// ones, tested in TestAmplifiersAreRefused; running learners' instances in
// a child process with a memory rlimit would close that door for good.
//
// # Instances per browser
//
// Manager keeps one Instance per Key{Browser, Step}, at most PerBrowser
// (3) per browser and Total (32) in all; starting one more stops the oldest
// idle instance first (no client connected, least recently active).
//
// # Wiring into the Site (a later step)
//
// The Site holds one Manager, and for each step at /lessons/<lesson>/<step>/
// mounts two handlers of this package:
//
//	mux.Handle(prefix+"server.js", &jsserver.SourceHandler{
//		Manager:  m,
//		Step:     "lesson/step",
//		Finished: src, // lessons.StepServerJS("lesson/step")
//		Browser:  browserOf, // the wb_client cookie
//		Config:   func(browser string) jsserver.Config { ... },
//	})
//	mux.Handle(prefix+"socket.io/", m.Route("lesson/step", browserOf, defaultServer))
//
// SourceHandler answers PUT (start the browser's instance: 200, or 400
// with {"error", "line"}), DELETE (back to the default server) and GET (the
// source in use). Route sends a request to the instance of its browser, and
// to the step's default (Go) server otherwise; the cookie rides on every
// Engine.IO request of a browser.
//
// Config(browser) makes what a Go step's server gets in Site.newServer: the
// step's Log, its sio.Config (Path, Observer with a new step.Checker's
// observer, Logger, ClientScript, ClientModule, the step's own settings),
// Setup calling checker.Start and the step's Check (so tasks tick from the
// learner's own server), and Stopped closing that checker. The faults
// (cut, stop-pings, restart) apply to Instance.Server() of the requesting
// browser's instance when it has one; a restart of an instance is a new
// Manager.Start with its Source.
//
// An Instance may be used from any goroutine; its JavaScript runs on its
// own goroutine only.
package jsserver
