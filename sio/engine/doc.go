// Package engine is an Engine.IO v4 server (and v3, on request): the transport layer under
// Socket.IO. It opens sessions over HTTP long-polling and WebSocket,
// upgrades polling sessions to WebSocket, keeps them alive with pings, and
// hands each session's messages to your code. It knows nothing of
// namespaces, events or acknowledgements; the sio package builds those on
// top of it.
//
// # An echo server
//
// A Handler is asked for a SessionHandler when a session opens; that one
// receives the session's messages and, last, its end:
//
//	type echo struct{}
//
//	func (echo) Open(s *engine.Session) engine.SessionHandler { return echoSession{s} }
//
//	type echoSession struct{ s *engine.Session }
//
//	func (e echoSession) Message(data []byte, binary bool) {
//		e.s.Send(engine.Message{Data: data, Binary: binary})
//	}
//	func (e echoSession) Close(reason engine.Reason) {}
//
// Mount the Server at a path ending in a slash, as you would a file server:
//
//	http.Handle("/engine.io/", engine.NewServer(engine.Config{}, echo{}))
//
// Any Engine.IO v4 client (engine.io-client, or the socket.io-client under
// Socket.IO) can now connect to /engine.io/, by polling first and upgrading,
// or straight over WebSocket.
//
// # Sending
//
// Session.Send may be called from any goroutine, at any time, and never
// blocks: messages go into the session's bounded queue, and the transport
// takes them from there (all queued packets in one polling response, or
// one WebSocket frame each, several frames to a write). Data is not copied,
// so one encoded message can be sent to many sessions, the way a broadcast
// should; Message.Prepared builds its WebSocket frame once for all of them.
// On WebSocket, a message that finds the writer idle, and that does not
// follow the session's previous one within 20 ms (unless it is the first
// since the client sent one: a reply, as an ack is) nor is marked as part
// of a burst (Message.Queued), is written at once by the goroutine that
// sends it, in one write that never blocks: no goroutine is woken for it,
// and what the socket does not take then goes to the writer goroutine as
// any queued packet does. The others are held up to 10 ms, then written
// together, one write per connection, by one of the server's flushers
// (one per CPU, a goroutine only while it has work): a busy room's
// connections get several messages per system call, and no goroutine
// each. While the writer goroutine is busy or lingers, they go to it. The engine writes its WebSocket frames itself,
// one writer at a time, and reads them itself too (gorilla only answers
// the upgrade). Several messages
// given to one Send are queued together, with nothing in between, which is
// what a packet with binary attachments needs. Session.Writable says
// whether a packet would leave at once, for messages that are worth sending
// only then. A client that stops reading fills its queue, which is bounded
// in packets (Config.MaxBufferedPackets) and in bytes
// (Config.MaxBufferedBytes, counting what the WebSocket writer still
// holds); Send then returns ErrQueueFull and the session is dropped, rather
// than letting one slow client hold memory or stall the sender.
//
// # Ending
//
// A session ends once, for one Reason: the client left ("transport close"),
// broke the protocol ("transport error", "parse error"), stopped answering
// pings ("ping timeout"), or the server closed it (Session.Close with any
// reason, Server.Close with "forced close"). Session.Close sends what is
// already queued first; it may be called from inside Message. The
// SessionHandler's Close comes last, exactly once, and never while Message
// runs. Session.Done is closed at the end too.
//
// # Faults on purpose
//
// For teaching and tests, a session can be made to fail the way networks
// and servers do, through Session.Faults, which nothing in normal operation
// needs. Faults.Drop cuts its connection with no close packet (the client
// sees its transport fail, and a Socket.IO client reconnects);
// Faults.StopHeartbeat stops its pings, so that the client gives up with
// "ping timeout". Server.Sessions lists the open sessions to pick from.
//
// # Tuning
//
// Config's zero value gives the official server's defaults (ping every 25
// seconds, 20 to answer, 1 MB messages, both transports, upgrades on).
// Its fields set the heartbeat, the size limits, the transports, HTTP
// compression of polling responses, CORS, and AllowRequest, a hook that
// can refuse a handshake with 403, e.g. after checking its Origin or a
// cookie.
//
// # Watching
//
// An Observer is a struct of optional hooks that see every session open,
// upgrade and close, every packet in and out (outgoing ones when they are
// actually written, with the transport's name), and debug lines under the
// namespaces of the official server's DEBUG output ("engine",
// "engine:socket", "engine:polling", "engine:ws"), describing the same
// moments. Set only the hooks you need; with no Observer, none of that is
// computed.
//
// # The wire format
//
// DecodePacket, AppendPacket, DecodePayload and AppendPayload are the
// Engine.IO codec: one packet per WebSocket frame ("4hello", or a binary
// frame for binary messages), and polling payloads with packets joined by
// the byte 0x1e and binary messages as "b" plus base64. Clients use them
// too.
//
// # Engine.IO v3 clients
//
// With Config.AllowEIO3 (off by default, as in the official server), a
// handshake whose EIO is not "4" opens a v3 session, for socket.io-client
// 2.x; Session.Protocol tells which. Its messages reach the SessionHandler
// as a v4 session's do; the engine speaks v3 on the wire:
//
//   - The client pings ("2") and the server answers "3". A session with no
//     ping for PingInterval+PingTimeout ends with "ping timeout"; a pong
//     from a v3 client, as a ping from a v4 one, is a "transport error".
//   - Polling payloads are "<len>:<packet>" repeated, len counting UTF-16
//     code units, or, when a batch holds a binary message, the binary form
//     sent as application/octet-stream (see AppendPayloadV3); a client
//     that asked for b64 gets binary messages as "b4" + base64 text.
//   - A binary message on a WebSocket starts with its type byte, 0x04.
//   - A polling handshake is answered with the open packet alone; what
//     Open sends goes with the next GET, as the official server's
//     socket.io layer connects a v3 client to "/" only then.
//
// DecodePayloadV3 is stricter than the official parser: a length that is
// not plain decimal digits, or that reaches past the end of the body, ends
// the session with "parse error" rather than being read loosely. JSONP
// polling (the j parameter of old browsers) is not served.
//
// # Errors on the wire
//
// Refused requests get the official server's answers: 400 (403 for code 4)
// with a JSON body {"code":N,"message":"..."}: 0 "Transport unknown",
// 1 "Session ID unknown", 2 "Bad handshake method", 3 "Bad request",
// 4 "Forbidden", 5 "Unsupported protocol version". A refused WebSocket
// upgrade gets the status and the bare message. A polling POST over
// MaxHTTPBufferSize gets 413; a WebSocket frame over it closes the socket
// with 1009.
//
// # Hostile and broken clients
//
// Whatever a client sends ends its own session at most, the way the
// official server ends it:
//
//   - A polling POST has HTTPRequestBodyTimeout (30 s) to deliver its body,
//     or it gets 408 and the session ends; a POST still reading when its
//     session ends (a ping timeout, say) is aborted with no answer, so its
//     buffer and connection go with the session. The buffer grows as bytes
//     arrive, not to the announced Content-Length.
//   - A malformed polling body is answered 200 "ok" (it was read whole) and
//     ends the session with "parse error"; the packets before the bad one
//     are delivered. The session is gone at once, so the next request gets
//     400 {"code":1} (Node keeps it for one more GET, answered "6\x1e1").
//   - A second GET (or POST) while one is in flight gets an empty 400 and
//     ends the session, as in Node.
//   - When the client closes a polling session ("1"), a GET arriving within
//     50 ms still gets the noop it would have had if it had come first:
//     the official client's GET often races its own close packet. Node
//     forgets the session at once and answers such a GET 400 {"code":1}.
//   - A polling body is text: invalid UTF-8 in it is read as U+FFFD, one for
//     each maximal ill-formed subsequence, as Node reads it.
//   - A WebSocket text frame that is not UTF-8 closes the connection with
//     1007 ("transport error") before any handler sees it. Binary frames
//     carry any bytes.
//   - After a 1007 or 1009 close frame, the engine reads and drops what the
//     client still sends until it closes its end, for 10 s at most, rather
//     than closing a connection with unread data: that resets it, and a
//     client that notices the reset while writing (Node's ws) reports 1006
//     and never sees the code.
//   - A session closed by Session.Close with nothing queued and no GET
//     waiting answers the next GET with "6\x1e1" (noop, close), as Node does.
//     With packets queued it takes two GETs, as Node: the packets ("4a"),
//     then "6\x1e1". Not one GET for both: socket.io-client passes a
//     payload's packets to its Socket.IO layer a tick late, so it would act
//     on the close before a DISCONNECT in the same payload and report
//     "transport close" (and reconnect) instead of "io server disconnect".
//
// The engine does not own the HTTP server's connections between requests.
// Set its limits where you create it: Node closes an idle keep-alive
// connection after 5 s, and a header must arrive in time, e.g.
//
//	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Second}
//
// No WriteTimeout: a polling GET waits up to PingInterval for its answer.
//
// # Locks
//
// Server.mu guards the map of sessions; each Session.mu guards that
// session's state, queue and transports. No code path holds two of these
// at once: take one, copy what is needed, let it go, then take the other.
// That rule is what keeps the engine free of deadlocks without a lock order
// to remember; a change that needs two locks at once needs a different
// design.
//
// # Goroutines and memory
//
// A polling session costs no goroutine between requests, and on Linux an
// idle WebSocket session costs none either: one goroutine per Server waits
// for the next byte of every idle WebSocket, on an epoll instance that is
// itself a file of the runtime's poller, registered edge-triggered. When
// bytes come, one of a few reader goroutines (each waits up to 5 ms for
// more work before it ends) reads and handles that connection's messages
// with a buffer from a pool, and gives the connection and the buffer back
// as soon as the socket is empty between two messages: a message that
// comes alone costs one read system call. A handler that implements
// InlineHandler may do the message's work on that goroutine; the poller
// hands the connection to another reader if more comes meanwhile. A writer
// goroutine exists only while the session's queue has packets (it takes
// its write buffer from a pool, and lingers 5 ms for more before it ends).
// Elsewhere, with Config.DisableNetpoll, or on a connection that is not a
// plain socket (TLS), a goroutine waits for each WebSocket's next byte,
// still with no buffer. An idle WebSocket session holds about 2 KB: its
// connection, what Session.Request needs of the handshake request, and its
// bookkeeping. Heartbeats, upgrade deadlines and close deadlines are
// timers, not goroutines. Every goroutine ends with its connection.
//
// On Linux the engine reads and writes its WebSocket sockets, and calls
// epoll, with raw system calls, which never block on these non-blocking
// descriptors: a system call made the usual way wakes the runtime's
// monitor thread from its sleep when every P had been idle, as between
// the broadcasts of a chat room, and costs about a microsecond per
// delivery at 20 broadcasts a second to 1,000 sockets in its wake-ups.
// Under the race detector the reads and writes are package syscall's,
// which tell the detector that what was written to a descriptor happens
// before what is read from it.
package engine
