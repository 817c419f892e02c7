// Package sio is a Socket.IO v4 server: Engine.IO protocol v4 and Socket.IO
// protocol v5, over HTTP long-polling and WebSocket, compatible with the
// official socket.io-client 4.x in browsers and in Node.
//
// # Mount a server
//
// A Server is an http.Handler. Mount it at its path ("/socket.io/" unless
// Config.Path says otherwise) on any mux:
//
//	io := sio.NewServer(sio.Config{})
//	io.OnConnection(func(s *sio.Socket) {
//		log.Println("a user connected", s.ID())
//	})
//	http.Handle("/socket.io/", io)
//	log.Fatal(http.ListenAndServe(":3000", nil))
//
// # Events and acknowledgements
//
// Handlers receive an *Event: its arguments decoded as generic values
// (Args), into your own types (Bind), or raw (Raw). Ack answers the client's
// acknowledgement callback.
//
//	s.On("chat message", func(e *sio.Event) {
//		var msg string
//		if err := e.Bind(&msg); err != nil { return }
//		io.Emit("chat message", msg)          // everyone
//		s.Broadcast().Emit("chat message", msg) // everyone else
//		e.Ack("received")
//	})
//
// The server asks for acknowledgements with EmitWithAck (bounded by a
// context or by Timeout), or by passing an AckFunc as the last argument of
// Emit. []byte values travel as binary attachments, at any depth of []any
// and map[string]any arguments.
//
// # Namespaces and rooms
//
// Of returns a namespace ("/admin"); OfFunc and OfRegexp declare dynamic
// ones. Middlewares (Use) vet each connection and may refuse it with a
// *ConnectError carrying data. Sockets Join and Leave rooms; To, Except,
// Volatile and Timeout narrow a broadcast. Rooms live behind the Adapter
// interface (in memory by default).
//
// # Connection state recovery
//
// With Config.ConnectionStateRecovery set, a client whose connection drops
// (not one that leaves) comes back within MaxDisconnectionDuration as the
// same socket, with its id, rooms and Data, and first receives the events
// it missed; Socket.Recovered reports it. Events then carry an offset as
// their last argument, as with the official server, and the in-memory
// adapter keeps a bounded log of them (see RecoveryConfig).
//
// # Concurrency
//
// Every method of Server, Namespace, Socket and BroadcastOperator may be
// called from any goroutine. The handlers of one connection (middlewares,
// connection handlers, event handlers, disconnect handlers, AckFuncs) run one
// at a time, in the order their packets arrived, on a goroutine that may
// block: a handler may wait, even in EmitWithAck for its own client's
// answer, and Socket.Context tells it when to stop: it ends when the socket
// disconnects. (On Linux an event that comes alone on a WebSocket runs on
// the goroutine that read it, with no hand-off; the connection then goes
// to another reader as soon as more comes, so the answer still arrives.) Server.Shutdown waits for every connection's handlers;
// Close does not. An idle WebSocket connection holds no goroutine on Linux
// (it waits in the engine's poller; elsewhere, its reader waits for the
// next byte); reader, writer and handler goroutines exist only while there
// is work.
//
// # Limits
//
// Every queue is bounded, and a client that overflows one is disconnected
// with "transport error" without slowing anyone else down: its outgoing
// packets (Config.MaxBufferedPackets), and the events that wait for its
// handlers while one blocks (Config.MaxQueuedEvents and MaxQueuedBytes).
// The acknowledgements the server waits for from one socket are bounded
// too (Config.MaxPendingAcks): past it, Emit with an AckFunc and
// EmitWithAck return ErrTooManyAcks.
//
// The outgoing queue is bounded in bytes as well (Config.MaxBufferedBytes).
// A packet that cannot be parsed closes its connection as a parse error;
// that includes an ack id that does not fit in 64 bits, where the official
// server rounds it to a float and acks that.
//
// # Observing
//
// Config.Observer is a struct of optional hooks that see every Engine.IO
// session, every packet at both layers and debug lines under the namespaces
// of the official server's DEBUG output ("engine:socket",
// "socket.io:client", ...). Set the hooks you need; Observers combines
// several observers. When it is nil, nothing is paid.
package sio
