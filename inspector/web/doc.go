// Package web serves the inspector's pages: what the workbook's servers
// recorded (package inspector), and what they are doing now.
//
// New returns one http.Handler for everything under /inspector/:
//
//	/inspector/                 the sessions: lesson, address, transport,
//	                            state and packet count, live; filtered by
//	                            lesson or path, client, address, close
//	                            reason, event, error, state and time, keyset
//	                            pages (?before=, ?after=), with charts of
//	                            connects, disconnects and close reasons
//	/inspector/sessions/{sid}   one session: its header, its charts (events
//	                            and bytes per second, ack round trips), its
//	                            packets (decoded, raw, binary as hex, sizes
//	                            and times, each EVENT linked to its ACK),
//	                            filtered and paged by id, and its trace in
//	                            debug's colours with a DEBUG box, live while
//	                            it is open
//	/inspector/sessions/{sid}/replay
//	                            one session as a sequence diagram (client and
//	                            server lifelines, one arrow per packet, an
//	                            EVENT's and its ACK's linked with the round
//	                            trip, a lost ack flagged) beside
//	                            its trace, with a player: play, pause, step,
//	                            speed, seek, in the session's own timing
//	/inspector/sessions/{sid}/act   (POST)
//	                            act on a live session through Options.Actor:
//	                            emit (to its socket, a room or everyone,
//	                            with an optional ack), disconnect, join,
//	                            leave; token (or loopback) and same origin
//	/inspector/sessions/{sid}/timeline
//	                            the same timeline as JSON, a page at a time
//	/inspector/tail             everything happening now, with a pause,
//	                            filtered by session, client, lesson, event
//	/inspector/static/...       the stylesheet and the pages' plain scripts
//	/inspector/socket.io/       the live feed, a sio.Server of its own that
//	                            serves our browser client and records nothing
//
// Pages are templ components rendered on the server; each has a small
// script (static/*.js, no framework) that joins the live feed and keeps the
// page current. The feed sends each watched room a batch of what the
// recorder committed at most every 150 ms, so a busy server costs a browser
// a few events a second.
//
// Lesson pages embed Panel, the same live packet and trace view limited to
// one browser's own connections (its "wb_client" cookie, see
// ClientCookie).
//
// When Options.Token is set, the pages want it: ?token= once sets an
// HttpOnly cookie, and without it they answer 401. The live feed then gives
// everything to a socket whose handshake carries that cookie, and only its
// own browser's sessions to any other (that is what the Panel needs).
//
// Every page is in English and Spanish (i18n.go), chosen as the lessons'
// pages are (package uilang).
//
// Text recorded from the network (event names, arguments, user agents) is
// always rendered as text: by templ's escaping on the server, and as text
// nodes by the scripts.
package web
