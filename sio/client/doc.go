// Package client is a Socket.IO v4 client: Socket.IO protocol v5 over
// Engine.IO protocol v4, over HTTP long-polling and WebSocket. It talks to
// our server (package sio) and to the official Node.js socket.io 4.x. Its
// API follows the official JavaScript client, socket.io-client, and its
// types mirror those of package sio (Event, AckFunc, Reason, ConnectError),
// so that both sides of a program read alike.
//
// # Connect
//
// Connect joins the namespace named by the URL's path ("/" when empty) and
// returns once the server has accepted the socket:
//
//	s, err := client.Connect(ctx, "http://localhost:3000", client.Options{})
//	if err != nil {
//		return err // a *ConnectError when the server refused the socket
//	}
//	defer s.Disconnect()
//
// The connection opens over HTTP long-polling and upgrades to WebSocket in
// the background; Options.Transports changes that ({"websocket"} connects
// over WebSocket directly).
//
// # Events and acknowledgements
//
// Handlers receive an *Event, as on the server: its arguments as generic
// values (Args, Arg, String), decoded into your own types (Bind), or raw
// (Raw); Ack answers the server's acknowledgement callback.
//
//	s.On("chat message", func(e *client.Event) {
//		fmt.Println("got", e.String(0))
//	})
//	s.Emit("chat message", "hello")
//	res, err := s.Timeout(5*time.Second).EmitWithAck(ctx, "echo", "hi") // err: ErrAckTimeout, ErrDisconnected
//
// An AckFunc as the last argument of Emit asks for an acknowledgement too.
// []byte values travel as binary attachments, at any depth of []any and
// map[string]any arguments, and come back as []byte. Emit works while the
// socket is disconnected: the events wait and go out, in order, once it is
// connected (Volatile ones are dropped instead). OnConnect,
// OnConnectError (with the server's *ConnectError: Message and Data) and
// OnDisconnect (with a Reason) follow the socket's life.
//
// Events the server sends as the socket connects (a welcome message) may
// arrive before the handlers are added. To be sure to see them, set
// Options.NoAutoConnect, add the handlers, then call Connect or
// ConnectContext:
//
//	s, _ := client.New("http://localhost:3000/admin", client.Options{
//		NoAutoConnect: true,
//		Auth:          map[string]any{"token": "secret"},
//	})
//	s.On("welcome", func(e *client.Event) { ... })
//	err := s.ConnectContext(ctx)
//
// # Managers, namespaces and reconnection
//
// A Manager is one Engine.IO connection shared by the sockets of several
// namespaces. New and Connect share one Manager per server (unless
// Options.ForceNew is set); NewManager and Manager.Socket make them
// explicitly:
//
//	m := client.NewManager("http://localhost:3000", client.Options{})
//	main := m.Socket("/", client.SocketOptions{})
//	admin := m.Socket("/admin", client.SocketOptions{Auth: map[string]any{"token": "secret"}})
//
// When the connection is lost ("transport close", "transport error", "ping
// timeout", "parse error"), the Manager reconnects with exponential backoff
// and jitter, as the official client does (Options.ReconnectionDelay,
// ReconnectionDelayMax, RandomizationFactor, ReconnectionAttempts), and
// every socket that was connected joins its namespace again with a new id.
// A socket disconnected by the server ("io server disconnect") or by
// Disconnect ("io client disconnect"), or refused by the server (a
// CONNECT_ERROR), does not come back until Connect is called. The
// Manager's callbacks report the connection's life: OnOpen, OnClose,
// OnPing, OnError, OnUpgrade, OnReconnectAttempt, OnReconnect,
// OnReconnectError, OnReconnectFailed.
//
// # Engine.IO
//
// Engine is the Engine.IO layer alone, for tools that speak it directly:
// DialEngine opens a session, Send queues messages, an EngineHandler
// receives them. It keeps at most one GET and one POST in flight over
// polling, batches POSTs under the server's maxPayload, upgrades to
// WebSocket without losing or repeating a message, answers pings at once
// and closes with "ping timeout" when they stop.
//
// # Concurrency
//
// Every method of Manager, Socket, Emitter, Event and Engine may be called
// from any goroutine. The handlers of one Manager (event handlers, the
// OnConnect, OnConnectError and OnDisconnect handlers of its sockets,
// AckFuncs and the Manager's callbacks) run one at a time, in the order
// things happened, on a goroutine of the Manager's that is not the one
// reading the network; so a handler may block, even in EmitWithAck, but
// holds up the other handlers meanwhile. A panic in a handler is recovered
// and logged to Options.Logger.
//
// An idle connection holds one goroutine of its own (its poll loop or its
// WebSocket reader), plus over polling those net/http keeps for its two
// HTTP connections; writers and the handler goroutine exist only while there
// is work.
// Manager.Close returns once the connection's goroutines have ended;
// Socket.Disconnect of the last socket closes the connection the same way,
// in the background.
package client
